//! Inline suppressions: `# ebguard: ignore[EB001] reason` on the finding's line, or alone on
//! the line above it, in `.ebextensions/*.config` files and in hook scripts. Applied after the
//! rules ran; suppressions that silence nothing (EB900) or cannot be read (EB901) are reported
//! so they do not outlive the problem they were written for.

use std::ops::Range;

use crate::finding::{Edit, Finding, Fix};
use crate::model::Bundle;
use crate::rules::{self, Rule};
use crate::source::{Location, SourceFile};

const MARKER: &str = "ebguard:";

/// Rules a suppression names, with each ID's byte range in the file.
type Named = Vec<(&'static Rule, Range<usize>)>;

/// One `# ebguard: ...` comment.
#[derive(Debug)]
struct Suppression {
    location: Location,
    /// Whether nothing but the comment is on its line, so it also covers the next line.
    own_line: bool,
    /// Whether it stands alone right below a hook's `#!` line, so it also covers line 1, where
    /// findings about the whole hook (mode, line endings, shebang) point and no comment fits.
    below_shebang: bool,
    rules: Named,
    /// Why the finding is acceptable, as written after the `]`.
    reason: String,
    /// In a hook script (a shell comment), rather than a configuration file.
    in_script: bool,
}

impl Suppression {
    fn covers(&self, finding: &Finding) -> bool {
        let line = self.location.start.line;
        let at = finding.location.start.line;
        finding.location.path == self.location.path
            && (at == line || (self.own_line && at == line + 1) || (self.below_shebang && at == 1))
    }
}

/// Why a comment that starts with `ebguard:` is not a suppression.
type Malformed = (Range<usize>, String);

/// Reads the directive in the comment text `text` (after `#`), which starts at byte `at` of
/// its file. `None` when the comment is not meant for ebguard.
fn parse(text: &str, at: usize) -> Option<Result<(Named, String), Malformed>> {
    let rest = text.trim_start().strip_prefix(MARKER)?;
    let whole = at..at + text.trim_end().len();
    let offset = |s: &str| at + (s.as_ptr() as usize - text.as_ptr() as usize);
    let directive = rest.trim_start();
    let Some(list) = directive.strip_prefix("ignore[") else {
        return Some(Err((
            whole,
            "an ebguard comment must read `ebguard: ignore[EB001] reason`".into(),
        )));
    };
    let Some((ids, reason)) = list.split_once(']') else {
        return Some(Err((
            whole,
            "the rule list is missing its closing `]`".into(),
        )));
    };
    let mut rules = Vec::new();
    for id in ids.split(',') {
        let trimmed = id.trim();
        let start = offset(id) + (id.len() - id.trim_start().len());
        let span = start..start + trimmed.len();
        if trimmed.is_empty() {
            return Some(Err((
                whole,
                "the rule list has an empty entry; name rules as in `ignore[EB001,EB008]`".into(),
            )));
        }
        match rules::by_id(trimmed) {
            Some(rule) => rules.push((rule, span)),
            None => {
                return Some(Err((
                    span,
                    format!("`{trimmed}` is not a rule ID; `ebguard rules` lists them"),
                )))
            }
        }
    }
    if reason.trim().is_empty() {
        return Some(Err((
            whole,
            "the suppression gives no reason; say why after the `]` so reviewers can judge it"
                .into(),
        )));
    }
    Some(Ok((rules, reason.trim().to_string())))
}

/// `#` comments in a shell script that may hold a directive: a `#` at the start of a word,
/// outside single and double quotes (tracked per line, which is enough for comments that
/// stand alone or end a command line), that the parser also reads as a comment: a line of a
/// heredoc body or of a multi-line string is text a command receives. Returns (text after `#`,
/// its offset, own line).
fn shell_comments(script: &str) -> Vec<(&str, usize, bool)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in script.split_inclusive('\n') {
        let mut quote = None;
        let mut prev = b' ';
        for (i, &b) in line.as_bytes().iter().enumerate() {
            match (quote, b) {
                (Some(q), _) if b == q && !(q == b'"' && prev == b'\\') => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') if prev != b'\\' => quote = Some(b),
                (None, b'#') if prev.is_ascii_whitespace() || i == 0 => {
                    let text = line[i + 1..].trim_end_matches(['\n', '\r']);
                    if text.contains(MARKER) {
                        let own_line = line[..i].trim().is_empty();
                        out.push((text, line_start + i + 1, own_line));
                    }
                    break;
                }
                _ => {}
            }
            prev = b;
        }
        line_start += line.len();
    }
    if !out.is_empty() {
        let comments = crate::shell::comment_starts(script);
        out.retain(|&(_, at, _)| comments.binary_search(&(at - 1)).is_ok());
    }
    out
}

fn own_line(source: &SourceFile, hash: usize) -> bool {
    let line = source.lines.position(&source.text, hash).line;
    let start = source.lines.line_span(&source.text, line).start;
    source.text[start..hash.min(source.text.len())]
        .trim()
        .is_empty()
}

/// Every `# ebguard:` comment of the bundle: the suppressions, and EB901 findings for those
/// that cannot be read.
fn directives(bundle: &Bundle) -> (Vec<Suppression>, Vec<Finding>) {
    let mut suppressions = Vec::new();
    let mut problems = Vec::new();
    let mut read =
        |source: &SourceFile, text: &str, at: usize, own: bool, in_script: bool| match parse(
            text, at,
        ) {
            None => {}
            Some(Ok((rules, reason))) => {
                let location = source.location(at - 1..at + text.trim_end().len());
                let below_shebang =
                    own && location.start.line == 2 && source.text.starts_with("#!");
                suppressions.push(Suppression {
                    location,
                    own_line: own,
                    below_shebang,
                    rules,
                    reason,
                    in_script,
                })
            }
            Some(Err((span, message))) => problems.push(
                Finding::new(
                    &rules::eb901_invalid_suppression::RULE,
                    source.location(span),
                    message,
                )
                .label("not a suppression")
                .help("write `# ebguard: ignore[EB001] why this is safe`"),
            ),
        };
    for config in &bundle.configs {
        for comment in &config.doc.comments {
            // The comment's span starts at `#`; its text is what follows.
            let at = comment.span.start + 1;
            read(
                &config.source,
                &comment.text,
                at,
                own_line(&config.source, comment.span.start),
                false,
            );
        }
    }
    for hook in &bundle.hooks {
        if let Some(script) = hook.script() {
            for (text, at, own) in shell_comments(script) {
                read(&hook.source, text, at, own, true);
            }
        }
    }
    (suppressions, problems)
}

/// EB901: the `# ebguard:` comments that are not suppressions.
pub fn malformed(bundle: &Bundle) -> Vec<Finding> {
    directives(bundle).1
}

/// What the suppressions of one bundle did to its findings.
pub struct Applied {
    /// Findings no suppression covers, plus EB900 findings.
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
}

/// A finding an inline suppression silenced, and the reason the suppression gives.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
}

/// Removes the findings that a suppression covers and reports unused suppressions (EB900).
/// `enabled` tells whether a rule ran, so a suppression of a rule the configuration turned off
/// is not reported as unused. EB900 needs every other rule's findings, so it is reported here
/// rather than by its rule's check.
pub fn apply(bundle: &Bundle, findings: Vec<Finding>, enabled: &dyn Fn(&Rule) -> bool) -> Applied {
    let (suppressions, _) = directives(bundle);
    let mut used = vec![Vec::new(); suppressions.len()];
    for (s, u) in suppressions.iter().zip(&mut used) {
        *u = vec![false; s.rules.len()];
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let mut hit: Option<&str> = None;
        for (s, u) in suppressions.iter().zip(&mut used) {
            if !s.covers(&finding) {
                continue;
            }
            for ((rule, _), used) in s.rules.iter().zip(u.iter_mut()) {
                if rule.id == finding.rule.id {
                    *used = true;
                    hit.get_or_insert(&s.reason);
                }
            }
        }
        if let Some(reason) = hit {
            let reason = reason.to_string();
            suppressed.push(Suppressed { finding, reason });
        } else {
            kept.push(finding);
        }
    }
    let unused = &rules::eb900_unused_suppression::RULE;
    for (s, u) in suppressions.iter().zip(&used) {
        // Entries of rules the configuration turned off stay: they may silence something
        // once the rule is on again.
        let removable: Vec<bool> = s
            .rules
            .iter()
            .zip(u)
            .map(|((rule, _), used)| !*used && enabled(rule))
            .collect();
        for (i, (rule, span)) in s.rules.iter().enumerate() {
            if !removable[i] {
                continue;
            }
            let Some(source) = bundle.source(&s.location.path) else {
                continue;
            };
            kept.push(
                Finding::new(
                    unused,
                    source.location(span.clone()),
                    format!(
                        "this suppression of {} matches no {} finding on its line{}",
                        rule.id,
                        rule.id,
                        match (s.below_shebang, s.own_line) {
                            (true, _) => ", the next, or the `#!` line",
                            (false, true) => " or the next",
                            (false, false) => "",
                        }
                    ),
                )
                .label("suppresses nothing")
                .help("remove it if the problem is fixed, or move it onto the finding's line or the line above")
                .fix(removal(source, s, &removable, i)),
            );
        }
    }
    if !enabled(unused) {
        kept.retain(|f| f.rule != unused);
    }
    Applied {
        findings: kept,
        suppressed,
    }
}

/// Removes the unused rule `i` of `s`: the whole comment when every rule it names is unused
/// (with its line when it stands alone), else the rule's ID and one separator. A comment runs
/// nothing, so removing one changes nothing EB does.
fn removal(source: &SourceFile, s: &Suppression, removable: &[bool], i: usize) -> Fix {
    let text = source.text.as_str();
    let hash = s.location.span.start;
    let edit = |span: Range<usize>, title: String| {
        Fix::safe(
            title,
            vec![Edit::Replace {
                at: source.location(span),
                text: String::new(),
            }],
        )
    };
    if removable.iter().all(|r| *r) {
        let line = source.lines.position(text, hash).line;
        let content = source.lines.line_span(text, line);
        let after_break = text[content.end..]
            .find('\n')
            .map_or(text.len(), |n| content.end + n + 1);
        // In a script, a line after `\` continues that command: dropping the line break
        // would join it to the next one.
        let continued = s.in_script
            && text[..content.start]
                .trim_end_matches(['\n', '\r'])
                .ends_with('\\');
        let span = if s.own_line && !continued {
            content.start..after_break
        } else {
            let before = text[content.start..hash].trim_end().len();
            let start = if s.own_line {
                hash
            } else {
                content.start + before
            };
            start..content.end
        };
        return edit(span, "remove the unused suppression comment".into());
    }
    let ids = &s.rules;
    // The ID with the separator before it, or after it for the first.
    let span = match i {
        0 => ids[0].1.start..ids[1].1.start,
        _ => ids[i - 1].1.end..ids[i].1.end,
    };
    edit(span, format!("remove {} from the suppression", ids[i].0.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_name_rules_and_give_a_reason() {
        let text = " ebguard: ignore[EB001, EB008] runs once from CI";
        let (rules, reason) = parse(text, 10).unwrap().unwrap();
        assert_eq!(reason, "runs once from CI");
        let ids: Vec<_> = rules.iter().map(|(r, _)| r.id).collect();
        assert_eq!(ids, ["EB001", "EB008"]);
        assert_eq!(&text[rules[1].1.start - 10..rules[1].1.end - 10], "EB008");
        assert!(parse(" just a comment", 0).is_none());
    }

    #[test]
    fn malformed_directives_say_what_is_wrong() {
        for (text, expected) in [
            (" ebguard: disable[EB001] x", "must read"),
            (" ebguard: ignore[EB001 x", "closing"),
            (" ebguard: ignore[EB001,] x", "empty entry"),
            (" ebguard: ignore[EB999] x", "`EB999` is not a rule ID"),
            (" ebguard: ignore[EB001]", "no reason"),
        ] {
            let (_, message) = parse(text, 0).unwrap().unwrap_err();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn shell_comments_skip_quoted_hashes() {
        let script = "#!/bin/sh\necho '# ebguard: no' # ebguard: ignore[EB001] a\n  # ebguard: x\nfoo#ebguard: not a comment\ncat <<EOF\n# ebguard: heredoc text\nEOF\necho \"a\n# ebguard: string\"\n";
        let found: Vec<_> = shell_comments(script)
            .into_iter()
            .map(|(t, _, own)| (t, own))
            .collect();
        assert_eq!(
            found,
            [(" ebguard: ignore[EB001] a", false), (" ebguard: x", true)]
        );
    }

    /// The text of the one file of `files` after each EB900 finding's fix, applied alone.
    fn removed(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<(&str, Option<u32>, &[u8])> = files
            .iter()
            .map(|&(p, t)| (p, Some(0o755), t.as_bytes()))
            .collect();
        let bundle = crate::bundle::in_memory("app", &files, crate::yaml::Limits::default());
        let findings = rules::check(&bundle, &rules::Settings::default());
        let applied = apply(&bundle, findings, &|_| true);
        applied
            .findings
            .iter()
            .filter(|f| f.rule.id == "EB900")
            .map(|f| {
                let text = &bundle.source(&f.location.path).unwrap().text;
                crate::rules::common::testing::apply(text, &f.fixes[0])
            })
            .collect()
    }

    #[test]
    fn an_unused_suppression_alone_on_its_line_goes_with_its_line() {
        let config = "container_commands:\r\n  # ebguard: ignore[EB001] run from CI\r\n  01_static:\r\n    command: echo\r\n";
        let fixed = removed(&[(".ebextensions/01.config", config)]);
        assert_eq!(
            fixed,
            ["container_commands:\r\n  01_static:\r\n    command: echo\r\n"]
        );
    }

    #[test]
    fn a_trailing_suppression_goes_without_the_line() {
        let hook = "#!/bin/bash\necho hi  # ebguard: ignore[EB006] old   \necho bye";
        let fixed = removed(&[(".platform/hooks/predeploy/01.sh", hook)]);
        assert_eq!(fixed, ["#!/bin/bash\necho hi\necho bye"]);
    }

    #[test]
    fn only_the_unused_rule_leaves_a_list() {
        let hook = "#!/bin/bash\n# ebguard: ignore[EB008, EB006 ,EB011] migrated by CI\npython manage.py migrate\n";
        let fixed = removed(&[(".platform/hooks/predeploy/01.sh", hook)]);
        let line = |l: &str| {
            format!(
                "#!/bin/bash\n# ebguard: ignore[{l}] migrated by CI\npython manage.py migrate\n"
            )
        };
        assert_eq!(fixed, [line("EB006 ,EB011"), line("EB008, EB006")]);
    }

    #[test]
    fn a_line_after_a_continuation_stays() {
        let hook = "#!/bin/bash\necho a \\\n  # ebguard: ignore[EB001] end\n";
        let fixed = removed(&[(".platform/hooks/predeploy/01.sh", hook)]);
        // The command still ends where the comment ended it.
        assert_eq!(fixed, ["#!/bin/bash\necho a \\\n  \n"]);
    }
}
