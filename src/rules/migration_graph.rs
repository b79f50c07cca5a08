//! Questions the EB3xx rules (and the scan before them) ask of the bundle's commands: which
//! frameworks' migrations does it run, and does an Alembic run target `head`?

use super::Settings;
use crate::graph::Frameworks;
use crate::model::{Bundle, Located, MigrationSource};
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

/// One migration command of the bundle, with its text and where it is.
pub struct Run {
    pub tool: &'static str,
    /// The command as written (the outermost simple command: `sudo ... bash -c "..."`), or,
    /// when the command runs a script of the bundle, the command inside that script.
    pub text: String,
    pub location: Location,
}

/// Every migration the bundle's applied commands and its hooks run, as the shell recogniser
/// reads them (following the bundle's own scripts), from the analyses the EB0xx rules cache.
pub fn runs(bundle: &Bundle, settings: &Settings) -> Vec<Run> {
    bundle
        .migration_calls(&settings.recognizer)
        .into_iter()
        .map(|(source, call)| {
            let (text, location) = match &source {
                MigrationSource::Command(file, cmd) => {
                    let node = file.node(cmd.value("command").unwrap_or(cmd.key));
                    let whole = &file.source.text[node.span()];
                    // For a string command the range indexes the string; for an argv list,
                    // the words joined by spaces. Either way the command's whole value is shown.
                    let text = match node.as_str() {
                        Some(script) => script.get(call.range.clone()).unwrap_or(script),
                        None => whole,
                    };
                    (text.to_string(), file.location(file.node(cmd.key).span()))
                }
                MigrationSource::Hook(hook) => (
                    hook.script()
                        .and_then(|s| s.get(call.range.clone()))
                        .unwrap_or_default()
                        .to_string(),
                    hook.location(call.range.clone()),
                ),
            };
            // A migration inside a followed script: its own words say what it targets.
            let text = call
                .via
                .last()
                .and_then(|hop| {
                    let file = bundle.text_of(&hop.path)?;
                    Some(file.text.get(hop.range.clone())?.to_string())
                })
                .unwrap_or(text);
            Run {
                tool: call.tool,
                text,
                location,
            }
        })
        .collect()
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
