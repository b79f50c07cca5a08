//! EB202 hook-missing-shebang: a text hook that does not name its interpreter.

use super::common::{hook_first_line, runnable_hooks};
use super::{Rule, Settings};
use crate::finding::{Edit, Finding, Fix, Severity};
use crate::model::{Bundle, Hook, Located};

pub static RULE: Rule = Rule {
    id: "EB202",
    name: "hook-missing-shebang",
    severity: Severity::Error,
    summary: "A hook script does not start with `#!`",
    doc: include_str!("../../rules/EB202-hook-missing-shebang.md"),
    check,
};

/// A UTF-8 byte-order mark, which editors on Windows put before the first line.
const BOM: char = '\u{feff}';

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for hook in runnable_hooks(bundle) {
        // Binaries are run directly; only scripts need `#!interpreter` (eb-facts §6.1).
        let Some(script) = hook.script() else {
            continue;
        };
        if script.starts_with("#!") {
            continue;
        }
        let message = if script.starts_with(BOM) {
            "this hook starts with a byte-order mark before `#!`, so the system cannot tell which interpreter runs it and EB fails with `exec format error`"
        } else if script.trim().is_empty() {
            "this hook is empty, so EB fails with `exec format error` when it runs it"
        } else {
            "this hook does not start with `#!`, so the system cannot tell which interpreter runs it and EB fails with `exec format error`"
        };
        out.push(
            Finding::new(&RULE, hook.location(hook_first_line(hook)), message)
                .label("expected `#!/bin/bash` (or another interpreter) here")
                .help("make the first line `#!/bin/bash` (or the interpreter the script is written for), saved without a byte-order mark")
                .fix_or_why(fix(hook, script)),
        );
    }
}

/// EB fails every deployment on this hook, whatever the platform version. Removing a
/// byte-order mark that hides a `#!` line runs the interpreter the author wrote: safe. Adding
/// `#!/bin/bash` to a script named `.sh` runs a hook that never ran, with an interpreter
/// ebguard chose: unsafe. Other names give no hint of the language.
fn fix(hook: &Hook, script: &str) -> Result<Fix, String> {
    let bom = if script.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let edit = |text: &str| {
        vec![Edit::Replace {
            at: hook.location(0..bom),
            text: text.to_string(),
        }]
    };
    if script[bom..].starts_with("#!") {
        return Ok(Fix::safe(
            "remove the byte-order mark before `#!`",
            edit(""),
        ));
    }
    if script.trim_start_matches(BOM).trim().is_empty() {
        return Err("an empty hook has nothing to run: delete it, or write the script".into());
    }
    let name = hook.rel_path.rsplit('/').next().unwrap_or_default();
    if !(name.ends_with(".sh") || name.ends_with(".bash")) {
        return Err("ebguard cannot tell which language the script is written in; add its `#!` line by hand".into());
    }
    Ok(Fix::unsafe_(
        "add `#!/bin/bash` as the first line",
        edit("#!/bin/bash\n"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Applicability;
    use crate::rules::common::testing::{apply, findings};

    /// The fix for a prebuild hook named `name` holding `text`: its kind and result, or why not.
    fn fixed(name: &str, text: &str) -> Result<(Applicability, String), String> {
        let path = format!(".platform/hooks/prebuild/{name}");
        let found = findings(&RULE, &[(&path, Some(0o755), text)]);
        let [finding] = found.as_slice() else {
            panic!("{found:?}")
        };
        match finding.fixes.first() {
            Some(fix) => Ok((fix.applicability, apply(text, fix))),
            None => Err(finding.no_fix.clone().expect("a reason")),
        }
    }

    #[test]
    fn a_byte_order_mark_before_the_shebang_is_removed_safely() {
        assert_eq!(
            fixed("01.sh", "\u{feff}#!/bin/sh\necho\n"),
            Ok((Applicability::Safe, "#!/bin/sh\necho\n".into()))
        );
    }

    #[test]
    fn a_shell_script_gets_bash_only_as_an_unsafe_fix() {
        assert_eq!(
            fixed("01.sh", "npm ci\n"),
            Ok((Applicability::Unsafe, "#!/bin/bash\nnpm ci\n".into()))
        );
        assert_eq!(
            fixed("02.bash", "\u{feff}npm ci"),
            Ok((Applicability::Unsafe, "#!/bin/bash\nnpm ci".into()))
        );
    }

    #[test]
    fn no_interpreter_is_guessed_for_other_names_or_empty_hooks() {
        assert!(fixed("01_migrate", "python manage.py migrate\n").is_err());
        assert!(fixed("02.sh", "  \n").is_err());
    }
}
