//! EB200 hook-not-executable: EB cannot run a hook without the executable bit.

use super::common::{hook_first_line, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, HookContent, Located, ModeOrigin};

pub static RULE: Rule = Rule {
    id: "EB200",
    name: "hook-not-executable",
    severity: Severity::Error,
    summary:
        "A platform hook does not have the executable bit (in git's index when in a git work tree)",
    doc: include_str!("../../rules/EB200-hook-not-executable.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in runnable_hooks(bundle) {
        if matches!(hook.content, HookContent::Unreadable(_)) {
            continue;
        }
        let (Some(mode), Some(false)) = (hook.mode, hook.is_executable()) else {
            continue;
        };
        // EB executes hooks directly and fails the deployment with `permission denied` when
        // the bit is missing (eb-facts §6.1, §7 #1). `eb deploy` in a git work tree ships git's
        // index mode, not the file system's (§7 #4).
        let (message, help) = match hook.mode_origin {
            ModeOrigin::GitIndex => (
                format!("this hook is committed without the executable bit (git index mode 100{mode:o}), so EB fails the deployment with `permission denied`"),
                format!("run `git update-index --chmod=+x {}` and commit", hook.rel_path),
            ),
            ModeOrigin::FileSystem => (
                format!("this hook is not executable (file mode {mode:04o}), so EB fails the deployment with `permission denied`"),
                format!("run `chmod +x {}`", hook.rel_path),
            ),
        };
        out.push(
            Finding::new(&RULE, hook.location(hook_first_line(hook)), message)
                .label("not executable")
                .help(help),
        );
    }
}
