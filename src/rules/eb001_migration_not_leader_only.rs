//! EB001 migration-not-leader-only: a container command applies migrations on every instance.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::common::{
    did_you_mean, editable, migrations, text_edit, traffic_splitting, via_related,
};
use super::{Rule, Settings};
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::model::{Bundle, Command, ConfigFile, LeaderOnly, Located};
use crate::shell::{Guard, MigrationCall};
use crate::yaml::edit::{insert_entry, replace_scalar, New};
use crate::yaml::{NodeRef, ScalarStyle};

pub static RULE: Rule = Rule {
    id: "EB001",
    name: "migration-not-leader-only",
    severity: Severity::Error,
    summary: "A container command applies database migrations without `leader_only: true`",
    doc: include_str!("../../rules/EB001-migration-not-leader-only.md"),
    check,
};

/// What the second fix puts in front of a migration.
const WRAPPER: &str = "ebguard migrate -- ";

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for (file, cmd) in bundle.container_commands() {
        // EB010 reports a `leader_only` that is not a boolean; guessing here would double-report.
        if matches!(
            cmd.leader_only(file),
            LeaderOnly::True | LeaderOnly::Ambiguous
        ) {
            continue;
        }
        let calls = migrations(bundle, file, cmd, settings);
        let unguarded: Vec<&MigrationCall> =
            calls.iter().filter(|m| m.guard == Guard::None).collect();
        let Some(call) = unguarded.first() else {
            continue;
        };
        // EB runs container commands on every instance of a deployment batch at once, and
        // again on each instance launched by scaling (eb-facts §2.1, §7 #10).
        let mut finding = Finding::new(
            &RULE,
            file.location(file.node(cmd.key).span()),
            format!(
                "container command `{}` applies {} migrations on every instance at once",
                cmd.name, call.tool
            ),
        )
        .label("runs on every instance, concurrently")
        .help("wrap it as `ebguard migrate -- <command>` (a database lock, safe on any instance), or add `leader_only: true`");
        for (at, label) in via_related(bundle, call) {
            finding = finding.related(at, label);
        }
        if let Some((key, _)) = cmd.entry("leader_only") {
            finding = finding.related(
                file.location(file.node(key).span()),
                "`leader_only` is false here",
            );
        }
        out.push(with_fixes(finding, bundle, file, cmd, &unguarded));
    }
}

/// Both repairs change what EB runs, so both are unsafe. `leader_only: true`, the one EB
/// documents, comes first unless the command does more than migrate.
fn with_fixes(
    finding: Finding,
    bundle: &Bundle,
    file: &ConfigFile,
    cmd: &Command,
    calls: &[&MigrationCall],
) -> Finding {
    // EB003 offers to rename a misspelt `leaderOnly`; adding `leader_only` as well would leave
    // the command with the key twice once both fixes are applied.
    let known = cmd.section.known_keys();
    if let Some((misspelt, _, _)) = cmd.keys.iter().find(|(k, _, _)| {
        !known.contains(&k.as_str()) && did_you_mean(k, known) == Some("leader_only")
    }) {
        return finding.no_fix(format!(
            "`{misspelt}` on this command is probably meant as `leader_only`; rename it first (EB003 offers that)"
        ));
    }
    let (leader, wrap) = (
        leader_only_fix(bundle, file, cmd),
        wrap_fix(file, cmd, calls),
    );
    if let (Err(leader), Err(wrap)) = (&leader, &wrap) {
        return finding.no_fix(format!(
            "no `leader_only: true` because {leader}; no `ebguard migrate --` because {wrap}"
        ));
    }
    // `leader_only` would take the command's other steps off every instance but one too, so
    // then the wrap, which changes only how the migration runs, comes first.
    let preferred = if does_more_than_migrate(file, cmd, calls) {
        [wrap, leader]
    } else {
        [leader, wrap]
    };
    preferred.into_iter().flatten().fold(finding, Finding::fix)
}

/// Commands that only prepare the shell for the next one.
const SETUP: &[&str] = &[
    "source", ".", "cd", "echo", "printf", "export", "set", "true", ":", "exit", "sleep",
];

/// Whether the command's string runs something besides its migrations and shell setup
/// (`php artisan optimize` after `php artisan migrate`). Commands inside another one (`$(date)`
/// in an `echo`) count as part of it.
fn does_more_than_migrate(file: &ConfigFile, cmd: &Command, calls: &[&MigrationCall]) -> bool {
    let Some(script) = cmd.value("command").and_then(|id| file.node(id).as_str()) else {
        return false;
    };
    let parsed = crate::shell::parse_script(script);
    let sites = &parsed.sites;
    sites.iter().any(|site| {
        let nested = sites.iter().any(|outer| {
            outer.range != site.range
                && outer.range.start <= site.range.start
                && site.range.end <= outer.range.end
        });
        !nested
            && !calls.iter().any(|c| c.range == site.range)
            && !SETUP.contains(&site.argv[0].as_str())
    })
}

/// `leader_only: true`. Unsafe: EB then runs the command on one instance chosen by EB, only on
/// deployments and environment creation, and runs leader-only commands before the other
/// container commands (AWS *Customizing software on Linux servers*, eb-facts §2.3, §4.2). Not
/// offered where the key would do harm of its own: a `test` on the command is then ignored
/// (EB004), TrafficSplitting deployments have no leader (EB009), and after scheduled scaling
/// to zero no instance runs leader-only commands (EB007).
fn leader_only_fix(bundle: &Bundle, file: &ConfigFile, cmd: &Command) -> Result<Fix, String> {
    if traffic_splitting(bundle).is_some() {
        return Err("the deployment policy is TrafficSplitting, whose deployments have no leader to run it (EB009)".into());
    }
    if cmd.entry("test").is_some() {
        return Err(
            "the command has a `test`, which EB ignores on a leader-only command (EB004)".into(),
        );
    }
    if !bundle.scale_to_zero().is_empty() {
        return Err("scheduled scaling takes the environment to zero instances, after which no instance runs leader-only commands (EB007)".into());
    }
    let why = "EB then runs it on one instance per deployment, before the other container commands, and never on instances scaling launches";
    match cmd.entry("leader_only") {
        // `leader_only: false`, written on the command itself.
        Some((_, value)) => {
            editable(file, value).map_err(|why| format!("`leader_only` {why}"))?;
            let edit = replace_scalar(file.node(value), "true")?;
            Ok(Fix::unsafe_(
                format!("set `leader_only: true` ({why})"),
                vec![text_edit(file, edit)],
            ))
        }
        None => {
            editable(file, cmd.body).map_err(|why| format!("the command {why}"))?;
            let body = file.node(cmd.body);
            let edit = insert_entry(
                &file.source.text,
                body,
                "leader_only",
                &New::Scalar("true".into()),
            )?;
            Ok(Fix::unsafe_(
                format!("add `leader_only: true` ({why})"),
                vec![text_edit(file, edit)],
            ))
        }
    }
}

/// `ebguard migrate -- ` in front of each migration the command string applies itself.
/// Unsafe: the migration then runs on every instance in turn under a database lock, and needs
/// ebguard installed on the instances and a database it can reach (docs/migrate.md).
fn wrap_fix(file: &ConfigFile, cmd: &Command, calls: &[&MigrationCall]) -> Result<Fix, String> {
    if let Some(hop) = calls.iter().find_map(|c| c.via.first()) {
        return Err(format!(
            "the migration runs inside `{}`, which the command runs; wrap it there",
            hop.path
        ));
    }
    let Some(command) = cmd.value("command").map(|id| file.node(id)) else {
        return Err("the command has no `command`".into());
    };
    editable(file, command.id()).map_err(|why| format!("`command` {why}"))?;
    let Some(script) = command.as_str() else {
        return Err("`command` is a list (an argv EB runs without a shell); put `ebguard`, `migrate` and `--` in front of it by hand".into());
    };
    let mut points = calls
        .iter()
        .map(|c| wrap_point(script, c.range.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    points.sort_unstable();
    points.dedup();
    let edits = points
        .into_iter()
        .map(|at| {
            let at = source_offset(&file.source.text, command, script, at).ok_or(
                "`command` is written with escapes or folded lines, so its text cannot be edited in place; wrap it by hand",
            )?;
            Ok(Edit::Replace {
                at: file.location(at..at),
                text: WRAPPER.into(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Fix::unsafe_(
        "run it as `ebguard migrate -- ...` (every instance migrates in turn under a database lock; ebguard must be installed on the instances)",
        edits,
    ))
}

/// `NAME=value ` before a command: the shell sets it for that command (and so for ebguard,
/// whose child inherits it). Only values without quotes or expansions, which end at a blank.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[A-Za-z_][A-Za-z0-9_]*=[^\s'"\\$`;&|<>(){}]*[ \t]+"#).expect("a valid regex")
});

/// Words the shell runs itself: ebguard, a program, cannot run them as its command.
const SHELL_BUILTINS: &[&str] = &[
    "exec", "eval", "command", "builtin", "time", "source", ".", "!",
];

/// Where `ebguard migrate -- ` goes in the simple command at `range` of `script`: after the
/// assignments that prefix it.
fn wrap_point(script: &str, range: Range<usize>) -> Result<usize, String> {
    let site = script
        .get(range.clone())
        .ok_or("the migration's place in `command` is unknown")?;
    let mut at = 0;
    while let Some(m) = ASSIGNMENT.find(&site[at..]) {
        at += m.end();
    }
    let rest = &site[at..];
    if rest.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        return Err("the migration starts with a variable assignment whose value is quoted or expanded; wrap it by hand".into());
    }
    let word = rest.split_whitespace().next().unwrap_or_default();
    if SHELL_BUILTINS.contains(&word) {
        return Err(format!(
            "the migration starts with the shell builtin `{word}`, which ebguard cannot run; wrap it by hand"
        ));
    }
    Ok(range.start + at)
}

/// The byte offset in `text` of offset `at` of the scalar `node`'s value `value`, when the
/// value is written verbatim: a plain single-line or quoted scalar without escapes (the source
/// between the quotes is the value), or a literal block (`|`), whose lines are the value's
/// lines behind the block's indentation (checked line by line). `None` for anything else:
/// escapes, folded lines.
fn source_offset(text: &str, node: NodeRef<'_>, value: &str, at: usize) -> Option<usize> {
    if node.tag().is_some() {
        return None;
    }
    let span = node.span();
    match node.scalar_style()? {
        ScalarStyle::Plain => (text.get(span.clone())? == value).then_some(span.start + at),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let inner = span.start + 1..span.end.checked_sub(1)?;
            (text.get(inner.clone())? == value).then_some(inner.start + at)
        }
        ScalarStyle::Literal => {
            let line = value[..at].matches('\n').count();
            let column = at - value[..at].rfind('\n').map_or(0, |i| i + 1);
            let value_line = value[at - column..].split('\n').next()?;
            // The span starts at the first line's content, behind the block's indentation;
            // a block opening with blank lines is left alone.
            if value.starts_with('\n') {
                return None;
            }
            let mut start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            for _ in 0..line {
                start += text[start..].find('\n')? + 1;
            }
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let source_line = text[start..end]
                .strip_suffix('\r')
                .unwrap_or(&text[start..end]);
            let indent = source_line.strip_suffix(value_line)?;
            (!indent.is_empty() && indent.bytes().all(|b| b == b' '))
                .then_some(start + indent.len() + column)
        }
        ScalarStyle::Folded => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Applicability::Unsafe;
    use crate::rules::common::fixing::{apply, finding, findings};

    const CONFIG: &str = ".ebextensions/01_django.config";
    const TRAFFIC: (&str, &str) = (
        ".ebextensions/00_policy.config",
        "option_settings:\n  aws:elasticbeanstalk:command:\n    DeploymentPolicy: TrafficSplitting\n",
    );

    /// The text of CONFIG after fix `n` of EB001, with the other files given as they are.
    fn fixed(n: usize, config: &str, others: &[(&str, &str)]) -> (String, String) {
        let mut files = vec![(CONFIG, config)];
        files.extend_from_slice(others);
        let (title, texts) = apply("EB001", n, Unsafe, &files);
        (title, texts[0].clone())
    }

    #[test]
    fn adds_leader_only_to_a_block_mapping() {
        let (title, text) = fixed(
            0,
            "container_commands:\n  01_migrate:\n    command: \"python manage.py migrate\"  # apply\n  02_static:\n    command: \"python manage.py collectstatic\"\n",
            &[],
        );
        assert_eq!(title, "add `leader_only: true` (EB then runs it on one instance per deployment, before the other container commands, and never on instances scaling launches)");
        assert_eq!(text, "container_commands:\n  01_migrate:\n    command: \"python manage.py migrate\"  # apply\n    leader_only: true\n  02_static:\n    command: \"python manage.py collectstatic\"\n");
    }

    /// Each config, and what the first fix makes of it.
    fn assert_fixed(cases: &[(&str, &str)], others: &[(&str, &str)]) {
        for (before, after) in cases {
            assert_eq!(fixed(0, before, others).1, *after, "{before}");
        }
    }

    #[test]
    fn adds_leader_only_in_every_style() {
        assert_fixed(
            &[
                // The last key of the file, without a final line break.
                (
                    "container_commands:\n  01_migrate:\n    command: python manage.py migrate",
                    "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: true",
                ),
                (
                    "container_commands:\r\n  01_migrate:\r\n    command: python manage.py migrate\r\n",
                    "container_commands:\r\n  01_migrate:\r\n    command: python manage.py migrate\r\n    leader_only: true\r\n",
                ),
                (
                    "container_commands:\n  01_migrate: {command: python manage.py migrate}\n",
                    "container_commands:\n  01_migrate: {command: python manage.py migrate, leader_only: true}\n",
                ),
                (
                    "{\n  \"container_commands\": {\n    \"01_migrate\": {\n      \"command\": \"python manage.py migrate\"\n    }\n  }\n}\n",
                    "{\n  \"container_commands\": {\n    \"01_migrate\": {\n      \"command\": \"python manage.py migrate\",\n      \"leader_only\": true\n    }\n  }\n}\n",
                ),
                (
                    "container_commands:\n  '01_migrate':\n    'command': 'python manage.py migrate'\n",
                    "container_commands:\n  '01_migrate':\n    'command': 'python manage.py migrate'\n    'leader_only': true\n",
                ),
            ],
            &[],
        );
    }

    #[test]
    fn turns_leader_only_false_into_true() {
        let (title, text) = fixed(
            0,
            "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: false # for now\n",
            &[],
        );
        assert!(title.starts_with("set `leader_only: true`"), "{title}");
        assert_eq!(text, "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: true # for now\n");
    }

    #[test]
    fn wraps_the_migration_when_leader_only_cannot_help() {
        // TrafficSplitting: the only fix is the wrap.
        let (title, text) = fixed(
            0,
            "container_commands:\n  01_migrate:\n    command: \"source /var/app/venv/*/bin/activate && python manage.py migrate\"\n",
            &[TRAFFIC],
        );
        assert!(
            title.starts_with("run it as `ebguard migrate -- ...`"),
            "{title}"
        );
        assert_eq!(text, "container_commands:\n  01_migrate:\n    command: \"source /var/app/venv/*/bin/activate && ebguard migrate -- python manage.py migrate\"\n");
        assert_fixed(
            &[
                // Plain, after an assignment.
                (
                    "container_commands:\n  01_migrate:\n    command: DJANGO_SETTINGS_MODULE=app.prod python manage.py migrate\n",
                    "container_commands:\n  01_migrate:\n    command: DJANGO_SETTINGS_MODULE=app.prod ebguard migrate -- python manage.py migrate\n",
                ),
                (
                    "{\"container_commands\": {\"01_migrate\": {\"command\": \"python manage.py migrate\"}}}",
                    "{\"container_commands\": {\"01_migrate\": {\"command\": \"ebguard migrate -- python manage.py migrate\"}}}",
                ),
                (
                    "container_commands:\n  01_migrate:\n    command: |\n      PY=/var/app/venv/staging/bin/python\n      \"$PY\" manage.py migrate\n      \"$PY\" manage.py migrate --database=replica\n",
                    "container_commands:\n  01_migrate:\n    command: |\n      PY=/var/app/venv/staging/bin/python\n      ebguard migrate -- \"$PY\" manage.py migrate\n      ebguard migrate -- \"$PY\" manage.py migrate --database=replica\n",
                ),
            ],
            &[TRAFFIC],
        );
        // A `test` on the command: `leader_only` would silence it (EB004).
        assert_fixed(
            &[(
                "container_commands:\n  01_migrate:\n    command: 'python manage.py migrate'\n    test: test -f manage.py\n",
                "container_commands:\n  01_migrate:\n    command: 'ebguard migrate -- python manage.py migrate'\n    test: test -f manage.py\n",
            )],
            &[],
        );
    }

    #[test]
    fn prefers_the_wrap_when_the_command_does_more_than_migrate() {
        let setup_only = "container_commands:\n  01_migrate:\n    command: \"source /var/app/venv/*/bin/activate && cd app && python manage.py migrate\"\n";
        let (title, _) = fixed(0, setup_only, &[]);
        assert!(title.starts_with("add `leader_only: true`"), "{title}");
        let config = "container_commands:\n  01_migrate:\n    command: |\n      echo \"started $(date)\"\n      php artisan migrate --force\n      php artisan optimize\n";
        let (title, text) = fixed(0, config, &[]);
        assert!(title.starts_with("run it as"), "{title}");
        assert_eq!(
            text,
            config.replace(
                "      php artisan migrate",
                "      ebguard migrate -- php artisan migrate"
            )
        );
        let (title, _) = fixed(1, config, &[]);
        assert!(title.starts_with("add `leader_only: true`"), "{title}");
    }

    #[test]
    fn says_why_when_nothing_can_be_fixed_in_place() {
        let why = |config: &str| {
            let f = finding("EB001", &[(CONFIG, config), TRAFFIC]);
            assert!(f.fixes.is_empty(), "{:?}", f.fixes);
            f.no_fix.expect("a reason")
        };
        let escaped = why("container_commands:\n  01_migrate:\n    command: \"python manage.py migrate --settings=\\\"x\\\"\"\n");
        assert!(escaped.contains("escapes"), "{escaped}");
        let builtin =
            why("container_commands:\n  01_migrate:\n    command: exec python manage.py migrate\n");
        assert!(builtin.contains("builtin `exec`"), "{builtin}");
        let argv =
            why("container_commands:\n  01_migrate:\n    command: [python, manage.py, migrate]\n");
        assert!(argv.contains("is a list"), "{argv}");
        let files = [
            (
                CONFIG,
                "container_commands:\n  01_migrate:\n    command: bash bin/migrate.sh\n",
            ),
            ("bin/migrate.sh", "python manage.py migrate\n"),
            TRAFFIC,
        ];
        let via = finding("EB001", &files).no_fix.expect("a reason");
        assert!(
            via.contains(
                "no `ebguard migrate --` because the migration runs inside `bin/migrate.sh`"
            ),
            "{via}"
        );
    }

    #[test]
    fn never_edits_through_an_alias_or_a_merge() {
        // Both commands share the anchored body: no edit of it is confined to one command.
        let shared = findings(&[(
            CONFIG,
            "container_commands:\n  01_migrate: &m\n    command: python manage.py migrate\n  02_again: *m\n",
        )]);
        let eb001: Vec<_> = shared.iter().filter(|f| f.rule.id == "EB001").collect();
        assert_eq!(eb001.len(), 2);
        for f in eb001 {
            assert!(f.fixes.is_empty(), "{:?}", f.fixes);
            assert!(
                f.no_fix.as_deref().unwrap().contains("alias"),
                "{:?}",
                f.no_fix
            );
        }
        // `leader_only: false` merged in from an anchor: only the command's own text is edited.
        let (title, text) = fixed(
            0,
            "container_commands:\n  00_base: &base\n    command: echo ready\n    leader_only: false\n  01_migrate:\n    <<: *base\n    command: python manage.py migrate\n",
            &[],
        );
        assert!(title.starts_with("run it as"), "{title}");
        assert!(
            text.ends_with("    command: ebguard migrate -- python manage.py migrate\n"),
            "{text}"
        );
    }

    #[test]
    fn leaves_a_misspelt_leader_only_to_eb003() {
        let f = finding(
            "EB001",
            &[(CONFIG, "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leaderOnly: true\n")],
        );
        assert!(f.fixes.is_empty());
        assert!(f.no_fix.unwrap().contains("`leaderOnly`"));
    }
}
