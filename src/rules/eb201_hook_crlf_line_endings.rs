//! EB201 hook-crlf-line-endings: a hook saved with Windows line endings.

use super::common::{lf_line_endings, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Known, Located, CRLF_FIXED_SINCE};

pub static RULE: Rule = Rule {
    id: "EB201",
    name: "hook-crlf-line-endings",
    severity: Severity::Error,
    summary: "A hook script has CRLF (Windows) line endings",
    doc: include_str!("../../rules/EB201-hook-crlf-line-endings.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    // Helper scripts in subfolders are not hooks: EB converts nothing for them, and EB204
    // reports one a hook runs or sources.
    for hook in runnable_hooks(bundle) {
        let Some(script) = hook.script() else {
            continue;
        };
        let Some(first) = script.find("\r\n") else {
            continue;
        };
        let lines = script.matches("\r\n").count();
        let on = if lines == 1 {
            "1 line".to_string()
        } else {
            format!("{lines} lines")
        };
        // With CRLF the shebang names `bash\r`, which does not exist: `no such file or
        // directory` (eb-facts §7 #3). Later CRs break commands instead.
        let breaks = if script.starts_with("#!") && !script[..first].contains('\n') {
            "its `#!` line names an interpreter ending in a carriage return (`no such file or directory`)"
        } else {
            "the shell reads a carriage return at the end of each command"
        };
        // AWS, *Platform hooks*: platform versions released on or after 2022-12-29 convert
        // hook text files to LF line endings themselves.
        let mut finding = match bundle.converts_crlf() {
            Known::No => {
                let platform = bundle.platform_described();
                Finding::new(
                    &RULE,
                    hook.location(first..first + 1),
                    format!("this hook has Windows (CRLF) line endings on {on}, and the pinned platform, {platform}, predates {CRLF_FIXED_SINCE}, when EB began converting them: {breaks}, so EB fails the deployment"),
                )
                .label("carriage return")
            }
            Known::Yes | Known::Unknown => {
                let mut f = Finding::new(
                    &RULE,
                    hook.location(first..first + 1),
                    format!("this hook has Windows (CRLF) line endings on {on}: EB platform versions released since {CRLF_FIXED_SINCE} convert them, but by hand, with `eb local` or on an older platform version {breaks}"),
                )
                .label("carriage return (portability)");
                f.severity = Severity::Info;
                f
            }
        };
        finding = finding.help(format!(
            "convert it to LF line endings (`sed -i 's/\\r$//' {}`), and add `.platform/** text eol=lf` to `.gitattributes`",
            hook.rel_path
        ));
        // The conversion platforms since 2022-12-29 make themselves before running the hook;
        // older ones fail on the carriage returns, so it changes nothing EB runs but the failure.
        out.push(finding.fix_or_why(lf_line_endings(&hook.source, "convert to LF line endings")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Applicability;
    use crate::rules::common::testing::{apply, findings};

    #[test]
    fn the_fix_converts_the_hook_to_lf_and_nothing_else() {
        let hook = ".platform/hooks/postdeploy/01_restart.sh";
        let text = "#!/bin/bash\r\nprintf 'a\\rb'\r\nsupervisorctl restart all";
        let found = findings(&RULE, &[(hook, Some(0o755), text)]);
        let fix = &found[0].fixes[0];
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            apply(text, fix),
            "#!/bin/bash\nprintf 'a\\rb'\nsupervisorctl restart all"
        );
    }
}
