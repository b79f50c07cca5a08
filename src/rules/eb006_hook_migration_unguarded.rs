//! EB006 hook-migration-unguarded: a platform hook migrates on every instance.

use super::common::{hook_migrations, via_related};
use super::{Rule, Settings};
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::model::{Bundle, Hook, Located};
use crate::shell::{Guard, MigrationCall};

pub static RULE: Rule = Rule {
    id: "EB006",
    name: "hook-migration-unguarded",
    severity: Severity::Error,
    summary: "A platform hook applies migrations with no cross-instance guard",
    doc: include_str!("../../rules/EB006-hook-migration-unguarded.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for hook in &bundle.hooks {
        // Hooks run on every instance with no leader option (eb-facts §6.1). A hook gated on
        // EB_IS_COMMAND_LEADER is EB011's finding, not this one.
        for call in hook_migrations(bundle, hook, settings) {
            if call.guard != Guard::None {
                continue;
            }
            let mut finding = Finding::new(
                    &RULE,
                    hook.location(call.range.clone()),
                    format!("this hook applies {} migrations on every instance at once, with no lock", call.tool),
                )
                .label("runs on every instance, concurrently")
                .help("run it as `ebguard migrate -- <command>`, which takes a database lock so one instance migrates at a time");
            for (at, label) in via_related(bundle, &call) {
                finding = finding.related(at, label);
            }
            out.push(finding.fix_or_why(wrap(bundle, hook, &call)));
        }
    }
}

/// Shell builtins and keywords a migration command can start with: `ebguard migrate` executes
/// its command directly, without a shell, so it cannot run these.
const SHELL_BUILTINS: &[&str] = &[".", "source", "exec", "eval", "command", "builtin", "time"];

/// Builtins that run the rest of the line as a command: `ebguard migrate -- ` goes after them
/// (`exec ebguard migrate -- …` still replaces the shell; `time` still times it all).
const PREFIXES: &[&str] = &["exec", "time"];

/// Puts `ebguard migrate -- ` before the command's program word (after any `NAME=value`
/// prefixes, which then reach the migration through ebguard). When the migration is in a
/// script the hook runs, the hook's command that runs it is wrapped: the lock covers the whole
/// script, and the script itself, which may run elsewhere too, stays as it is.
///
/// Unsafe: `ebguard migrate` changes how the migration runs. It needs `ebguard` on the
/// instances and a database to lock (`DATABASE_URL`, or the `RDS_*` variables of an attached
/// RDS database); without one, and with `EB_IS_COMMAND_LEADER` unset as it is in hooks, it
/// refuses to run the migration (exit 78) and the deployment fails (docs/migrate.md).
fn wrap(bundle: &Bundle, hook: &Hook, call: &MigrationCall) -> Result<Fix, String> {
    let (program, argv) = bundle
        .hook_command(hook, &call.range)
        .ok_or("ebguard cannot tell where the command starts")?;
    let (mut program, mut first) = (
        program,
        argv.first().map(String::as_str).unwrap_or_default(),
    );
    let script = hook.script().unwrap_or_default();
    if let (true, Some(next)) = (PREFIXES.contains(&first), argv.get(1)) {
        // The next word, unless an option (`exec -a name`) or a quoted or escaped keyword.
        let after = &script[program..];
        let gap = after
            .strip_prefix(first)
            .map(|rest| rest.len() - rest.trim_start_matches([' ', '\t']).len());
        if let (Some(gap @ 1..), false) = (gap, next.starts_with('-')) {
            program += first.len() + gap;
            first = next;
        }
    }
    if SHELL_BUILTINS.contains(&first) {
        return Err(format!("the command starts with the shell builtin `{first}`, which `ebguard migrate` cannot run without a shell; wrap the migration by hand (`{first} ebguard migrate -- …` for `exec`, `ebguard migrate -- bash FILE` for a sourced file)"));
    }
    Ok(Fix::unsafe_(
        "run it as `ebguard migrate -- …` (needs ebguard installed on the instances and a database URL: `DATABASE_URL` or an attached RDS database; see docs/migrate.md)",
        vec![Edit::Replace {
            at: hook.location(program..program),
            text: "ebguard migrate -- ".into(),
        }],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::common::testing::{apply, findings};

    const HOOK: &str = ".platform/hooks/predeploy/01_migrate.sh";

    /// The hook after the first fix of each finding, one finding at a time.
    fn wrapped(script: &str) -> Vec<Result<String, String>> {
        findings(&RULE, &[(HOOK, Some(0o755), script)])
            .iter()
            .map(|f| match (f.fixes.first(), &f.no_fix) {
                (Some(fix), _) => Ok(apply(script, fix)),
                (None, Some(why)) => Err(why.clone()),
                (None, None) => panic!("neither fix nor reason: {f:?}"),
            })
            .collect()
    }

    #[test]
    fn the_program_word_is_wrapped_after_prefixes() {
        for (line, expected) in [
            (
                "python manage.py migrate --noinput",
                "ebguard migrate -- python manage.py migrate --noinput",
            ),
            (
                "DJANGO_SETTINGS_MODULE=app.prod python manage.py migrate",
                "DJANGO_SETTINGS_MODULE=app.prod ebguard migrate -- python manage.py migrate",
            ),
            (
                ">>/tmp/m.log python manage.py migrate 2>&1",
                ">>/tmp/m.log ebguard migrate -- python manage.py migrate 2>&1",
            ),
            (
                "cd app && php artisan migrate --force || exit 1",
                "cd app && ebguard migrate -- php artisan migrate --force || exit 1",
            ),
            (
                "sudo -u webapp bash -c 'python manage.py migrate'",
                "ebguard migrate -- sudo -u webapp bash -c 'python manage.py migrate'",
            ),
            (
                "exec bundle exec rake db:migrate",
                "exec ebguard migrate -- bundle exec rake db:migrate",
            ),
            (
                "time  alembic upgrade head",
                "time  ebguard migrate -- alembic upgrade head",
            ),
        ] {
            let script = format!("#!/bin/bash\n{line}\n");
            assert_eq!(
                wrapped(&script),
                [Ok(format!("#!/bin/bash\n{expected}\n"))],
                "{line}"
            );
        }
    }

    #[test]
    fn builtins_ebguard_cannot_execute_get_no_fix() {
        for line in [
            "exec -a migrate python manage.py migrate",
            "eval python manage.py migrate",
        ] {
            let script = format!("#!/bin/bash\n{line}\n");
            let result = wrapped(&script);
            assert!(
                matches!(result.as_slice(), [Err(why)] if why.contains("builtin")),
                "{line}: {result:?}"
            );
        }
    }

    #[test]
    fn a_followed_script_is_wrapped_where_the_hook_runs_it() {
        let script = "#!/bin/bash\nbash scripts/migrate.sh\n";
        let files = [
            (HOOK, Some(0o755), script),
            (
                "scripts/migrate.sh",
                Some(0o644),
                "python manage.py migrate\n",
            ),
        ];
        let found = findings(&RULE, &files);
        assert_eq!(found.len(), 1);
        let fix = &found[0].fixes[0];
        assert_eq!(fix.applicability, crate::finding::Applicability::Unsafe);
        assert_eq!(
            apply(script, fix),
            "#!/bin/bash\nebguard migrate -- bash scripts/migrate.sh\n"
        );
        assert!(fix.title.contains("database URL"), "{}", fix.title);
    }

    #[test]
    fn the_wrapped_migration_is_guarded() {
        let script = "#!/bin/bash\nFOO=1 python manage.py migrate\n";
        let fixed = wrapped(script).remove(0).unwrap();
        assert!(findings(&RULE, &[(HOOK, Some(0o755), &fixed)]).is_empty());
    }
}
