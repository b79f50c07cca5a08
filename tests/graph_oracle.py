"""Oracle for ebguard's migration-graph rules (tests/graph_oracle.rs drives it).

Writes random migration graphs as real bundles, then asks the real frameworks what they make
of them and records the answers next to each bundle in `expected.json`:

- Django: `MigrationLoader(None, ignore_no_migrations=True).detect_conflicts()` (what
  `makemigrations --check` uses) and the `NodeNotFoundError` it raises; for graphs Django
  accepts, `manage.py migrate` against a fresh PostgreSQL schema: does it fail with
  "already exists", and for which name?
- Alembic: `ScriptDirectory.get_heads()` and the error a dangling revision raises.

usage: graph_oracle.py OUT_DIR FIRST_SEED DJANGO_CASES ALEMBIC_CASES POSTGRES_URL

Every case is generated from its own seed (`random.Random(seed)`), so a failing case is
reproduced by running this script with FIRST_SEED = that seed and a count of 1.
"""

import json
import os
import random
import sys
import textwrap
import urllib.parse

sys.dont_write_bytecode = True

APPS = ["app_a", "app_b", "app_c"]
INDEX_NAMES = ["idx_%d" % i for i in range(8)] + ["x" * 70 + "_long1", "x" * 70 + "_long2"]
CHECK_NAMES = ["chk_one", "chk_two"]
MIGRATE_CONFIG = """container_commands:
  01_migrate:
    command: "source /var/app/venv/*/bin/activate && python3 manage.py migrate --noinput"
    leader_only: true
"""
FLASK_CONFIG = """container_commands:
  01_upgrade:
    command: "source /var/app/venv/*/bin/activate && flask db upgrade"
    leader_only: true
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# Django


def django_case(rng):
    """A random project: per migration its app, name, dependencies, run_before, replaces and
    operations (as Python source), generated in one global order so that dependencies only
    point backwards (no cycles)."""
    migrations = []  # dicts
    counters = {app: 0 for app in APPS}
    roots = {}

    def new(app, word):
        counters[app] += 1
        m = {
            "app": app,
            "name": "%04d_%s" % (counters[app], word),
            "deps": [],
            "run_before": [],
            "replaces": [],
            "ops": [],
            "cross": False,
            "target_of_run_before": False,
        }
        migrations.append(m)
        return m

    for app in APPS:
        m = new(app, "initial")
        m["ops"].append(
            'migrations.CreateModel(name="Thing", fields=[("id", models.AutoField(primary_key=True)), '
            '("a", models.IntegerField(default=0)), ("b", models.IntegerField(default=0)), '
            '("c", models.IntegerField(default=0))])'
        )
        roots[app] = m
    for i in range(rng.randint(3, 12)):
        app = rng.choice(APPS)
        m = new(app, rng.choice(["alpha", "beta", "gamma", "delta", "eps"]) + str(i))
        earlier = [x for x in migrations[:-1] if x["app"] == app]
        # Mostly a straight line (the app's latest), sometimes a branch or a merge.
        roll = rng.random()
        if roll < 0.8:
            parents = [earlier[-1]]
        elif roll < 0.9:
            parents = [rng.choice(earlier)]
        else:
            parents = rng.sample(earlier, min(len(earlier), 2))
        # A migration may depend on no migration of its app only when another dependency
        # orders it after the app's model exists (here: never), so always at least one.
        m["deps"] += ['("%s", "%s")' % (p["app"], p["name"]) for p in parents]
        if rng.random() < 0.25:
            other = [x for x in migrations[:-1] if x["app"] != app]
            p = rng.choice(other)
            m["deps"].append('("%s", "%s")' % (p["app"], p["name"]))
            m["cross"] = True
        if rng.random() < 0.1:
            m["deps"].append('("%s", "__first__")' % rng.choice([a for a in APPS if a != app]))
            m["cross"] = True
        if rng.random() < 0.1 and app != "app_c":
            m["deps"].append("migrations.swappable_dependency(settings.AUTH_USER_MODEL)")
            m["cross"] = True
        if rng.random() < 0.015:
            m["deps"].append('("%s", "0099_gone")' % rng.choice(APPS))
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            m["ops"].append(operation(rng, app))
    # run_before points forward in the global order, so it never makes a cycle.
    for idx, m in enumerate(migrations):
        if rng.random() < 0.12 and idx + 1 < len(migrations):
            target = rng.choice(migrations[idx + 1 :])
            m["run_before"].append('("%s", "%s")' % (target["app"], target["name"]))
            target["target_of_run_before"] = True
            if target["app"] != m["app"]:
                m["cross"] = True
    # Squash a prefix of one app (members without cross-app edges, so no cycle appears).
    if rng.random() < 0.35:
        app = rng.choice(APPS)
        own = [x for x in migrations if x["app"] == app]
        k = rng.randint(2, max(2, len(own)))
        prefix = own[:k]
        if len(prefix) >= 2 and not any(x["cross"] or x["target_of_run_before"] for x in prefix):
            names = {x["name"] for x in prefix}
            deps = []
            for x in prefix:
                for d in x["deps"]:
                    if not any('"%s"' % n in d for n in names) and d not in deps:
                        deps.append(d)
            squash = {
                "app": app,
                "name": "%s_squashed_%s" % (prefix[0]["name"], prefix[-1]["name"]),
                "deps": deps,
                "run_before": [r for x in prefix for r in x["run_before"]],
                "replaces": ['("%s", "%s")' % (app, x["name"]) for x in prefix],
                "ops": [o for x in prefix for o in x["ops"]],
                "cross": False,
                "target_of_run_before": False,
            }
            migrations.append(squash)
            # After squashing, projects often delete the replaced files.
            if rng.random() < 0.5:
                for x in prefix:
                    migrations.remove(x)
    return migrations


def operation(rng, app):
    table = "%s_thing" % app
    field = rng.choice(["a", "b", "c"])
    kind = rng.random()
    if kind < 0.4:
        return 'migrations.AddIndex(model_name="thing", index=models.Index(fields=["%s"], name="%s"))' % (
            field,
            rng.choice(INDEX_NAMES),
        )
    if kind < 0.5:
        return 'migrations.AddConstraint(model_name="thing", constraint=models.UniqueConstraint(fields=["%s"], name="%s"))' % (
            field,
            rng.choice(INDEX_NAMES),
        )
    if kind < 0.6:
        return 'migrations.AddConstraint(model_name="thing", constraint=models.CheckConstraint(condition=models.Q(%s__gte=0), name="%s"))' % (
            field,
            rng.choice(CHECK_NAMES),
        )
    if kind < 0.75:
        return 'migrations.RunSQL("CREATE INDEX %s ON %s (%s)", migrations.RunSQL.noop)' % (
            rng.choice(INDEX_NAMES),
            table,
            field,
        )
    if kind < 0.9:
        return 'migrations.RunSQL("DROP INDEX IF EXISTS %s", migrations.RunSQL.noop)' % rng.choice(
            INDEX_NAMES
        )
    return 'migrations.RunSQL("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", migrations.RunSQL.noop)' % (
        table,
        rng.choice(CHECK_NAMES + INDEX_NAMES),
    )


def write_django(case_dir, migrations):
    write(os.path.join(case_dir, ".ebextensions", "01_django.config"), MIGRATE_CONFIG)
    write(os.path.join(case_dir, "settings.py"), 'AUTH_USER_MODEL = "app_c.User"\n')
    for app in APPS:
        write(os.path.join(case_dir, app, "__init__.py"), "")
        write(os.path.join(case_dir, app, "migrations", "__init__.py"), "")
    for m in migrations:
        body = textwrap.dedent(
            """\
            from django.conf import settings
            from django.db import migrations, models


            class Migration(migrations.Migration):
                replaces = [{replaces}]

                dependencies = [{deps}]

                run_before = [{run_before}]

                operations = [
            {ops}
                ]
            """
        ).format(
            replaces=", ".join(m["replaces"]),
            deps=", ".join(m["deps"]),
            run_before=", ".join(m["run_before"]),
            ops="".join("        %s,\n" % o for o in m["ops"]),
        )
        write(os.path.join(case_dir, m["app"], "migrations", m["name"] + ".py"), body)


def django_setup(stub_dir, db):
    import django
    from django.conf import settings

    for app in APPS:
        write(os.path.join(stub_dir, app, "__init__.py"), "")
    sys.path.insert(0, stub_dir)
    settings.configure(
        INSTALLED_APPS=APPS,
        DATABASES={"default": db},
        AUTH_USER_MODEL="app_c.User",
        USE_TZ=True,
    )
    django.setup()


def point_apps_at(case_dir):
    """Makes the installed apps import from `case_dir`, forgetting earlier cases' modules."""
    import importlib

    for name in list(sys.modules):
        if any(name == a + ".migrations" or name.startswith(a + ".migrations.") for a in APPS):
            del sys.modules[name]
    for app in APPS:
        sys.modules[app].__path__ = [os.path.join(case_dir, app)]
    importlib.invalidate_caches()


def django_oracle(case_dir, run_migrate):
    from django.db import connection
    from django.db.migrations.exceptions import NodeNotFoundError
    from django.db.migrations.loader import MigrationLoader

    point_apps_at(case_dir)
    out = {"conflicts": {}, "missing": None, "error": None, "migrate": None}
    try:
        loader = MigrationLoader(None, ignore_no_migrations=True)
    except NodeNotFoundError as e:
        out["missing"] = list(e.node)
        return out
    except Exception as e:  # a case this generator should not make
        out["error"] = "%s: %s" % (type(e).__name__, e)
        return out
    out["conflicts"] = loader.detect_conflicts()
    if out["conflicts"] or not run_migrate:
        return out
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    point_apps_at(case_dir)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        out["migrate"] = {"ok": True}
    except Exception as e:
        out["migrate"] = {"ok": False, "message": str(e).strip().splitlines()[0]}
    return out


# ---------------------------------------------------------------------------------------------
# Alembic


def alembic_case(rng):
    ids = []
    revisions = []
    for i in range(rng.randint(1, 10)):
        rid = "%012x" % rng.getrandbits(48)
        if not ids or rng.random() < 0.05:
            down = None
        elif rng.random() < 0.2 and len(ids) >= 2:
            down = tuple(rng.sample(ids, 2))
        else:
            down = rng.choice(ids)
        if rng.random() < 0.04:
            down = "%012x" % rng.getrandbits(48)  # names nothing
        depends = rng.choice(ids) if ids and rng.random() < 0.15 else None
        revisions.append((rid, down, depends))
        ids.append(rid)
    return revisions


def write_alembic(case_dir, revisions):
    write(os.path.join(case_dir, ".ebextensions", "01_flask.config"), FLASK_CONFIG)
    write(os.path.join(case_dir, "migrations", "env.py"), "from alembic import context\n")
    for rid, down, depends in revisions:
        write(
            os.path.join(case_dir, "migrations", "versions", rid + "_rev.py"),
            'revision = "%s"\ndown_revision = %r\nbranch_labels = None\ndepends_on = %r\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n" % (rid, down, depends),
        )


def alembic_oracle(case_dir):
    import warnings

    from alembic.script import ScriptDirectory

    warnings.simplefilter("ignore")
    script = ScriptDirectory(os.path.join(case_dir, "migrations"))
    try:
        return {"heads": sorted(script.get_heads()), "error": None}
    except Exception as e:
        return {"heads": None, "error": "%s: %s" % (type(e).__name__, e)}


# ---------------------------------------------------------------------------------------------


def main():
    out_dir, first_seed, n_django, n_alembic, pg_url = sys.argv[1:6]
    first_seed, n_django, n_alembic = int(first_seed), int(n_django), int(n_alembic)
    url = urllib.parse.urlparse(pg_url)
    db_name = "ebguard_graph_oracle_%d" % os.getpid()
    admin = dict(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=urllib.parse.unquote(url.username or "postgres"),
        password=urllib.parse.unquote(url.password or ""),
        dbname=(url.path or "/postgres").lstrip("/") or "postgres",
    )
    import psycopg

    with psycopg.connect(autocommit=True, **admin) as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s"' % db_name)
        conn.execute('CREATE DATABASE "%s"' % db_name)
    try:
        django_setup(
            os.path.join(out_dir, "_stub"),
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": db_name,
                "USER": admin["user"],
                "PASSWORD": admin["password"],
                "HOST": admin["host"],
                "PORT": str(admin["port"]),
            },
        )
        for seed in range(first_seed, first_seed + n_django):
            case = os.path.join(out_dir, "django-%d" % seed)
            rng = random.Random(seed)
            write_django(case, django_case(rng))
            expected = django_oracle(case, run_migrate=True)
            expected["seed"] = seed
            write(os.path.join(case, "expected.json"), json.dumps(expected))
        for seed in range(first_seed, first_seed + n_alembic):
            case = os.path.join(out_dir, "alembic-%d" % seed)
            write_alembic(case, alembic_case(random.Random(seed)))
            expected = alembic_oracle(case)
            expected["seed"] = seed
            write(os.path.join(case, "expected.json"), json.dumps(expected))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(autocommit=True, **admin) as conn:
            conn.execute('DROP DATABASE IF EXISTS "%s"' % db_name)


if __name__ == "__main__":
    main()
