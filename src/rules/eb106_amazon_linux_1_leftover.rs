//! EB106 amazon-linux-1-leftover: paths and tools that only existed on Amazon Linux 1.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, Located};
use crate::yaml::NodeKind;

pub static RULE: Rule = Rule {
    id: "EB106",
    name: "amazon-linux-1-leftover",
    severity: Severity::Warning,
    summary: "A path or tool that exists only on the retired Amazon Linux 1 platforms",
    doc: include_str!("../../rules/EB106-amazon-linux-1-leftover.md"),
    check,
};

/// AL1 path, what it was, and its Amazon Linux 2/2023 replacement (eb-facts §4.4, §6.1,
/// §7 #16, #17).
const LEFTOVERS: &[(&str, &str, &str)] = &[
    (
        "/opt/python/run/venv",
        "the Amazon Linux 1 Python virtualenv, which Amazon Linux 2 and 2023 do not have",
        "activate the current one with `source /var/app/venv/*/bin/activate`",
    ),
    (
        "/opt/python/current/app",
        "the Amazon Linux 1 Python app directory, which Amazon Linux 2 and 2023 do not have",
        "use `/var/app/current`",
    ),
    (
        "/opt/python/ondeck",
        "the Amazon Linux 1 Python staging directory, which Amazon Linux 2 and 2023 do not have",
        "use `/var/app/staging`",
    ),
    (
        "/var/app/ondeck",
        "the Amazon Linux 1 staging directory, which Amazon Linux 2 and 2023 do not have",
        "use `/var/app/staging`",
    ),
    (
        "/opt/elasticbeanstalk/hooks",
        "the Amazon Linux 1 hook directory, which Amazon Linux 2 and 2023 never run",
        "ship the script in the bundle as `.platform/hooks/<prebuild|predeploy|postdeploy>/<name>` (and `.platform/confighooks/` for configuration deployments)",
    ),
    (
        "/usr/bin/leader_only",
        "an Amazon Linux 1 helper, which Amazon Linux 2 and 2023 do not install",
        "use `leader_only: true` on the container command, or wrap it as `ebguard migrate -- <command>`",
    ),
];

/// Any leftover at all: one pass over a scalar instead of one search per path. Every config
/// scalar is looked at, so this is the rule's hot path (bench/run.sh).
static ANY_LEFTOVER: LazyLock<Regex> = LazyLock::new(|| {
    let paths: Vec<String> = LEFTOVERS.iter().map(|(p, _, _)| regex::escape(p)).collect();
    Regex::new(&paths.join("|")).expect("escaped literals form a valid regex")
});

fn may_hold_leftover(text: &str) -> bool {
    text.contains('/') && ANY_LEFTOVER.is_match(text)
}

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.configs {
        // Each node once, aliases skipped: an alias repeats its anchor, which is reported
        // where it is written, and an alias bomb costs nothing here.
        for node in file.doc.all_nodes() {
            if node.is_alias() {
                continue;
            }
            let NodeKind::Scalar { value, .. } = node.kind() else {
                continue;
            };
            let span = node.span();
            let written = file.source.text.get(span.clone()).unwrap_or_default();
            if !may_hold_leftover(value) && !may_hold_leftover(written) {
                continue;
            }
            for (path, what, fix) in LEFTOVERS {
                let in_source = matches(written, path);
                if in_source.is_empty() {
                    // Escapes or line folding hide the path in the source: point at the scalar.
                    if !matches(value, path).is_empty() {
                        out.push(finding(file.location(span.clone()), path, what, fix));
                    }
                    continue;
                }
                for at in in_source {
                    let range = span.start + at.start..span.start + at.end;
                    out.push(finding(file.location(range), path, what, fix));
                }
            }
        }
    }
    for hook in &bundle.hooks {
        let Some(script) = hook.script().filter(|s| may_hold_leftover(s)) else {
            continue;
        };
        for (path, what, fix) in LEFTOVERS {
            for at in matches(script, path) {
                out.push(finding(hook.location(at), path, what, fix));
            }
        }
    }
}

/// Occurrences of `path` as a whole path prefix: not followed by more of a name
/// (`/opt/python/run/venv2` is someone else's directory).
fn matches(text: &str, path: &str) -> Vec<Range<usize>> {
    text.match_indices(path)
        .filter(|(i, m)| {
            !text[i + m.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
        .map(|(i, m)| i..i + m.len())
        .collect()
}

fn finding(location: crate::source::Location, path: &str, what: &str, fix: &str) -> Finding {
    Finding::new(&RULE, location, format!("`{path}` is {what}"))
        .label("Amazon Linux 1 only")
        .help(fix.to_string())
}
