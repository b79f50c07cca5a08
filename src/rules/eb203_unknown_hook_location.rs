//! EB203 unknown-hook-location: a file under `.platform` that EB never runs as a hook.

use super::common::did_you_mean;
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Hook, HookPhase, Located};

pub static RULE: Rule = Rule {
    id: "EB203",
    name: "unknown-hook-location",
    severity: Severity::Error,
    summary: "A hook is in a folder EB never runs: not `.platform/{hooks,confighooks}/{prebuild,predeploy,postdeploy}/`",
    doc: include_str!("../../rules/EB203-unknown-hook-location.md"),
    check,
};

const KINDS: &[&str] = &["hooks", "confighooks"];

const PHASES: &[&str] = &["predeploy", "prebuild", "postdeploy"];

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in &bundle.hooks {
        let Some((message, suggestion)) = misplaced(hook) else {
            continue;
        };
        // EB runs only the files directly in the six phase folders (eb-facts §6.1).
        out.push(
            Finding::new(&RULE, hook.location(0..0), message)
                .label("EB never runs this file")
                .help(suggestion),
        );
    }
}

/// What is wrong with the hook's place, and where it belongs; `None` when EB runs it, or it
/// sits in a subfolder of a phase folder (a helper the hooks source).
fn misplaced(hook: &Hook) -> Option<(String, String)> {
    let parts: Vec<&str> = hook.rel_path.split('/').collect();
    let [_platform, kind, rest @ ..] = parts.as_slice() else {
        return None;
    };
    let kind_fixed = if KINDS.contains(kind) {
        *kind
    } else {
        did_you_mean(kind, KINDS).unwrap_or("hooks")
    };
    match rest {
        [_file] => Some((
            format!("EB runs only files inside a phase folder of `.platform/{kind}/`, not files directly in it"),
            format!("move it to `.platform/{kind_fixed}/predeploy/` (or `prebuild/` or `postdeploy/`, by when it must run)"),
        )),
        [dir, ..] if HookPhase::from_dir(dir).is_none() || kind_fixed != *kind => {
            let phase = HookPhase::from_dir(dir)
                .map(HookPhase::dir)
                .or_else(|| did_you_mean(dir.trim_end_matches(".d"), PHASES));
            let wrong = format!(".platform/{kind}/{dir}/");
            let help = match phase {
                Some(phase) => format!("did you mean `.platform/{kind_fixed}/{phase}/`?"),
                None => format!("move it to `.platform/{kind_fixed}/predeploy/` (or `prebuild/` or `postdeploy/`, by when it must run)"),
            };
            Some((format!("EB never runs hooks from `{wrong}`"), help))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HookContent, ModeOrigin};
    use crate::source::SourceFile;

    fn help_for(rel: &str) -> Option<String> {
        let hook = Hook {
            source: SourceFile::new(rel.to_string(), String::new()),
            rel_path: rel.to_string(),
            kind: None,
            phase: None,
            content: HookContent::Script,
            mode: None,
            mode_origin: ModeOrigin::FileSystem,
        };
        misplaced(&hook).map(|(_, help)| help)
    }

    #[test]
    fn suggests_the_folder_meant() {
        let meant = |s: &str| Some(format!("did you mean `{s}`?"));
        assert_eq!(
            help_for(".platform/hooks/pre-deploy/a.sh"),
            meant(".platform/hooks/predeploy/")
        );
        assert_eq!(
            help_for(".platform/hooks/predeploy.d/a.sh"),
            meant(".platform/hooks/predeploy/")
        );
        assert_eq!(
            help_for(".platform/hooks/PostDeploy/a.sh"),
            meant(".platform/hooks/postdeploy/")
        );
        assert_eq!(
            help_for(".platform/hook/prebuild/a.sh"),
            meant(".platform/hooks/prebuild/")
        );
        assert_eq!(
            help_for(".platform/confighook/postdeploy/a.sh"),
            meant(".platform/confighooks/postdeploy/")
        );
        assert!(help_for(".platform/hooks/a.sh")
            .unwrap()
            .contains("predeploy/"));
    }

    #[test]
    fn runnable_hooks_and_helpers_are_in_place() {
        assert_eq!(help_for(".platform/hooks/predeploy/a.sh"), None);
        assert_eq!(help_for(".platform/confighooks/prebuild/a.sh"), None);
        assert_eq!(help_for(".platform/hooks/predeploy/lib/common.sh"), None);
    }
}
