//! EB202 hook-missing-shebang: a text hook that does not name its interpreter.

use super::common::{hook_first_line, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};

pub static RULE: Rule = Rule {
    id: "EB202",
    name: "hook-missing-shebang",
    severity: Severity::Error,
    summary: "A hook script does not start with `#!`",
    doc: include_str!("../../rules/EB202-hook-missing-shebang.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in runnable_hooks(bundle) {
        // Binaries are run directly; only scripts need `#!interpreter` (eb-facts §6.1).
        let Some(script) = hook.script() else {
            continue;
        };
        if script.starts_with("#!") {
            continue;
        }
        let message = if script.starts_with('\u{feff}') {
            "this hook starts with a byte-order mark before `#!`, so the system cannot tell which interpreter runs it and EB fails with `exec format error`"
        } else if script.trim().is_empty() {
            "this hook is empty, so EB fails with `exec format error` when it runs it"
        } else {
            "this hook does not start with `#!`, so the system cannot tell which interpreter runs it and EB fails with `exec format error`"
        };
        out.push(
            Finding::new(&RULE, hook.location(hook_first_line(hook)), message)
                .label("expected `#!/bin/bash` (or another interpreter) here")
                .help("make the first line `#!/bin/bash` (or the interpreter the script is written for), saved without a byte-order mark"),
        );
    }
}
