//! EB204 hook-runs-non-executable-script: a hook (or container command) runs a script of the
//! bundle that cannot run as shipped: no executable bit, or Windows line endings.

use std::ops::Range;

use super::common::{lf_line_endings, make_executable, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
use crate::model::{Bundle, Located, ModeOrigin, RunsAt};
use crate::shell::{Analysis, RunHow, ScriptRun};
use crate::source::Location;

pub static RULE: Rule = Rule {
    id: "EB204",
    name: "hook-runs-non-executable-script",
    severity: Severity::Error,
    summary: "A hook or container command runs a script of the bundle that has no executable bit or has CRLF line endings",
    doc: include_str!("../../rules/EB204-hook-runs-non-executable-script.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    let rec = &settings.recognizer;
    for hook in runnable_hooks(bundle) {
        let (Some(kind), Some(phase), Some(analysis)) =
            (hook.kind, hook.phase, bundle.hook_analysis(hook, rec))
        else {
            continue;
        };
        let at = RunsAt::Hook(kind, phase);
        for run in &analysis.runs {
            if let Some(problem) = problem(bundle, settings, &analysis, run, at) {
                out.push(finding(
                    bundle,
                    hook.location(run.range.clone()),
                    "this hook",
                    run,
                    problem,
                ));
            }
        }
    }
    for (file, cmd) in bundle.applied_container_commands() {
        let analysis = bundle.command_analysis(file, cmd, rec);
        for run in &analysis.runs {
            if let Some(problem) =
                problem(bundle, settings, &analysis, run, RunsAt::ContainerCommands)
            {
                let what = format!("container command `{}`", cmd.name);
                let at = file.location(file.node(cmd.key).span());
                out.push(finding(bundle, at, &what, run, problem));
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Problem {
    NotExecutable(u32, ModeOrigin),
    Crlf(usize),
}

fn problem(
    bundle: &Bundle,
    settings: &Settings,
    analysis: &Analysis,
    run: &ScriptRun,
    at: RunsAt,
) -> Option<Problem> {
    // Hook files themselves are EB200's and EB201's: EB treats them differently.
    if bundle
        .hooks
        .iter()
        .any(|h| h.rel_path == run.path && h.phase.is_some() && h.kind.is_some())
    {
        return None;
    }
    let text = bundle.text_of(&run.path)?;
    if let Some(first) = text.text.find("\r\n") {
        return Some(Problem::Crlf(first));
    }
    if run.how != RunHow::Execute {
        return None;
    }
    let (mode, origin) = bundle.file_mode(&run.path)?;
    if mode & 0o111 != 0 {
        return None;
    }
    // `chmod +x x.sh && ./x.sh`, or a chmod by an earlier step of the deployment.
    let chmodded_here = analysis
        .chmods
        .iter()
        .any(|c| c.range.start < run.range.start && c.covers(&run.path));
    if chmodded_here
        || bundle
            .chmod_before(&run.path, at, &settings.recognizer)
            .is_some()
    {
        return None;
    }
    Some(Problem::NotExecutable(mode, origin))
}

fn finding(bundle: &Bundle, at: Location, who: &str, run: &ScriptRun, problem: Problem) -> Finding {
    let path = &run.path;
    let verb = match run.how {
        RunHow::Execute => "executes",
        RunHow::Read => "runs",
    };
    // AWS, *Platform hooks*: EB's automatic chmod and CRLF conversion are for hook files; a
    // script a hook runs is not one, on any platform version.
    let (message, label, help, related_at): (String, &str, String, Range<usize>) = match problem {
        Problem::NotExecutable(mode, ModeOrigin::GitIndex) => (
            format!("{who} executes `{path}`, which is committed without the executable bit (git index mode 100{mode:o}); EB makes only hook files executable, so it fails with `permission denied`"),
            "runs a file that is not executable",
            format!("run `git update-index --chmod=+x {path}` and commit, or run it through its interpreter (`bash {path}`)"),
            0..0,
        ),
        Problem::NotExecutable(mode, ModeOrigin::FileSystem) => (
            format!("{who} executes `{path}`, which is not executable (file mode {mode:04o}); EB makes only hook files executable, so it fails with `permission denied`"),
            "runs a file that is not executable",
            format!("run `chmod +x {path}` (and `git update-index --chmod=+x {path}` if it is committed), or run it through its interpreter (`bash {path}`)"),
            0..0,
        ),
        Problem::Crlf(first) => (
            format!("{who} {verb} `{path}`, which has Windows (CRLF) line endings; EB converts only hook files, so the shell reads a carriage return at the end of each line"),
            "runs a file with CRLF line endings",
            format!("convert it to LF line endings (`sed -i 's/\\r$//' {path}`), and add `*.sh text eol=lf` to `.gitattributes`"),
            first..first + 1,
        ),
    };
    let mut f = Finding::new(&RULE, at, message).label(label).help(help);
    if let Some(loc) = bundle.file_location(path, related_at) {
        f = f.related(loc, "this file");
    }
    // The fixes change the script, not the command that runs it: the step already runs it, and
    // fails on the missing bit or the carriage returns, so they change nothing but the failure.
    match problem {
        Problem::NotExecutable(_, origin) => f.fix(Fix::safe(
            format!("make `{path}` executable"),
            vec![make_executable(&bundle.display_path(path), origin)],
        )),
        Problem::Crlf(_) => match bundle.text_of(path) {
            Some(script) => f.fix_or_why(lf_line_endings(
                &script,
                &format!("convert `{path}` to LF line endings"),
            )),
            None => f,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Applicability, Edit};
    use crate::rules::common::testing::{apply, findings};

    const HOOK: &str = ".platform/hooks/predeploy/01_release.sh";

    #[test]
    fn the_fix_sets_the_bit_of_the_script_the_hook_executes() {
        let found = findings(
            &RULE,
            &[
                (HOOK, Some(0o755), "#!/bin/bash\n./scripts/release.sh\n"),
                ("scripts/release.sh", Some(0o644), "#!/bin/bash\necho\n"),
            ],
        );
        let fix = &found[0].fixes[0];
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            fix.edits,
            [Edit::MakeExecutable {
                path: "app/scripts/release.sh".into(),
                git: false
            }]
        );
    }

    #[test]
    fn the_fix_converts_the_script_not_the_hook() {
        let script = "export A=1\r\nexport B=2";
        let found = findings(
            &RULE,
            &[
                (HOOK, Some(0o755), "#!/bin/bash\n. scripts/env.sh\n"),
                ("scripts/env.sh", Some(0o644), script),
            ],
        );
        let fix = &found[0].fixes[0];
        assert!(fix.edits.iter().all(|e| e.path() == "app/scripts/env.sh"));
        assert_eq!(apply(script, fix), "export A=1\nexport B=2");
    }
}
