//! Questions several rules ask of commands, answered once.

use std::ops::Range;

use crate::finding::{Edit, Fix};
use crate::model::{
    Bundle, Command, ConfigFile, EffectiveOption, Hook, LeaderOnly, Located, ModeOrigin,
};
use crate::shell::MigrationCall;
use crate::source::{Location, SourceFile};
use crate::yaml::{NodeId, NodeKind, NodeRef, ScalarStyle};

use super::Settings;

/// A span-tree edit of `file` as a fix edit.
pub fn text_edit(file: &impl Located, edit: crate::yaml::edit::TextEdit) -> Edit {
    Edit::Replace {
        at: file.location(edit.span),
        text: edit.text,
    }
}

/// `chmod +x` of the file at display path `path`, in git's index too when that is where its
/// mode comes from: `eb deploy` in a git work tree ships the index's mode (eb-facts §7 #4).
pub fn make_executable(path: &str, origin: ModeOrigin) -> Edit {
    Edit::MakeExecutable {
        path: path.to_string(),
        git: origin == ModeOrigin::GitIndex,
    }
}

/// The fix for Windows line endings in a script: delete each carriage return that ends a line,
/// and nothing else (a lone `\r` inside a line stays, as `dos2unix` leaves it). `Err` when the
/// file is not UTF-8 text: its offsets would not be the file's bytes.
pub fn lf_line_endings(file: &SourceFile, title: &str) -> Result<Fix, String> {
    // The bundle reads scripts lossily: a replacement character stands for bytes that are
    // not UTF-8, after which offsets in the text no longer match the file.
    if file.text.contains('\u{fffd}') {
        return Err("the file is not valid UTF-8 text, so ebguard does not edit it; convert it with `dos2unix`".into());
    }
    let edits = file
        .text
        .match_indices("\r\n")
        .map(|(at, _)| Edit::Replace {
            at: file.location(at..at + 1),
            text: String::new(),
        })
        .collect();
    Ok(Fix::safe(title, edits))
}

/// An unsafe fix moving the bundle file `from` to `to` (both relative to the bundle root), where
/// EB reads or runs it (`place` says which, in the title): unsafe, because EB then applies what
/// it never did. Never over anything already at `to`, nor when another of `moves` (every
/// `(from, to)` the rule proposes) goes to the same place.
pub fn move_into_view(
    bundle: &Bundle,
    from: &str,
    to: &str,
    moves: &[(&str, &str)],
    place: &str,
) -> Result<Fix, String> {
    if bundle.holds(to) {
        return Err(format!(
            "`{to}` already exists, and moving the file there would overwrite it"
        ));
    }
    if let Some((other, _)) = moves.iter().find(|(f, t)| *f != from && *t == to) {
        return Err(format!(
            "`{other}` would move to `{to}` too; keep one of the two"
        ));
    }
    let dir = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_owned());
    let verb = if dir(from) == dir(to) {
        "rename"
    } else {
        "move"
    };
    Ok(Fix::unsafe_(
        format!("{verb} it to `{to}`, {place}"),
        vec![Edit::Rename {
            from: bundle.display_path(from),
            to: bundle.display_path(to),
        }],
    ))
}

/// Whether the node `target` of `file` can be edited where it is written: reached from the
/// document root through mappings' own entries and list items only (no alias, no `<<` merge
/// on the way), and not inside an anchored node that an alias repeats. Otherwise the edit would
/// land in an anchor shared with other places, and change them too. The reason reads after
/// the name of what was to be edited ("`command` is an alias ...").
pub fn editable(file: &ConfigFile, target: NodeId) -> Result<(), String> {
    let Some(root) = file.doc.root() else {
        return Err("the file holds no configuration".into());
    };
    // Depth-first over written nodes, remembering each node's parent to rebuild the path.
    let mut seen: Vec<(NodeRef<'_>, Option<usize>)> = vec![(root, None)];
    let mut stack = vec![0];
    let mut found = None;
    while let Some(at) = stack.pop() {
        let node = seen[at].0;
        if node.id() == target {
            found = Some(at);
            break;
        }
        if node.is_alias() {
            continue;
        }
        let children: Vec<NodeId> = match node.kind() {
            NodeKind::Mapping(pairs) => pairs
                .iter()
                .filter(|&&(k, _)| !is_merge_key(node.doc_node(k)))
                .flat_map(|&(k, v)| [v, k])
                .collect(),
            NodeKind::Sequence(items) => items.iter().rev().copied().collect(),
            _ => Vec::new(),
        };
        for child in children {
            seen.push((node.doc_node(child), Some(at)));
            stack.push(seen.len() - 1);
        }
    }
    let Some(mut at) = found else {
        return Err("comes from a `<<` merge or an alias of an anchored value; editing the anchor would change every place that uses it, so edit it by hand".into());
    };
    if seen[at].0.is_alias() {
        return Err("is an alias of an anchored value; editing the anchor would change every place that uses it, so edit it by hand".into());
    }
    let aliases: Vec<NodeRef<'_>> = file.doc.all_nodes().filter(|n| n.is_alias()).collect();
    loop {
        let node = seen[at].0;
        // An alias resolves to the very node it repeats: the same arena entry.
        if aliases.iter().any(|a| std::ptr::eq(a.kind(), node.kind())) {
            return Err("is inside an anchored value that an alias repeats elsewhere; editing it would change every place that uses it, so edit it by hand".into());
        }
        match seen[at].1 {
            Some(parent) => at = parent,
            None => return Ok(()),
        }
    }
}

/// A YAML 1.1 merge key, `<<`.
fn is_merge_key(key: NodeRef<'_>) -> bool {
    key.as_str() == Some("<<") && key.scalar_style() == Some(ScalarStyle::Plain)
}

/// The `DeploymentPolicy` setting when it is `TrafficSplitting`: such deployments elect no
/// command leader, so `leader_only` commands never run (eb-facts §2.3, §7 #13).
pub fn traffic_splitting(bundle: &Bundle) -> Option<EffectiveOption<'_>> {
    bundle
        .effective_option("aws:elasticbeanstalk:command", "DeploymentPolicy")
        .filter(|p| p.setting.value.as_deref() == Some("TrafficSplitting"))
}

/// The deployment `Timeout` EB applies, in seconds: the effective
/// `aws:elasticbeanstalk:command` option, else EB's default (eb-facts §3.1). `None` when the
/// setting is not a number (a CloudFormation function; EB103 reports junk).
pub fn deploy_timeout(configured: Option<EffectiveOption<'_>>) -> Option<i64> {
    match configured {
        Some(opt) => crate::model::integer_value(opt.setting.value.as_deref()),
        None => Some(i64::from(super::DEFAULT_DEPLOY_TIMEOUT)),
    }
}

/// The migrations a hook script applies, following the files it runs; analysed once per bundle
/// whichever rule asks first (the model caches it).
pub fn hook_migrations(bundle: &Bundle, hook: &Hook, settings: &Settings) -> Vec<MigrationCall> {
    bundle
        .hook_analysis(hook, &settings.recognizer)
        .map(|a| a.migrations.clone())
        .unwrap_or_default()
}

/// Related locations for a migration found inside other files of the bundle: where the
/// migration is, then (when the chain is longer) the first file followed.
pub fn via_related(bundle: &Bundle, call: &MigrationCall) -> Vec<(Location, String)> {
    let mut out = Vec::new();
    if let Some(last) = call.via.last() {
        if let Some(at) = bundle.file_location(&last.path, last.range.clone()) {
            out.push((at, format!("applies {} migrations here", call.tool)));
        }
    }
    if call.via.len() > 1 {
        let first = &call.via[0];
        if let Some(at) = bundle.file_location(&first.path, first.range.clone()) {
            out.push((at, "through this command".to_string()));
        }
    }
    out
}

/// Container commands that run only on a deployment's leader (`leader_only: true`), with the
/// location of their `leader_only` key: what EB007 and EB009 point at.
pub fn leader_only_commands(
    bundle: &Bundle,
) -> impl Iterator<Item = (&ConfigFile, &Command, Location)> {
    bundle.container_commands().filter_map(|(file, cmd)| {
        if cmd.leader_only(file) != LeaderOnly::True {
            return None;
        }
        let (key, _) = cmd.entry("leader_only")?;
        Some((file, cmd, file.location(file.node(key).span())))
    })
}

/// Where `command:` applies migrations, following the files it runs (see
/// [`Bundle::command_analysis`]).
pub fn migrations(
    bundle: &Bundle,
    file: &ConfigFile,
    cmd: &Command,
    settings: &Settings,
) -> Vec<MigrationCall> {
    bundle
        .command_analysis(file, cmd, &settings.recognizer)
        .migrations
        .clone()
}

/// The hooks EB runs: files directly in a phase folder of `.platform/hooks` or
/// `.platform/confighooks`. Files elsewhere are EB203's; checking their mode or content too
/// would report one misplaced file several times.
pub fn runnable_hooks(bundle: &Bundle) -> impl Iterator<Item = &Hook> {
    bundle
        .hooks
        .iter()
        .filter(|h| h.kind.is_some() && h.phase.is_some())
}

/// The hook's first line, where findings about the whole script point.
pub fn hook_first_line(hook: &Hook) -> Range<usize> {
    hook.source.lines.line_span(&hook.source.text, 1)
}

/// A CloudFormation function object, `{"Ref": ...}` or `{"Fn::...": ...}`, which EB evaluates
/// wherever a value is expected (eb-facts §1.6), or the same written with a short-form tag.
pub fn is_cfn_function(node: NodeRef<'_>) -> bool {
    if node.tag().is_some_and(|t| t.starts_with('!')) {
        return true;
    }
    match node.entries().as_slice() {
        [(key, _)] => key
            .as_str()
            .is_some_and(|k| k == "Ref" || k.starts_with("Fn::")),
        _ => false,
    }
}

/// The candidate closest to `word` when it is plausibly a misspelling of it: same letters
/// ignoring case and `-`/`_`, or at most two edits away (one for short words).
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let folded = fold(word);
    let budget = if folded.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (edit_distance(&folded, &fold(c)), *c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars; inputs here are short keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Helpers for the rules' tests: findings on an in-memory bundle, and fixes applied to text.
#[cfg(test)]
pub mod testing {
    use crate::finding::{Edit, Finding, Fix};
    use crate::rules::{Rule, Settings};
    use crate::source::Location;

    /// The bundle `app` made of `files` (path under the bundle root, mode, text).
    pub fn bundle(files: &[(&str, Option<u32>, &str)]) -> crate::model::Bundle {
        let files: Vec<(&str, Option<u32>, &[u8])> = files
            .iter()
            .map(|&(p, m, t)| (p, m, t.as_bytes()))
            .collect();
        crate::bundle::in_memory("app", &files, crate::yaml::Limits::default())
    }

    /// The findings of `rule` on the bundle `app` made of `files` (path, mode, text).
    pub fn findings(rule: &Rule, files: &[(&str, Option<u32>, &str)]) -> Vec<Finding> {
        crate::rules::check(&bundle(files), &Settings::default())
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// The text edits of `fix`, from the end of the file backwards, as `--fix` applies them.
    pub fn text_edits(fix: &Fix) -> Vec<(&Location, &str)> {
        let mut edits: Vec<_> = fix
            .edits
            .iter()
            .map(|e| match e {
                Edit::Replace { at, text } => (at, text.as_str()),
                other => panic!("not a text edit: {other:?}"),
            })
            .collect();
        edits.sort_by_key(|(at, _)| std::cmp::Reverse(at.span.start));
        edits
    }

    /// `text` with the text edits of `fix` applied.
    pub fn apply(text: &str, fix: &Fix) -> String {
        let mut out = text.to_string();
        for (at, new) in text_edits(fix) {
            out.replace_range(at.span.clone(), new);
        }
        out
    }
}

/// Runs fixes on in-memory bundles, for the rules' unit tests that pin each fix's exact text.
#[cfg(test)]
pub(crate) mod fixing {
    use super::testing::text_edits;
    use crate::finding::{Applicability, Finding};
    use crate::model::Bundle;
    use crate::rules::{self, Settings};

    /// An in-memory bundle of `files` (path under the bundle root, text).
    pub fn bundle(files: &[(&str, &str)]) -> Bundle {
        let files: Vec<_> = files.iter().map(|&(p, t)| (p, None, t)).collect();
        super::testing::bundle(&files)
    }

    fn rule_ids(findings: &[Finding]) -> Vec<&'static str> {
        let mut ids: Vec<_> = findings.iter().map(|f| f.rule.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Every finding on the bundle of `files` (path under the bundle root, text).
    pub fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
        rules::check(&bundle(files), &Settings::default())
    }

    /// The one finding of rule `id` on `files`.
    pub fn finding(id: &str, files: &[(&str, &str)]) -> Finding {
        let mut found: Vec<Finding> = findings(files)
            .into_iter()
            .filter(|f| f.rule.id == id)
            .collect();
        assert_eq!(found.len(), 1, "{id} findings: {found:#?}");
        found.remove(0)
    }

    /// Applies fix number `n` of the one `id` finding on `files` and returns its title and the
    /// texts after it, in the order of `files`. Checks what every fix must do: it is unsafe as
    /// `applicability` says, and on the edited bundle the finding is gone and no other appears.
    pub fn apply(
        id: &str,
        n: usize,
        applicability: Applicability,
        files: &[(&str, &str)],
    ) -> (String, Vec<String>) {
        let before = findings(files);
        let target = before
            .iter()
            .position(|f| f.rule.id == id)
            .expect("a finding");
        let fix = before[target].fixes.get(n).unwrap_or_else(|| {
            panic!("no fix #{n}: {:?}", before[target]);
        });
        assert_eq!(fix.applicability, applicability, "{}", fix.title);
        let mut texts: Vec<String> = files.iter().map(|(_, t)| t.to_string()).collect();
        for (at, text) in text_edits(fix) {
            let i = files
                .iter()
                .position(|(p, _)| at.path == format!("app/{p}"))
                .expect("an edit of a given file");
            texts[i].replace_range(at.span.clone(), text);
        }
        let edited: Vec<(&str, &str)> = files
            .iter()
            .zip(&texts)
            .map(|((p, _), t)| (*p, t.as_str()))
            .collect();
        let mut expected = rule_ids(&before);
        expected.remove(expected.iter().position(|r| *r == id).expect("listed"));
        assert_eq!(rule_ids(&findings(&edited)), expected, "{texts:#?}");
        (fix.title.clone(), texts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_line_endings_deletes_only_the_carriage_returns_that_end_lines() {
        let text = "#!/bin/bash\r\necho a\r\nlone\rcr stays\r\n\r\nlast line";
        let fix = lf_line_endings(&SourceFile::new("h".into(), text.into()), "t").unwrap();
        assert_eq!(
            testing::apply(text, &fix),
            "#!/bin/bash\necho a\nlone\rcr stays\n\nlast line"
        );
        assert_eq!(fix.edits.len(), 4);
        let lossy = SourceFile::new("h".into(), "a\u{fffd}\r\n".into());
        assert!(lf_line_endings(&lossy, "t").is_err());
    }

    #[test]
    fn did_you_mean_finds_spelling_variants() {
        let keys = ["command", "leader_only", "ignoreErrors", "cwd", "test"];
        assert_eq!(did_you_mean("leaderOnly", &keys), Some("leader_only"));
        assert_eq!(did_you_mean("leader-only", &keys), Some("leader_only"));
        assert_eq!(did_you_mean("ignore_errors", &keys), Some("ignoreErrors"));
        assert_eq!(did_you_mean("comand", &keys), Some("command"));
        assert_eq!(did_you_mean("timeout", &keys), None);
        assert_eq!(did_you_mean("xyz", &keys), None);
    }
}
