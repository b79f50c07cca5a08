//! EB200 hook-not-executable: a hook without the executable bit.

use super::common::{hook_first_line, make_executable, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{Bundle, HookContent, Known, Located, ModeOrigin, RunsAt, EXEC_BIT_SINCE};

pub static RULE: Rule = Rule {
    id: "EB200",
    name: "hook-not-executable",
    severity: Severity::Error,
    summary:
        "A platform hook does not have the executable bit (in git's index when in a git work tree)",
    doc: include_str!("../../rules/EB200-hook-not-executable.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    for hook in runnable_hooks(bundle) {
        if matches!(hook.content, HookContent::Unreadable(_)) {
            continue;
        }
        let (Some(mode), Some(false), Some(kind), Some(phase)) =
            (hook.mode, hook.is_executable(), hook.kind, hook.phase)
        else {
            continue;
        };
        // A container command or an earlier hook that runs `chmod +x` on it first makes it
        // executable on any platform version.
        if bundle
            .chmod_before(
                &hook.rel_path,
                RunsAt::Hook(kind, phase),
                &settings.recognizer,
            )
            .is_some()
        {
            continue;
        }
        // `eb deploy` in a git work tree ships git's index mode, not the file system's
        // (eb-facts §7 #4).
        let (what, help) = match hook.mode_origin {
            ModeOrigin::GitIndex => (
                format!("this hook is committed without the executable bit (git index mode 100{mode:o})"),
                format!("run `git update-index --chmod=+x {}` and commit", hook.rel_path),
            ),
            ModeOrigin::FileSystem => (
                format!("this hook is not executable (file mode {mode:04o})"),
                format!("run `chmod +x {}`", hook.rel_path),
            ),
        };
        // AWS, *Platform hooks*: platform versions released on or after 2022-04-29 grant
        // execute permission to hook files themselves; older ones fail the deployment with
        // `permission denied` (eb-facts §6.1 correction, §7 #1).
        let finding = match bundle.grants_exec_bit() {
            Known::No => {
                let platform = bundle.platform_described();
                Finding::new(
                    &RULE,
                    hook.location(hook_first_line(hook)),
                    format!("{what}, and the pinned platform, {platform}, predates {EXEC_BIT_SINCE}, when EB began making hooks executable itself: EB fails the deployment with `permission denied`"),
                )
                .label("not executable")
            }
            Known::Yes | Known::Unknown => {
                let mut f = Finding::new(
                    &RULE,
                    hook.location(hook_first_line(hook)),
                    format!("{what}: EB platform versions released since {EXEC_BIT_SINCE} make hooks executable themselves, but it fails with `permission denied` when run by hand, by `eb local`, or on an older platform version"),
                )
                .label("not executable (portability)");
                f.severity = Severity::Info;
                f
            }
        };
        // Only the bit changes: platforms since 2022-04-29 set it themselves before running the
        // hook, older ones fail without it, so it changes nothing EB runs but the failure.
        let fix = Fix::safe(
            "make the hook executable",
            vec![make_executable(&hook.source.path, hook.mode_origin)],
        );
        out.push(finding.help(help).fix(fix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Applicability, Edit};
    use crate::rules::common::testing::findings;

    #[test]
    fn the_fix_sets_the_bit_of_the_hook_itself() {
        let hook = ".platform/hooks/predeploy/01_assets.sh";
        let found = findings(
            &RULE,
            &[(hook, Some(0o644), "#!/bin/bash\nnpm run build\n")],
        );
        let [finding] = found.as_slice() else {
            panic!("{found:?}")
        };
        let fix = &finding.fixes[0];
        assert_eq!(fix.applicability, Applicability::Safe);
        // Outside git the file system's mode ships, so git's index is left alone.
        assert_eq!(
            fix.edits,
            [Edit::MakeExecutable {
                path: format!("app/{hook}"),
                git: false
            }]
        );
    }
}
