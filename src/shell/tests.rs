use std::time::{Duration, Instant};

use super::*;

/// The tools `script` is reported to migrate with, in order.
fn tools_in(script: &str) -> Vec<&'static str> {
    find_migrations(script)
        .into_iter()
        .map(|c| c.tool)
        .collect()
}

/// Runs each named row; collects every failing row so one run names them all.
fn check_rows(rows: &[(&str, &str, Option<&str>)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|&(name, script, want)| {
            let got = tools_in(script);
            let want: Vec<&str> = want.into_iter().collect();
            (got != want).then(|| format!("{name}: `{script}` gave {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
#[rustfmt::skip]
fn tool_spellings_that_apply_migrations() {
    check_rows(&[
        ("django manage.py", "python manage.py migrate", Some("Django")),
        ("django noinput", "python3 manage.py migrate --noinput", Some("Django")),
        ("django path to manage.py", "python /var/app/current/manage.py migrate --no-input", Some("Django")),
        ("django executable manage.py", "./manage.py migrate --database=replica", Some("Django")),
        ("django -m django", "python -m django migrate", Some("Django")),
        ("django-admin", "django-admin migrate", Some("Django")),
        ("django-admin.py", "django-admin.py migrate --settings=mysite.settings", Some("Django")),
        ("django syncdb", "python manage.py syncdb --noinput", Some("Django")),
        ("django-tenants", "python manage.py migrate_schemas --shared", Some("Django")),
        ("rails rake", "rake db:migrate", Some("Rails")),
        ("rails rails", "rails db:migrate RAILS_ENV=production", Some("Rails")),
        ("rails bin/rails prepare", "bin/rails db:prepare", Some("Rails")),
        ("rails setup", "bundle exec rake db:setup", Some("Rails")),
        ("rails schema load", "bin/rails db:schema:load", Some("Rails")),
        ("rails reset", "rake db:reset", Some("Rails")),
        ("rails multi-db", "bin/rails db:migrate:primary", Some("Rails")),
        ("rails after create", "rake db:create db:migrate", Some("Rails")),
        ("laravel", "php artisan migrate --force", Some("Laravel")),
        ("laravel fresh", "php artisan migrate:fresh --seed", Some("Laravel")),
        ("laravel refresh", "php artisan migrate:refresh", Some("Laravel")),
        ("laravel reset", "php artisan migrate:reset --force", Some("Laravel")),
        ("laravel versioned php", "/usr/bin/php8.2 artisan migrate --force", Some("Laravel")),
        ("laravel php options", "php -d memory_limit=-1 artisan migrate --force", Some("Laravel")),
        ("alembic", "alembic upgrade head", Some("Alembic")),
        ("alembic config", "alembic -c /etc/alembic.ini upgrade +1", Some("Alembic")),
        ("alembic module", "python -m alembic upgrade head", Some("Alembic")),
        ("alembic.config module", "python -m alembic.config upgrade head", Some("Alembic")),
        ("flask-migrate", "flask db upgrade", Some("Flask-Migrate")),
        ("flask-migrate app", "flask --app app db upgrade", Some("Flask-Migrate")),
        ("prisma deploy", "npx prisma migrate deploy", Some("Prisma")),
        ("prisma dev", "prisma migrate dev", Some("Prisma")),
        ("prisma reset", "prisma migrate reset --force", Some("Prisma")),
        ("prisma db push", "npx --yes prisma db push --accept-data-loss", Some("Prisma")),
        ("knex latest", "knex migrate:latest", Some("Knex")),
        ("knex up", "npx knex --knexfile knexfile.js migrate:up", Some("Knex")),
        ("knex bin", "node_modules/.bin/knex migrate:latest --env production", Some("Knex")),
        ("knex cli.js", "node node_modules/knex/bin/cli.js migrate:latest", Some("Knex")),
        ("sequelize", "sequelize db:migrate", Some("Sequelize")),
        ("sequelize-cli", "npx sequelize-cli db:migrate --env production", Some("Sequelize")),
        ("typeorm", "typeorm migration:run -d dist/data-source.js", Some("TypeORM")),
        ("typeorm commonjs", "npx typeorm-ts-node-commonjs migration:run -d src/data-source.ts", Some("TypeORM")),
        ("typeorm esm", "typeorm-ts-node-esm migration:run", Some("TypeORM")),
        ("typeorm old alias", "typeorm migrations:run", Some("TypeORM")),
        ("typeorm cli.js", "node ./node_modules/typeorm/cli.js migration:run", Some("TypeORM")),
        ("typeorm ts-node", "ts-node -r tsconfig-paths/register ./node_modules/typeorm/cli.js migration:run", Some("TypeORM")),
        ("doctrine", "php bin/console doctrine:migrations:migrate --no-interaction", Some("Doctrine")),
        ("doctrine abbreviated", "bin/console d:m:m -n", Some("Doctrine")),
        ("doctrine standalone", "vendor/bin/doctrine-migrations migrate", Some("Doctrine")),
        ("doctrine schema update", "php bin/console doctrine:schema:update --force", Some("Doctrine")),
        ("phinx", "vendor/bin/phinx migrate -e production", Some("Phinx")),
        ("ecto", "mix ecto.migrate", Some("Ecto")),
        ("ecto env", "MIX_ENV=prod mix ecto.migrate", Some("Ecto")),
        ("ecto do", "mix do ecto.create, ecto.migrate", Some("Ecto")),
        ("ecto release eval", "_build/prod/rel/my_app/bin/my_app eval \"MyApp.Release.migrate\"", Some("Ecto")),
        ("ecto release bin", "bin/my_app eval 'MyApp.Release.migrate()'", Some("Ecto")),
        ("ef core", "dotnet ef database update", Some("EF Core")),
        ("ef core migration", "dotnet ef database update AddUsers --connection \"$CONN\"", Some("EF Core")),
        ("ef core bundle", "./efbundle --connection \"$CONN\"", Some("EF Core")),
        ("flyway", "flyway migrate", Some("Flyway")),
        ("flyway options", "flyway -url=jdbc:postgresql://db/app -user=app migrate", Some("Flyway")),
        ("flyway docker", "docker run --rm -v $PWD/sql:/flyway/sql flyway/flyway:10 -url=$URL migrate", Some("Flyway")),
        ("liquibase", "liquibase --changelog-file=db.xml update", Some("Liquibase")),
        ("liquibase legacy", "liquibase --changeLogFile=db.xml updateCount 3", Some("Liquibase")),
        ("golang-migrate up", "migrate -path db/migrations -database \"$DATABASE_URL\" up", Some("golang-migrate")),
        ("golang-migrate goto", "migrate -source file://m -database $DB goto 5", Some("golang-migrate")),
        ("goose up", "goose -dir migrations postgres \"$DSN\" up", Some("goose")),
        ("goose up-to", "goose postgres \"$DSN\" up-to 20240101", Some("goose")),
        ("goose up-by-one", "goose up-by-one", Some("goose")),
        ("dbmate up", "dbmate up", Some("dbmate")),
        ("dbmate migrate", "dbmate --url \"$DATABASE_URL\" migrate", Some("dbmate")),
        ("sqlx", "sqlx migrate run", Some("SQLx")),
        ("cargo sqlx", "cargo sqlx migrate run", Some("SQLx")),
        ("diesel", "diesel migration run", Some("Diesel")),
        ("make migrate", "make -C /var/app/current migrate ENV=prod", Some("make target")),
        ("npm run migrate", "npm run migrate", Some("package.json script")),
        ("npm run migration:run", "npm run migration:run", Some("package.json script")),
        ("npm run db:migrate", "npm run db:migrate", Some("package.json script")),
        ("npm --prefix", "npm --prefix api run migrate", Some("package.json script")),
        ("yarn migrate", "yarn migrate", Some("package.json script")),
        ("yarn run migrate", "yarn run migrate", Some("package.json script")),
        ("pnpm migrate", "pnpm run migrate", Some("package.json script")),
        ("npm script to typeorm", "npm run typeorm -- migration:run -d dist/ds.js", Some("TypeORM")),
        ("yarn bin", "yarn sequelize db:migrate", Some("Sequelize")),
        ("pnpm exec", "pnpm exec prisma migrate deploy", Some("Prisma")),
        ("pnpm dlx", "pnpm dlx prisma migrate deploy", Some("Prisma")),
    ]);
}

#[test]
#[rustfmt::skip]
fn tool_spellings_that_do_not_apply_migrations() {
    check_rows(&[
        ("django collectstatic", "python manage.py collectstatic --noinput", None),
        ("django showmigrations", "python manage.py showmigrations", None),
        ("django makemigrations", "python manage.py makemigrations", None),
        ("django makemigrations check", "python manage.py makemigrations --check --dry-run", None),
        ("django migrate check", "python manage.py migrate --check", None),
        ("django migrate plan", "python manage.py migrate --plan", None),
        ("django-admin other", "django-admin check --deploy", None),
        ("rails status", "bin/rails db:migrate:status", None),
        ("rails seed", "rake db:seed", None),
        ("rails assets", "bundle exec rake assets:precompile", None),
        ("laravel status", "php artisan migrate:status", None),
        ("laravel install", "php artisan migrate:install", None),
        ("laravel pretend", "php artisan migrate --pretend", None),
        ("laravel make", "php artisan make:migration create_users", None),
        ("alembic history", "alembic history", None),
        ("alembic current", "alembic current", None),
        ("alembic revision", "alembic revision --autogenerate -m add", None),
        ("alembic offline", "alembic upgrade head --sql", None),
        ("flask db migrate", "flask db migrate -m init", None),
        ("prisma generate", "npx prisma generate", None),
        ("prisma create-only", "prisma migrate dev --create-only", None),
        ("prisma status", "prisma migrate status", None),
        ("knex make", "knex migrate:make add_users", None),
        ("knex rollback", "knex migrate:rollback", None),
        ("sequelize status", "npx sequelize-cli db:migrate:status", None),
        ("sequelize undo", "sequelize db:migrate:undo", None),
        ("typeorm generate", "typeorm migration:generate src/m", None),
        ("typeorm create", "typeorm migration:create src/m", None),
        ("doctrine status", "bin/console doctrine:migrations:status", None),
        ("doctrine diff", "bin/console doctrine:migrations:diff", None),
        ("doctrine schema dump", "bin/console doctrine:schema:update --dump-sql", None),
        ("phinx status", "vendor/bin/phinx status", None),
        ("ecto gen", "mix ecto.gen.migration add_users", None),
        ("ecto release other", "bin/my_app eval 'MyApp.Release.seed'", None),
        ("ef core list", "dotnet ef migrations list", None),
        ("ef core add", "dotnet ef migrations add Init", None),
        ("flyway info", "flyway info", None),
        ("liquibase status", "liquibase status", None),
        ("liquibase update-sql", "liquibase update-sql", None),
        ("golang-migrate down", "migrate -path m -database $DB down 1", None),
        ("golang-migrate version", "migrate -path m -database $DB version", None),
        ("goose status", "goose postgres \"$DSN\" status", None),
        ("dbmate status", "dbmate status", None),
        ("sqlx add", "sqlx migrate add users", None),
        ("diesel generate", "diesel migration generate users", None),
        ("npm migrate status", "npm run migrate:status", None),
        ("npm migration generate", "npm run migration:generate", None),
        ("npm migration create", "npm run migration:create", None),
        ("npm build", "npm run build", None),
        ("make build", "make build MIGRATE=1", None),
        ("make migration status", "make migrate-status", None),
        ("yarn migrate script named migrate up", "yarn migrate:down", None),
    ]);
}

#[test]
#[rustfmt::skip]
fn text_that_is_not_a_migration_command() {
    check_rows(&[
        ("echo double quotes", "echo \"python manage.py migrate\"", None),
        ("echo single quotes", "echo 'running rake db:migrate'", None),
        ("printf", "printf '%s\\n' 'php artisan migrate --force'", None),
        ("echo piped to a file", "echo 'python manage.py migrate' | tee run.sh", None),
        ("echo piped through", "echo 'python manage.py migrate' | grep migrate | bash -c 'cat'", None),
        ("comment", "# python manage.py migrate", None),
        ("trailing comment", "ls # manage.py migrate", None),
        ("pip install", "pip install some-migrate-package", None),
        ("pip install django-migrate", "pip install django-migrate", None),
        ("npm install", "npm install knex-migrate", None),
        ("yarn add", "yarn add knex-migrate", None),
        ("grep", "grep migrate file", None),
        ("cat log", "cat migrate.log", None),
        ("heredoc body", "cat <<EOF > run.sh\npython manage.py migrate\nEOF", None),
        ("quoted heredoc body", "cat > /tmp/x <<'EOF'\nrake db:migrate\nEOF", None),
        ("python -c", "python -c 'import manage; migrate()'", None),
        ("variable assignment", "CMD=\"python manage.py migrate\"", None),
        ("tee", "tee migrate.txt", None),
        ("empty", "", None),
        ("sudo without command", "sudo -l", None),
    ]);
}

#[test]
#[rustfmt::skip]
fn wrappers_are_unwrapped() {
    check_rows(&[
        ("env prefix", "DJANGO_SETTINGS_MODULE=app.settings python manage.py migrate", Some("Django")),
        ("sudo -u", "sudo -u webapp python manage.py migrate", Some("Django")),
        ("sudo -E -H --", "sudo -E -H -u webapp -- php artisan migrate --force", Some("Laravel")),
        ("sudo cluster", "sudo -Eu webapp rake db:migrate", Some("Rails")),
        ("su -c", "su webapp -c 'python manage.py migrate'", Some("Django")),
        ("su - user -c", "su - webapp -c \"cd /var/app/current && rake db:migrate\"", Some("Rails")),
        ("su -s shell", "su -s /bin/bash webapp -c 'alembic upgrade head'", Some("Alembic")),
        ("runuser -u", "runuser -u webapp -- python manage.py migrate", Some("Django")),
        ("runuser -c", "runuser -l webapp -c 'php artisan migrate --force'", Some("Laravel")),
        ("env", "env -i PATH=/usr/bin DJANGO_DEBUG=0 python manage.py migrate", Some("Django")),
        ("env -u", "env -u DEBUG python manage.py migrate", Some("Django")),
        ("exec", "exec python manage.py migrate", Some("Django")),
        ("nohup", "nohup rake db:migrate", Some("Rails")),
        ("nice -n", "nice -n 10 python manage.py migrate", Some("Django")),
        ("timeout", "timeout 600 python manage.py migrate", Some("Django")),
        ("timeout options", "timeout -k 10 --signal=TERM 10m php artisan migrate --force", Some("Laravel")),
        ("time", "time python manage.py migrate", Some("Django")),
        ("bash -c", "bash -c 'python manage.py migrate'", Some("Django")),
        ("sh -c", "sh -c \"rake db:migrate\"", Some("Rails")),
        ("bash -lc", "bash -lc 'alembic upgrade head'", Some("Alembic")),
        ("zsh -ec", "zsh -e -c 'flask db upgrade'", Some("Flask-Migrate")),
        ("nested shells", "sudo -u webapp bash -c \"su webapp -c 'python manage.py migrate'\"", Some("Django")),
        ("eval", "eval \"python manage.py migrate\"", Some("Django")),
        ("docker exec", "docker exec -it -u app web python manage.py migrate", Some("Django")),
        ("docker compose exec", "docker compose exec -T web rake db:migrate", Some("Rails")),
        ("docker-compose run", "docker-compose run --rm web python manage.py migrate", Some("Django")),
        ("bundle exec", "bundle exec rails db:migrate", Some("Rails")),
        ("npx --yes", "npx --yes sequelize-cli db:migrate", Some("Sequelize")),
        ("yarn run bin", "yarn run knex migrate:latest", Some("Knex")),
        ("poetry run", "poetry run python manage.py migrate", Some("Django")),
        ("pipenv run", "pipenv run python manage.py migrate", Some("Django")),
        ("uv run", "uv run --with psycopg python manage.py migrate", Some("Django")),
        ("python -u", "python3 -u manage.py migrate", Some("Django")),
        ("python3.11", "python3.11 manage.py migrate", Some("Django")),
        ("python -m flask", "python -m flask db upgrade", Some("Flask-Migrate")),
        ("venv python", "/var/app/venv/staging-LQM1lest/bin/python manage.py migrate", Some("Django")),
        ("quoted venv python", "\"$VIRTUAL_ENV/bin/python\" manage.py migrate", Some("Django")),
        ("python variable", "$PYTHON manage.py migrate", Some("Django")),
        ("node script", "node node_modules/.bin/sequelize db:migrate", Some("Sequelize")),
        ("ruby", "ruby bin/rails db:migrate", Some("Rails")),
        ("leading ./", "./node_modules/.bin/prisma migrate deploy", Some("Prisma")),
        ("vendor/bin", "vendor/bin/phinx migrate", Some("Phinx")),
        ("flock", "flock /tmp/migrate.lock python manage.py migrate", Some("Django")),
        ("flock options", "flock -w 60 -n /tmp/x php artisan migrate --force", Some("Laravel")),
        ("flock -c", "flock /tmp/x -c 'rake db:migrate'", Some("Rails")),
        ("flock keeps wrapped options", "flock /tmp/l php -c php.ini artisan migrate --force", Some("Laravel")),
        ("heredoc to shell", "sudo -u webapp bash <<'EOF'\ncd /var/app/current\npython manage.py migrate\nEOF", Some("Django")),
        ("heredoc through cat", "cat <<EOF | bash\nrake db:migrate\nEOF", Some("Rails")),
        ("echo piped to shell", "echo \"python manage.py migrate\" | sudo -u webapp bash", Some("Django")),
        ("printf piped to shell", "printf '%s\\n' 'cd /app' 'rake db:migrate' | sh", Some("Rails")),
        ("here-string", "bash <<< \"python manage.py migrate\"", Some("Django")),
        ("su reads heredoc", "su - webapp <<EOF\nphp artisan migrate --force\nEOF", Some("Laravel")),
        ("line continuation", "python manage.py \\\n  migrate \\\n  --noinput", Some("Django")),
        ("command substitution", "OUT=$(python manage.py migrate 2>&1)", Some("Django")),
        ("subshell", "(cd /var/app/staging && rake db:migrate)", Some("Rails")),
        ("pipeline", "python manage.py migrate --noinput | tee /var/log/migrate.log", Some("Django")),
        ("ansi-c quoted payload", "bash -c $'python manage.py migrate'", Some("Django")),
        ("AL1 leader_only", "leader_only python manage.py migrate", Some("Django")),
        ("CRLF line ends", "cd /app\r\npython manage.py migrate\r\n", Some("Django")),
        ("golang-migrate image", "docker run -v $PWD/m:/m migrate/migrate -path=/m -database $DB up", Some("golang-migrate")),
        ("kubectl exec", "kubectl exec -it deploy/web -- python manage.py migrate", Some("Django")),
    ]);
}

#[test]
fn ranges_cover_the_outermost_simple_command() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "list",
            "source /var/app/venv/*/bin/activate && python manage.py migrate --noinput | tee x",
            "python manage.py migrate --noinput",
        ),
        (
            "sudo bash -c",
            "cd /app; sudo -u webapp bash -c \"python manage.py migrate\" > /tmp/log 2>&1",
            "sudo -u webapp bash -c \"python manage.py migrate\"",
        ),
        (
            "ebguard",
            "set -e\n./bin/ebguard migrate --timeout 600 -- php artisan migrate --force\n",
            "./bin/ebguard migrate --timeout 600 -- php artisan migrate --force",
        ),
        (
            "assignment prefix",
            "X=1 DJANGO_SETTINGS_MODULE=s python manage.py migrate\n",
            "X=1 DJANGO_SETTINGS_MODULE=s python manage.py migrate",
        ),
        (
            "multibyte before",
            "echo 'é✓'; rake db:migrate",
            "rake db:migrate",
        ),
    ];
    for &(name, script, want) in cases {
        let calls = find_migrations(script);
        let got: Vec<&str> = calls.iter().map(|c| &script[c.range.clone()]).collect();
        assert_eq!(got, [want], "{name}");
    }
}

#[test]
fn argv_form_ranges_index_the_joined_words() {
    let calls = find_migrations_argv(&["python", "manage.py", "migrate", "--noinput"]);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool, "Django");
    assert_eq!(
        calls[0].range,
        0.."python manage.py migrate --noinput".len()
    );

    // A quoted-looking word is a literal word here: the argv list form has no shell.
    let payload = find_migrations_argv(&["bash", "-c", "rake db:migrate"]);
    assert_eq!(
        payload.iter().map(|c| c.tool).collect::<Vec<_>>(),
        ["Rails"]
    );
    assert_eq!(payload[0].range, 0.."bash -c rake db:migrate".len());

    let guarded = find_migrations_argv(&["ebguard", "migrate", "--", "alembic", "upgrade", "head"]);
    assert_eq!(guarded[0].guard, Guard::EbguardMigrate);

    assert!(find_migrations_argv(&["echo", "python manage.py migrate"]).is_empty());
    assert!(find_migrations_argv(&[]).is_empty());
}

/// The single call in `script`, with the text its range covers.
fn only_call(script: &str) -> (Guard, &str) {
    let calls = find_migrations(script);
    assert_eq!(calls.len(), 1, "{script}: {calls:?}");
    (calls[0].guard, &script[calls[0].range.clone()])
}

#[test]
#[rustfmt::skip]
fn guards() {
    let cases: &[(&str, &str, Guard)] = &[
        ("bare", "python manage.py migrate", Guard::None),
        ("ebguard", "ebguard migrate -- python manage.py migrate", Guard::EbguardMigrate),
        ("ebguard options", "ebguard migrate --lock-timeout 60 -- rake db:migrate", Guard::EbguardMigrate),
        ("ebguard path", "./bin/ebguard migrate -- php artisan migrate --force", Guard::EbguardMigrate),
        ("ebguard dirname", "\"$(dirname \"$0\")/ebguard-x86_64\" migrate -- python manage.py migrate", Guard::EbguardMigrate),
        ("ebguard dirname unquoted", "$(dirname \"$0\")/ebguard-x86_64 migrate -- rake db:migrate", Guard::EbguardMigrate),
        ("ebguard variable unquoted", "$EBGUARD_BIN migrate -- rake db:migrate", Guard::EbguardMigrate),
        ("ebguard without --", "ebguard migrate python manage.py migrate", Guard::EbguardMigrate),
        ("ebguard variable", "\"$EBGUARD\" migrate -- alembic upgrade head", Guard::EbguardMigrate),
        ("ebguard braces", "${EBGUARD} migrate -- flask db upgrade", Guard::EbguardMigrate),
        ("ebguard under sudo", "sudo -E -u webapp ebguard migrate -- python manage.py migrate", Guard::EbguardMigrate),
        ("ebguard in bash -c", "bash -c 'ebguard migrate -- rake db:migrate'", Guard::EbguardMigrate),
        ("ebguard wraps bash -c", "ebguard migrate -- bash -c 'cd /app && rake db:migrate'", Guard::EbguardMigrate),
        ("flock is per instance", "flock /tmp/m.lock python manage.py migrate", Guard::None),
        ("if leader", "if [ \"$EB_IS_COMMAND_LEADER\" = \"true\" ]; then\n  python manage.py migrate\nfi", Guard::LeaderVariable),
        ("if leader with braces", "if [[ \"${EB_IS_COMMAND_LEADER:-false}\" == true ]]; then rake db:migrate; fi", Guard::LeaderVariable),
        ("else branch", "if [ \"$EB_IS_COMMAND_LEADER\" != true ]; then echo skip; else php artisan migrate --force; fi", Guard::LeaderVariable),
        ("and list", "[[ $EB_IS_COMMAND_LEADER == true ]] && python manage.py migrate", Guard::LeaderVariable),
        ("test command", "test \"$EB_IS_COMMAND_LEADER\" = true && alembic upgrade head", Guard::LeaderVariable),
        ("early exit if", "#!/bin/bash\nif [ \"$EB_IS_COMMAND_LEADER\" != \"true\" ]; then\n  exit 0\nfi\ncd /var/app/staging\npython manage.py migrate\n", Guard::LeaderVariable),
        ("early exit or", "[ \"$EB_IS_COMMAND_LEADER\" = true ] || exit 0\nrake db:migrate", Guard::LeaderVariable),
        ("early return in function", "run() {\n  [ \"$EB_IS_COMMAND_LEADER\" = true ] || return 0\n  python manage.py migrate\n}\nrun", Guard::LeaderVariable),
        ("copied variable", "IS_LEADER=$EB_IS_COMMAND_LEADER\nif [ \"$IS_LEADER\" = true ]; then rake db:migrate; fi", Guard::LeaderVariable),
        ("testing function", "is_leader() { [ \"$EB_IS_COMMAND_LEADER\" = true ]; }\nif is_leader; then rake db:migrate; fi", Guard::LeaderVariable),
        ("leader test inside payload", "sudo -u webapp bash -c '[ \"$EB_IS_COMMAND_LEADER\" = true ] && python manage.py migrate'", Guard::LeaderVariable),
        ("case on leader", "case \"$EB_IS_COMMAND_LEADER\" in\n  true) python manage.py migrate ;;\nesac", Guard::LeaderVariable),
        ("early exit with braces", "[[ \"$EB_IS_COMMAND_LEADER\" == true ]] || { echo skip; exit 0; }\nphp artisan migrate --force", Guard::LeaderVariable),
        ("legacy leader_only is no guard", "leader_only rake db:migrate", Guard::None),
        ("ebguard wins over leader", "if [ \"$EB_IS_COMMAND_LEADER\" = true ]; then ebguard migrate -- rake db:migrate; fi", Guard::EbguardMigrate),
        ("test without exit does not gate", "[ \"$EB_IS_COMMAND_LEADER\" = true ] && echo leader\npython manage.py migrate", Guard::None),
        ("other variable", "if [ \"$RUN_MIGRATIONS\" = true ]; then python manage.py migrate; fi", Guard::None),
        ("before the early exit", "python manage.py migrate\n[ \"$EB_IS_COMMAND_LEADER\" = true ] || exit 0", Guard::None),
        ("mentioned in a comment", "# only on $EB_IS_COMMAND_LEADER\n[ -f x ] || exit 0\npython manage.py migrate", Guard::None),
        ("mentioned in single quotes", "echo '$EB_IS_COMMAND_LEADER' || exit 1\nrake db:migrate", Guard::None),
        ("ebguard other subcommand", "ebguard check && rake db:migrate", Guard::None),
    ];
    for &(name, script, want) in cases {
        assert_eq!(only_call(script).0, want, "{name}");
    }
}

#[test]
fn leader_variable_uses_skip_comments_and_single_quotes() {
    let script = "# $EB_IS_COMMAND_LEADER\necho '$EB_IS_COMMAND_LEADER'\nif [ \"$EB_IS_COMMAND_LEADER\" = true ] || [ ${EB_IS_COMMAND_LEADER:-x} ]; then :; fi\necho $EB_IS_COMMAND_LEADER_X";
    let got: Vec<&str> = leader_variable_uses(script)
        .into_iter()
        .map(|r| &script[r])
        .collect();
    assert_eq!(got, ["$EB_IS_COMMAND_LEADER", "${EB_IS_COMMAND_LEADER:-x}"]);
    assert!(leader_variable_uses("").is_empty());
}

#[test]
fn realistic_hooks_and_blocks() {
    let django = "source /var/app/venv/*/bin/activate && cd /var/app/staging && python manage.py migrate --noinput\n";
    assert_eq!(
        only_call(django),
        (Guard::None, "python manage.py migrate --noinput")
    );

    let django_hook = r#"#!/bin/bash
# .platform/hooks/postdeploy/01_migrate.sh
set -euo pipefail
source /var/app/venv/*/bin/activate
cd /var/app/current
if [[ "${EB_IS_COMMAND_LEADER:-}" == "true" ]]; then
    echo "Leader: running python manage.py migrate"
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput
else
    echo "Not the leader, skipping manage.py migrate"
fi
"#;
    assert_eq!(
        only_call(django_hook),
        (Guard::LeaderVariable, "python manage.py migrate --noinput")
    );

    let rails_hook = r#"#!/usr/bin/env bash
set -xe
EB_APP_STAGING_DIR=$(/opt/elasticbeanstalk/bin/get-config platformconfig -k AppStagingDir)
cd "$EB_APP_STAGING_DIR"
if [ "$EB_IS_COMMAND_LEADER" != "true" ]; then
  echo "skipping db:migrate on non-leader"
  exit 0
fi
su -s /bin/bash -c "bundle exec rake db:migrate" webapp
"#;
    let calls = find_migrations(rails_hook);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].tool, "Rails");
    assert_eq!(calls[0].guard, Guard::LeaderVariable);
    assert_eq!(
        &rails_hook[calls[0].range.clone()],
        "su -s /bin/bash -c \"bundle exec rake db:migrate\" webapp"
    );

    let laravel_hook = r#"#!/bin/sh
cd /var/app/staging
php artisan config:cache
php artisan migrate --force
php artisan storage:link
"#;
    assert_eq!(
        only_call(laravel_hook),
        (Guard::None, "php artisan migrate --force")
    );

    let several = "python manage.py migrate\nrake db:migrate && php artisan migrate --force\n";
    assert_eq!(tools_in(several), ["Django", "Rails", "Laravel"]);
}

#[test]
fn user_patterns_match_the_unwrapped_command_line() {
    let recognizer = Recognizer::with_patterns(vec![Regex::new(r"(^|/)migrate\.sh\b").unwrap()]);
    let calls = recognizer
        .find_migrations("sudo -u webapp ./bin/migrate.sh --all\nbash scripts/migrate.sh");
    assert_eq!(
        calls.iter().map(|c| c.tool).collect::<Vec<_>>(),
        ["custom", "custom"]
    );
    assert!(recognizer
        .find_migrations("echo ./bin/migrate.sh")
        .is_empty());
    assert_eq!(
        recognizer.find_migrations("python manage.py migrate")[0].tool,
        "Django"
    );
    let argv = recognizer.find_migrations_argv(&["ebguard", "migrate", "--", "bin/migrate.sh"]);
    assert_eq!(
        (argv[0].tool, argv[0].guard),
        ("custom", Guard::EbguardMigrate)
    );
    assert!(find_migrations("./bin/migrate.sh").is_empty());
}

#[test]
fn junk_input_does_not_panic() {
    let inputs: Vec<String> = vec![
        "\"unterminated python manage.py migrate".into(),
        "'unterminated".into(),
        "if then fi else ;; && || | ( ) { } $( ` <<".into(),
        "bash -c".into(),
        "su -c".into(),
        "sudo".into(),
        "sudo -u".into(),
        "ebguard migrate --".into(),
        "npm run".into(),
        "python -m".into(),
        "docker exec".into(),
        "flock".into(),
        "timeout".into(),
        "\0\u{1}\u{7f}\u{feff}\u{10ffff}".into(),
        "cat <<EOF".into(),
        "${".into(),
        "$((1+".into(),
        (0u8..=255).map(char::from).collect(),
    ];
    for input in &inputs {
        find_migrations(input);
        leader_variable_uses(input);
        find_migrations_argv(&input.split(' ').collect::<Vec<_>>());
    }
    // Recovery keeps the commands before a syntax error.
    assert_eq!(tools_in("rake db:migrate\nif [ x"), ["Rails"]);
}

#[test]
fn deep_nesting_is_bounded() {
    let subst = format!("echo {}x{}", "$(".repeat(10_000), ")".repeat(10_000));
    assert!(find_migrations(&subst).is_empty());
    let open = format!("echo {}", "$(".repeat(10_000));
    assert!(find_migrations(&open).is_empty());
    let ifs = "if true; then ".repeat(5_000);
    assert!(find_migrations(&ifs).is_empty());

    // Payloads nest only so deep (each `eval` is one level); below the cap they
    // are followed.
    let nested = |levels: usize| format!("{}rake db:migrate", "eval ".repeat(levels));
    assert_eq!(tools_in(&nested(MAX_DEPTH)), ["Rails"]);
    assert!(find_migrations(&nested(MAX_DEPTH + 1)).is_empty());
    assert!(find_migrations(&nested(10_000)).is_empty());
    let quoted = "bash -c 'sudo -u webapp sh -c \"su webapp -c \\\"rake db:migrate\\\"\"'";
    assert_eq!(tools_in(quoted), ["Rails"], "{quoted}");
}

#[test]
fn huge_input_returns_quickly() {
    let line = "python manage.py migrate --noinput && echo \"done $X\" # note\n";
    let script = line.repeat(1_000_000 / line.len());
    let start = Instant::now();
    let calls = find_migrations(&script);
    assert_eq!(calls.len(), script.lines().count());
    // Generous for unoptimised test builds; a release build takes well under a second.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );

    let gated = "[ \"$EB_IS_COMMAND_LEADER\" = true ] || exit 0\nIS_LEADER=$EB_IS_COMMAND_LEADER\nrake db:migrate\n";
    let script = gated.repeat(1_000_000 / gated.len());
    let start = Instant::now();
    let calls = find_migrations(&script);
    assert!(calls.iter().all(|c| c.guard == Guard::LeaderVariable));
    assert_eq!(calls.len(), script.len() / gated.len());
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );

    let junk: String = (0..1_000_000u32)
        .map(|i| char::from((i.wrapping_mul(2_654_435_761) >> 24) as u8))
        .collect();
    let start = Instant::now();
    find_migrations(&junk);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
#[rustfmt::skip]
fn docker_variables_flask_script_and_unreachable_code() {
    check_rows(&[
        ("docker run options with values", "docker run --rm -e DJANGO_SETTINGS_MODULE=app.settings -v /a:/b --network host app:latest python manage.py migrate", Some("Django")),
        ("docker run entrypoint", "docker run --rm --entrypoint alembic app:1.2 upgrade head", Some("Alembic")),
        ("docker run entrypoint=", "docker run --entrypoint=alembic -e X=1 app upgrade head", Some("Alembic")),
        ("docker run image only", "docker run -d -p 80:8000 app:latest", None),
        ("docker run -it cluster", "docker run -it --name m app bundle exec rake db:migrate", Some("Rails")),
        ("docker exec env", "docker exec -e RAILS_ENV=production -w /app web bin/rails db:migrate", Some("Rails")),
        ("docker compose -f run", "docker compose -f docker-compose.prod.yml run --rm -e X=1 web python manage.py migrate", Some("Django")),
        ("docker-compose -p exec", "docker-compose -p app exec -T -u app web php artisan migrate --force", Some("Laravel")),
        ("docker compose run entrypoint", "docker compose run --rm --entrypoint 'flask' api db upgrade", Some("Flask-Migrate")),
        ("docker compose up", "docker compose up -d", None),
        ("docker global option", "docker --context prod exec web python manage.py migrate", Some("Django")),
        ("resolved variable", "PY=/var/app/venv/staging-X/bin/python\n\"$PY\" manage.py migrate", Some("Django")),
        ("resolved exported", "export PYTHON=python3\n$PYTHON -m alembic upgrade head", Some("Alembic")),
        ("braced tool variable", "${RAKE} db:migrate", Some("Rails")),
        ("unknown variable as interpreter", "$X manage.py migrate", Some("Django")),
        ("variable with words", "MANAGE=\"python manage.py\"\n$MANAGE migrate --noinput", Some("Django")),
        ("unresolved substitution", "PY=$(command -v python3)\n$PY manage.py migrate", Some("Django")),
        ("variable alone", "$CMD", None),
        ("flask-script upgrade", "python manage.py db upgrade", Some("Flask-Migrate")),
        ("flask-script any file", "python3 run.py db upgrade", Some("Flask-Migrate")),
        ("flask-script migrate only generates", "python manage.py db migrate", None),
        ("node script named migrate", "node migrate.js up", None),
        ("after top-level exit", "echo skip\nexit 0\npython manage.py migrate", None),
        ("after exec", "exec gunicorn app:app\nrake db:migrate", None),
        ("conditional exit", "[ -f /tmp/done ] && exit 0\nrake db:migrate", Some("Rails")),
        ("exit inside if", "if [ -f x ]; then exit 0; fi\nrake db:migrate", Some("Rails")),
        ("exec with redirect only", "exec > /tmp/log 2>&1\nrake db:migrate", Some("Rails")),
    ]);
}

/// Bundle files in memory for the follow tests.
struct MemFiles(Vec<(&'static str, &'static str)>);

impl Files for MemFiles {
    fn text(&self, rel: &str) -> Option<Arc<crate::source::SourceFile>> {
        let (_, text) = self.0.iter().find(|(p, _)| *p == rel)?;
        Some(Arc::new(crate::source::SourceFile::new(
            rel.to_string(),
            text.to_string(),
        )))
    }
    fn shell(&self, rel: &str) -> Option<Arc<Parsed>> {
        Some(Arc::new(parse_script(&self.text(rel)?.text)))
    }
    fn json(&self, rel: &str) -> Option<Arc<crate::yaml::Document>> {
        crate::yaml::parse(&self.text(rel)?.text, crate::yaml::Limits::default())
            .ok()
            .map(Arc::new)
    }
}

fn followed(files: &MemFiles, origin: &Origin, script: &str) -> Vec<(&'static str, Vec<String>)> {
    Recognizer::default()
        .analyse(script, origin, Some(files))
        .migrations
        .into_iter()
        .map(|c| (c.tool, c.via.iter().map(|h| h.path.clone()).collect()))
        .collect()
}

#[test]
fn bundle_scripts_are_followed() {
    let files = MemFiles(vec![
        ("scripts/migrate.sh", "#!/bin/bash\nset -e\nsource /var/app/venv/*/bin/activate\npython manage.py migrate --noinput\n"),
        ("bin/release", "#!/bin/sh\n./scripts/migrate.sh\n"),
        ("deploy/env.sh", "export PY=/var/app/venv/x/bin/python\n"),
        (".platform/hooks/predeploy/lib/run.sh", "php artisan migrate --force\n"),
        ("loop/a.sh", "bash loop/b.sh\n"),
        ("loop/b.sh", "bash loop/a.sh\n"),
        ("package.json", "{\"scripts\": {\"release\": \"prisma migrate deploy && node server.js\", \"premigrate\": \"echo hi\", \"migrate\": \"node tools/migrate.js\", \"build\": \"tsc\", \"db\": \"npm run release\"}}"),
        ("tools/migrate.js", "const { execSync } = require('child_process');\n// execSync('npx knex migrate:rollback')\nexecSync('npx knex migrate:latest', { stdio: 'inherit' });\n"),
        ("composer.json", "{\"scripts\": {\"deploy\": [\"@php artisan config:cache\", \"@migrate\"], \"migrate\": \"@php artisan migrate --force\"}}"),
        ("scripts/guarded.sh", "if [ \"$EB_IS_COMMAND_LEADER\" = true ]; then rake db:migrate; fi\n"),
    ]);
    let root = Origin::root(Some(".platform/hooks/predeploy/01_release.sh"));
    /// A script and the (tool, files followed) it should give.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a [&'a str])]);
    let cases: &[Case] = &[
        (
            "bash scripts/migrate.sh",
            &[("Django", &["scripts/migrate.sh"])],
        ),
        (
            "./bin/release",
            &[("Django", &["bin/release", "scripts/migrate.sh"])],
        ),
        (
            "sh /var/app/current/scripts/migrate.sh",
            &[("Django", &["scripts/migrate.sh"])],
        ),
        (
            ". ./deploy/env.sh && \"$PY\" manage.py migrate",
            &[("Django", &[])],
        ),
        (
            "\"$(dirname \"$0\")/lib/run.sh\"",
            &[("Laravel", &[".platform/hooks/predeploy/lib/run.sh"])],
        ),
        (
            "DIR=$(dirname \"$0\")\nbash \"$DIR/lib/run.sh\"",
            &[("Laravel", &[".platform/hooks/predeploy/lib/run.sh"])],
        ),
        ("bash loop/a.sh", &[]),
        ("bash scripts/missing.sh", &[]),
        ("npm run release", &[("Prisma", &["package.json"])]),
        (
            "npm run db",
            &[("Prisma", &["package.json", "package.json"])],
        ),
        (
            "npm run migrate",
            &[("Knex", &["package.json", "tools/migrate.js"])],
        ),
        ("yarn build", &[]),
        ("node tools/migrate.js", &[("Knex", &["tools/migrate.js"])]),
        ("composer deploy", &[("Laravel", &["composer.json"])]),
        ("composer install", &[]),
    ];
    for &(script, want) in cases {
        let got = followed(&files, &root, script);
        let want: Vec<(&str, Vec<String>)> = want
            .iter()
            .map(|(t, via)| (*t, via.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(got, want, "{script}");
    }
    let guarded = Recognizer::default().analyse("./scripts/guarded.sh", &root, Some(&files));
    assert_eq!(guarded.migrations[0].guard, Guard::LeaderVariable);
    let runs = Recognizer::default().analyse(
        "chmod +x bin/release && ./bin/release\nbash scripts/migrate.sh",
        &root,
        Some(&files),
    );
    assert_eq!(
        runs.runs
            .iter()
            .map(|r| (r.path.as_str(), r.how))
            .collect::<Vec<_>>(),
        [
            ("bin/release", RunHow::Execute),
            ("scripts/migrate.sh", RunHow::Read)
        ]
    );
    assert!(runs.chmods[0].covers("bin/release"));
    // Without the bundle's files, nothing is followed and nothing breaks.
    assert!(find_migrations("bash scripts/migrate.sh").is_empty());
    // `commands:` run outside the bundle: relative paths name nothing of it.
    let outside = Origin {
        file: None,
        cwd: None,
    };
    assert!(followed(&files, &outside, "bash scripts/migrate.sh").is_empty());
}
