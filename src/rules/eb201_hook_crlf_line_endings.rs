//! EB201 hook-crlf-line-endings: a hook saved with Windows line endings.

use super::common::hook_scripts;
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB201",
    name: "hook-crlf-line-endings",
    severity: Severity::Error,
    summary: "A hook script has CRLF (Windows) line endings",
    doc: include_str!("../../rules/EB201-hook-crlf-line-endings.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in hook_scripts(bundle) {
        let Some(script) = hook.script() else {
            continue;
        };
        let Some(first) = script.find("\r\n") else {
            continue;
        };
        let lines = script.matches("\r\n").count();
        // With CRLF the shebang names `bash\r`, which does not exist: EB fails with
        // `no such file or directory` (eb-facts §7 #3). Later CRs break commands instead.
        let on = if lines == 1 {
            "1 line".to_string()
        } else {
            format!("{lines} lines")
        };
        let what = if hook.phase.is_some() {
            "this hook"
        } else {
            "this helper script"
        };
        let message = if script.starts_with("#!") && !script[..first].contains('\n') {
            format!("{what} has Windows (CRLF) line endings on {on}, so its `#!` line names an interpreter ending in a carriage return and EB fails with `no such file or directory`")
        } else {
            format!("{what} has Windows (CRLF) line endings on {on}; the shell reads a carriage return at the end of each command")
        };
        out.push(
            Finding::new(&RULE, hook.location(first..first + 1), message)
                .label("carriage return")
                .help(format!(
                    "convert it to LF line endings (`sed -i 's/\\r$//' {}`), and add `.platform/** text eol=lf` to `.gitattributes`",
                    hook.rel_path
                )),
        );
    }
}
