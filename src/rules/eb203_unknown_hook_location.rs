//! EB203 unknown-hook-location: a file under `.platform` that EB never runs as a hook.

use super::common::{did_you_mean, move_into_view};
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
    let misplaced: Vec<(&Hook, Misplaced)> = bundle
        .hooks
        .iter()
        .filter_map(|hook| Some((hook, misplaced(hook)?)))
        .collect();
    let moves: Vec<(&str, &str)> = misplaced
        .iter()
        .filter_map(|(hook, p)| Some((hook.rel_path.as_str(), p.meant.as_deref()?)))
        .collect();
    for (hook, place) in &misplaced {
        // EB runs only the files directly in the six phase folders (eb-facts §6.1).
        let finding = Finding::new(&RULE, hook.location(0..0), &place.message)
            .label("EB never runs this file")
            .help(&place.help);
        // Only a misspelt folder says surely where the hook belongs. Unsafe: EB then runs a
        // hook that never ran.
        let fix = match &place.meant {
            Some(meant) => {
                move_into_view(bundle, &hook.rel_path, meant, &moves, "where EB runs it")
            }
            None => Err("which phase the hook must run in is yours to decide".to_string()),
        };
        out.push(finding.fix_or_why(fix));
    }
}

/// Why EB does not run a file, what to do, and the path it surely belongs at (relative to the
/// bundle root) when its folders are misspellings of EB's.
struct Misplaced {
    message: String,
    help: String,
    meant: Option<String>,
}

/// What is wrong with the hook's place, and where it belongs; `None` when EB runs it, or it
/// sits in a subfolder of a phase folder (a helper the hooks source).
fn misplaced(hook: &Hook) -> Option<Misplaced> {
    let parts: Vec<&str> = hook.rel_path.split('/').collect();
    let [_platform, kind, rest @ ..] = parts.as_slice() else {
        return None;
    };
    let kind_meant = if KINDS.contains(kind) {
        Some(*kind)
    } else {
        did_you_mean(kind, KINDS)
    };
    let kind_fixed = kind_meant.unwrap_or("hooks");
    match rest {
        [_file] => Some(Misplaced {
            message: format!("EB runs only files inside a phase folder of `.platform/{kind}/`, not files directly in it"),
            help: format!("move it to `.platform/{kind_fixed}/predeploy/` (or `prebuild/` or `postdeploy/`, by when it must run)"),
            meant: None,
        }),
        [dir, below @ ..] if HookPhase::from_dir(dir).is_none() || kind_fixed != *kind => {
            let phase = HookPhase::from_dir(dir)
                .map(HookPhase::dir)
                .or_else(|| did_you_mean(dir.trim_end_matches(".d"), PHASES));
            let wrong = format!(".platform/{kind}/{dir}/");
            let help = match phase {
                Some(phase) => format!("did you mean `.platform/{kind_fixed}/{phase}/`?"),
                None => format!("move it to `.platform/{kind_fixed}/predeploy/` (or `prebuild/` or `postdeploy/`, by when it must run)"),
            };
            let meant = match (kind_meant, phase) {
                (Some(kind), Some(phase)) => Some(format!(".platform/{kind}/{phase}/{}", below.join("/"))),
                _ => None,
            };
            Some(Misplaced {
                message: format!("EB never runs hooks from `{wrong}`"),
                help,
                meant,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HookContent, ModeOrigin};
    use crate::source::SourceFile;

    fn place(rel: &str) -> Option<Misplaced> {
        let hook = Hook {
            source: SourceFile::new(rel.to_string(), String::new()),
            rel_path: rel.to_string(),
            kind: None,
            phase: None,
            content: HookContent::Script,
            mode: None,
            mode_origin: ModeOrigin::FileSystem,
        };
        misplaced(&hook)
    }

    fn help_for(rel: &str) -> Option<String> {
        place(rel).map(|m| m.help)
    }

    fn meant(rel: &str) -> Option<String> {
        place(rel).and_then(|m| m.meant)
    }

    #[test]
    fn only_misspelt_folders_have_a_place_to_move_to() {
        let to = |s: &str| Some(s.to_string());
        assert_eq!(
            meant(".platform/hooks/pre-deploy/a.sh"),
            to(".platform/hooks/predeploy/a.sh")
        );
        assert_eq!(
            meant(".platform/hook/prebuild/lib/x.sh"),
            to(".platform/hooks/prebuild/lib/x.sh")
        );
        assert_eq!(
            meant(".platform/confighook/postdeploy/a.sh"),
            to(".platform/confighooks/postdeploy/a.sh")
        );
        // No phase, or a phase ebguard would have to choose: no move.
        assert_eq!(meant(".platform/hooks/a.sh"), None);
        assert_eq!(meant(".platform/hooks/postbuild/a.sh"), None);
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

#[cfg(test)]
mod fix_tests {
    use super::*;
    use crate::finding::Edit;
    use crate::rules::common::testing::findings;

    #[test]
    fn a_misspelt_folder_moves_unless_the_place_is_taken() {
        let script = "#!/bin/bash\necho\n";
        let found = findings(
            &RULE,
            &[
                (".platform/hooks/pre-deploy/01.sh", Some(0o755), script),
                (".platform/hooks/pre-deploy/02.sh", Some(0o755), script),
                (".platform/hooks/predeploy/02.sh", Some(0o755), script),
            ],
        );
        let fixes: Vec<_> = found
            .iter()
            .map(|f| (f.fixes.first().map(|x| x.edits.clone()), f.no_fix.is_some()))
            .collect();
        assert_eq!(
            fixes,
            [
                (
                    Some(vec![Edit::Rename {
                        from: "app/.platform/hooks/pre-deploy/01.sh".into(),
                        to: "app/.platform/hooks/predeploy/01.sh".into()
                    }]),
                    false
                ),
                (None, true),
            ]
        );
    }
}
