//! Matching an unwrapped argv against the migration spellings of each tool
//! (eb-facts.md §8, table "Recognising a migration command").

use super::wrappers::base_name;

/// Tool name for `npm run migrate`-style indirection through a package.json script.
pub(crate) const PACKAGE_SCRIPT: &str = "package.json script";
/// Tool name for `make migrate`, the same indirection through a Makefile.
const MAKE_TARGET: &str = "make target";

/// The tool whose migrations `argv` applies, if any. `argv[0]` is the program after
/// unwrapping; `via_script` says it names a package.json script (`npm run X`).
pub(crate) fn recognise(argv: &[String], via_script: bool) -> Option<&'static str> {
    let (first, args) = argv.split_first()?;
    let program = program_name(first);
    let cmd = Cmd::new(args);
    let tool = match program {
        // `python manage.py db upgrade` is Flask-Script's manager, not Django's.
        "manage.py" => (cmd.django().then_some("Django")).or_else(|| flask_script(&cmd)),
        "django-admin" | "django-admin.py" | "django" => cmd.django().then_some("Django"),
        "rake" | "rails" => cmd.any(is_rails_task).then_some("Rails"),
        "artisan" => cmd.laravel().then_some("Laravel"),
        // `python -m alembic.config` is the spelling older Alembic docs used.
        "alembic" | "alembic.config" => {
            (cmd.any(|w| w == "upgrade") && !cmd.has("--sql")).then_some("Alembic")
        }
        "flask" => (cmd.seq(&["db", "upgrade"]) && !cmd.has("--sql")).then_some("Flask-Migrate"),
        "prisma" => cmd.prisma().then_some("Prisma"),
        "knex" => cmd
            .any(|w| w == "migrate:latest" || w == "migrate:up")
            .then_some("Knex"),
        "sequelize" | "sequelize-cli" => cmd.any(|w| w == "db:migrate").then_some("Sequelize"),
        // `schema:sync` applies the entity schema directly, like `prisma db push`.
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm" => cmd
            .any(|w| matches!(w, "migration:run" | "migrations:run" | "schema:sync"))
            .then_some("TypeORM"),
        "console" => cmd.doctrine_console().then_some("Doctrine"),
        "doctrine-migrations" => cmd
            .any(|w| w == "migrate" || w == "migrations:migrate")
            .then_some("Doctrine"),
        "phinx" => cmd.any(|w| w == "migrate").then_some("Phinx"),
        "mix" => cmd
            .any(|w| {
                matches!(
                    w.trim_end_matches(','),
                    "ecto.migrate" | "ecto.setup" | "ecto.reset"
                )
            })
            .then_some("Ecto"),
        "dotnet" => cmd.seq(&["ef", "database", "update"]).then_some("EF Core"),
        "dotnet-ef" => cmd.seq(&["database", "update"]).then_some("EF Core"),
        // A migration bundle (`dotnet ef migrations bundle`) applies on run;
        // `Update-Database` is the Package Manager Console spelling.
        "efbundle" | "Update-Database" => Some("EF Core"),
        "flyway" | "flyway.cmd" => cmd.any(|w| w == "migrate").then_some("Flyway"),
        "liquibase" => cmd.any(is_liquibase_update).then_some("Liquibase"),
        // `migrate` is too generic a word to trust when it names a package.json script.
        // Only the binary itself: `node migrate.js up` is some script's own CLI.
        "migrate" if !via_script && base_name(first) == "migrate" => cmd
            .any(|w| w == "up" || w == "goto")
            .then_some("golang-migrate"),
        "goose" => cmd
            .any(|w| matches!(w, "up" | "up-by-one" | "up-to"))
            .then_some("goose"),
        "dbmate" => cmd.any(|w| w == "up" || w == "migrate").then_some("dbmate"),
        "sqlx" => cmd.seq(&["migrate", "run"]).then_some("SQLx"),
        "cargo" => cmd.seq(&["sqlx", "migrate", "run"]).then_some("SQLx"),
        "make" | "gmake" => cmd
            .any(|w| !w.contains('=') && is_migration_script(w))
            .then_some(MAKE_TARGET),
        "diesel" => (cmd.seq(&["migration", "run"])
            || cmd.seq(&["database", "setup"])
            || cmd.seq(&["database", "reset"]))
        .then_some("Diesel"),
        _ if program.ends_with(".py") => flask_script(&cmd),
        _ => None,
    };
    tool.or_else(|| ecto_release(first, &cmd))
        .or_else(|| (via_script && is_migration_script(program)).then_some(PACKAGE_SCRIPT))
}

/// The name a program is matched by: the last path component, except that a
/// generic entry file takes its package's name (`node_modules/typeorm/cli.js`,
/// `node_modules/knex/bin/cli.js`, `node_modules/prisma/build/index.js`), and
/// `.js`/`.ts` endings are dropped (`knex.js`).
fn program_name(word: &str) -> &str {
    let base = base_name(word);
    let stem = [".js", ".cjs", ".mjs", ".ts"]
        .iter()
        .find_map(|ext| base.strip_suffix(ext))
        .unwrap_or(base);
    if !matches!(stem, "cli" | "index" | "main") {
        return stem;
    }
    let package = word
        .rsplit('/')
        .skip(1)
        .find(|dir| !matches!(*dir, "bin" | "build" | "dist" | "lib" | "src" | ""));
    package.unwrap_or(stem)
}

/// The arguments after the program, with helpers over the positional ones.
struct Cmd<'a> {
    args: &'a [String],
    /// Words that are not options (`-x`, `--x`, `--`); option values stay in, which
    /// is harmless for "is this subcommand present" tests.
    positional: Vec<&'a str>,
}

impl<'a> Cmd<'a> {
    fn new(args: &'a [String]) -> Self {
        let positional = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        Cmd { args, positional }
    }

    fn any(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.positional.iter().any(|w| pred(w))
    }

    /// The positional words contain `words` in a row (`db upgrade`, `ef database update`).
    fn seq(&self, words: &[&str]) -> bool {
        self.positional.windows(words.len()).any(|w| w == words)
    }

    /// Has option `flag`, alone or as `flag=value`.
    fn has(&self, flag: &str) -> bool {
        self.args
            .iter()
            .any(|a| a == flag || a.strip_prefix(flag).is_some_and(|v| v.starts_with('=')))
    }

    fn first(&self) -> Option<&str> {
        self.positional.first().copied()
    }

    /// `migrate` applies, unless `--check` (exits non-zero on unapplied migrations)
    /// or `--plan` (prints the plan) asks it only to look. `syncdb` is the pre-1.7
    /// spelling; `migrate_schemas` is django-tenants' migrate for every schema.
    fn django(&self) -> bool {
        matches!(self.first(), Some("migrate" | "syncdb" | "migrate_schemas"))
            && !self.has("--check")
            && !self.has("--plan")
    }

    /// `migrate` and the destructive `migrate:fresh|refresh|reset`, which rebuild
    /// the schema (eb-facts.md addenda: seen running on every deployment), unless
    /// `--pretend` only prints the SQL. `migrate:install` is not counted: it only
    /// creates the bookkeeping table, applies no migration, and `migrate` creates
    /// that table itself, so a script that goes on to migrate is reported there.
    /// `migrate:status` and `make:migration` only read or generate.
    fn laravel(&self) -> bool {
        matches!(
            self.first(),
            Some("migrate" | "migrate:fresh" | "migrate:refresh" | "migrate:reset")
        ) && !self.has("--pretend")
    }

    /// `migrate deploy` (production), `migrate dev|reset` and `db push`, which all
    /// change the schema; `migrate dev --create-only` only writes a migration file.
    fn prisma(&self) -> bool {
        (self.seq(&["migrate", "deploy"])
            || self.seq(&["migrate", "reset"])
            || self.seq(&["db", "push"]))
            || (self.seq(&["migrate", "dev"]) && !self.has("--create-only"))
    }

    /// Symfony's `bin/console doctrine:migrations:migrate`, also abbreviated
    /// (`d:m:m`, which Symfony accepts for unambiguous prefixes), and
    /// `doctrine:schema:update --force` / `doctrine:schema:create`, which apply the
    /// mapping to the database directly.
    fn doctrine_console(&self) -> bool {
        self.any(|w| is_abbreviation(w, &["doctrine", "migrations", "migrate"]))
            || self.any(|w| w == "doctrine:schema:create")
            || (self.any(|w| w == "doctrine:schema:update") && self.has("--force"))
    }
}

/// Flask-Script / Flask-Migrate's `MigrateCommand` on a manager script
/// (`python manage.py db upgrade`, `python app.py db upgrade`): `db upgrade` applies
/// migrations; `db migrate` only generates them, like `makemigrations`.
fn flask_script(cmd: &Cmd) -> Option<&'static str> {
    (cmd.first() == Some("db") && cmd.positional.get(1) == Some(&"upgrade") && !cmd.has("--sql"))
        .then_some("Flask-Migrate")
}

/// Each `:`-separated part of `word` is a non-empty prefix of the matching part of `full`.
fn is_abbreviation(word: &str, full: &[&str]) -> bool {
    let parts: Vec<&str> = word.split(':').collect();
    parts.len() == full.len()
        && parts
            .iter()
            .zip(full)
            .all(|(p, f)| !p.is_empty() && f.starts_with(p))
}

/// `db:migrate` (also per database, `db:migrate:primary`, and `:up`/`:redo`/`:reset`),
/// `db:prepare`, `db:setup`, `db:schema:load`, `db:structure:load` (schema-changing,
/// eb-facts.md §8) and the destructive `db:reset`; not `db:migrate:status|down`.
fn is_rails_task(task: &str) -> bool {
    if let Some(rest) = task.strip_prefix("db:migrate") {
        return rest.is_empty() || (rest.starts_with(':') && !matches!(rest, ":status" | ":down"));
    }
    [
        "db:prepare",
        "db:setup",
        "db:schema:load",
        "db:structure:load",
        "db:reset",
    ]
    .iter()
    .any(|t| {
        task.strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    })
}

/// `update`, `update-count`, `update-to-tag`, `updateCount`, `update-testing-rollback`,
/// but not `update-sql` / `updateSQL`, which only print the SQL.
fn is_liquibase_update(command: &str) -> bool {
    let lower = command.to_ascii_lowercase();
    lower.starts_with("update") && !lower.ends_with("sql")
}

/// An Elixir release run without mix: `bin/app eval "App.Release.migrate"`,
/// `bin/app rpc "…migrate…"`, or distillery's `bin/app command Mod migrate`.
/// Only for programs given by path, since `eval`/`command` as plain words are
/// shell builtins handled as wrappers.
fn ecto_release(program: &str, cmd: &Cmd) -> Option<&'static str> {
    if !program.contains('/') {
        return None;
    }
    let mentions = |w: &&str| w.to_ascii_lowercase().contains("migrat");
    let applies = match cmd.first() {
        Some("eval" | "rpc") => cmd.positional.get(1).is_some_and(mentions),
        Some("command") => cmd.positional.iter().skip(1).any(mentions),
        _ => false,
    };
    applies.then_some("Ecto")
}

/// A package.json script or Makefile target whose name says it migrates (`migrate`, `db:migrate`,
/// `migration:run`), excluding names that say it only inspects, generates or
/// reverts (`migrate:status`, `migration:generate`, `migration:create`).
pub(crate) fn is_migration_script(name: &str) -> bool {
    const NOT_APPLYING: &[&str] = &[
        "status", "generate", "create", "make", "new", "revert", "rollback", "undo", "down",
        "list", "show", "check", "diff", "help", "test",
    ];
    let lower = name.to_ascii_lowercase();
    lower.contains("migrat") && !NOT_APPLYING.iter().any(|w| lower.contains(w))
}

/// Programs whose arguments are data, not a command to run: printing, reading,
/// searching and file bookkeeping.
pub(crate) fn handles_data(program: &str) -> bool {
    const DATA: &[&str] = &[
        "echo", "printf", "cat", "grep", "egrep", "fgrep", "ls", "chmod", "chown", "cp", "mv",
        "rm", "ln", "touch", "mkdir", "tee", "sed", "awk", "head", "tail", "test", "[", "[[",
        "which", "type", "stat", "file", "wc", "diff", "dos2unix", "install",
    ];
    DATA.contains(&base_name(program))
}
