//! Questions the EB3xx rules (and the scan before them) ask of the bundle's commands: which
//! frameworks' migrations does it run, and does an Alembic run target `head`?

use super::common::{hook_scripts, migrations, script_migrations};
use super::Settings;
use crate::graph::Frameworks;
use crate::model::{Bundle, Located};
use crate::source::Location;

/// The rules that judge the migration graph: the files are read only when one of them runs.
pub static RULES: &[&super::Rule] = &[
    &super::eb300_django_conflicting_migrations::RULE,
    &super::eb301_django_missing_migration_dependency::RULE,
    &super::eb302_django_duplicate_index_name::RULE,
    &super::eb303_alembic_multiple_heads::RULE,
    &super::eb304_rails_duplicate_migration_version::RULE,
    &super::eb305_laravel_duplicate_migration::RULE,
];

/// Words without which no command can run one of the four frameworks' migrations: a cheap
/// test that spares parsing every command twice (the rules parse them again).
const FRAMEWORK_WORDS: &[&str] = &[
    "manage", "django", "alembic", "flask", "rake", "rails", "artisan",
];

fn might_migrate(text: &str) -> bool {
    FRAMEWORK_WORDS.iter().any(|w| text.contains(w))
}

/// One migration command of the bundle, with its text and where it is.
pub struct Run {
    pub tool: &'static str,
    /// The command as written (the outermost simple command: `sudo ... bash -c "..."`).
    pub text: String,
    pub location: Location,
}

/// Every migration command in `container_commands`, `commands` and hook scripts whose text
/// names one of the four frameworks, as the shell recogniser reads it.
pub fn runs(bundle: &Bundle, settings: &Settings) -> Vec<Run> {
    let mut out = Vec::new();
    for (file, cmd) in bundle.commands() {
        let Some(value) = cmd.value("command") else {
            continue;
        };
        let node = file.node(value);
        let whole = &file.source.text[node.span()];
        if !might_migrate(whole) {
            continue;
        }
        for call in migrations(file, cmd, settings) {
            // For a string command the range indexes the string; for an argv list, the
            // words joined by spaces. Either way the command's whole value is shown.
            let text = match node.as_str() {
                Some(script) => script.get(call.range.clone()).unwrap_or(script).to_string(),
                None => whole.to_string(),
            };
            out.push(Run {
                tool: call.tool,
                text,
                location: file.location(file.node(cmd.key).span()),
            });
        }
    }
    for hook in hook_scripts(bundle) {
        let Some(script) = hook.script() else {
            continue;
        };
        if !might_migrate(script) {
            continue;
        }
        for call in script_migrations(settings, script) {
            out.push(Run {
                tool: call.tool,
                text: script
                    .get(call.range.clone())
                    .unwrap_or_default()
                    .to_string(),
                location: hook.location(call.range),
            });
        }
    }
    out
}

/// The frameworks whose migrations the bundle runs.
pub fn migrating_frameworks(bundle: &Bundle, settings: &Settings) -> Frameworks {
    let mut frameworks = Frameworks::default();
    for run in runs(bundle, settings) {
        frameworks.add_tool(run.tool);
    }
    frameworks
}

/// What an Alembic or Flask-Migrate upgrade targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// `head` (Flask-Migrate's default): fails with "Multiple head revisions are present".
    Head,
    /// `heads`, a revision, `branch@head`, `+1`: applies with several heads.
    Other,
}

/// The target of `alembic upgrade X` / `flask db upgrade [X]` in a command's text.
pub fn upgrade_target(tool: &str, text: &str) -> UpgradeTarget {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '&' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(at) = words.iter().position(|w| *w == "upgrade") else {
        return UpgradeTarget::Other;
    };
    // Options that take a value as the next word (`alembic upgrade`, `flask db upgrade`).
    const WITH_VALUE: &[&str] = &[
        "-x",
        "--x-arg",
        "-d",
        "--directory",
        "--tag",
        "-c",
        "--config",
    ];
    let mut rest = words[at + 1..].iter();
    let target = loop {
        match rest.next() {
            Some(w) if WITH_VALUE.contains(w) => {
                rest.next();
            }
            Some(w) if w.starts_with('-') => {}
            other => break other,
        }
    };
    match target {
        Some(&"head") => UpgradeTarget::Head,
        None if tool == "Flask-Migrate" => UpgradeTarget::Head,
        _ => UpgradeTarget::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_targets() {
        use UpgradeTarget::*;
        assert_eq!(upgrade_target("Alembic", "alembic upgrade head"), Head);
        assert_eq!(
            upgrade_target("Alembic", "sudo -E bash -c 'alembic -c x.ini upgrade head'"),
            Head
        );
        assert_eq!(upgrade_target("Alembic", "alembic upgrade heads"), Other);
        assert_eq!(upgrade_target("Flask-Migrate", "flask db upgrade"), Head);
        assert_eq!(
            upgrade_target("Flask-Migrate", "flask db upgrade -d migrations"),
            Head
        );
        assert_eq!(
            upgrade_target("Flask-Migrate", "flask db upgrade heads"),
            Other
        );
        assert_eq!(
            upgrade_target("Alembic", "alembic upgrade core@head"),
            Other
        );
    }
}
