//! Baselines: adopt ebguard on an existing repository and fail only on new findings.
//!
//! A finding is remembered by what it is about, never by its line: the rule, the file, the
//! key path down to the flagged node (`container_commands/01_migrate/leader_only`) and the
//! flagged text with whitespace collapsed. Editing other parts of the file, adding lines
//! above it or re-indenting it keeps the finding known; renaming the command or the file
//! makes it new, as it should. Identical fingerprints are counted, so a second copy of a
//! known problem is still new.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::model::Bundle;
use crate::yaml::{NodeKind, NodeRef};
use crate::Outcome;

/// Bump when the fingerprint changes meaning.
const VERSION: u32 = 1;

/// How much of the flagged text a fingerprint keeps.
const MAX_TEXT: usize = 200;

/// How deep the key path goes; real files nest a handful of levels.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fingerprint {
    rule: String,
    path: String,
    /// Keys (and `[index]`es) from the top of a config file down to the flagged node; empty
    /// for hooks and for files that are not YAML.
    context: String,
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(flatten)]
    fingerprint: Fingerprint,
    count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    version: u32,
    findings: Vec<Entry>,
}

/// The keys leading to byte `at`, outermost first.
fn key_path(node: NodeRef<'_>, at: usize, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.kind() {
        NodeKind::Mapping(_) => {
            for (key, value) in node.entries() {
                let (k, v) = (key.span(), value.span());
                if k.contains(&at) || v.contains(&at) {
                    out.push(key.as_str().unwrap_or("?").to_string());
                    if v.contains(&at) {
                        key_path(value, at, depth + 1, out);
                    }
                    return;
                }
            }
        }
        NodeKind::Sequence(_) => {
            for (i, item) in node.items().into_iter().enumerate() {
                if item.span().contains(&at) {
                    out.push(format!("[{i}]"));
                    key_path(item, at, depth + 1, out);
                    return;
                }
            }
        }
        NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
    }
}

fn fingerprint(bundles: &[Bundle], finding: &Finding) -> Fingerprint {
    let path = &finding.location.path;
    let span = finding.location.span.clone();
    let config = bundles
        .iter()
        .flat_map(|b| &b.configs)
        .find(|c| &c.source.path == path);
    let source = config.map(|c| &c.source).or_else(|| {
        bundles
            .iter()
            .flat_map(|b| &b.hooks)
            .map(|h| &h.source)
            .chain(bundles.iter().flat_map(|b| b.migrations.sources()))
            .find(|s| &s.path == path)
    });
    let mut context = Vec::new();
    if let Some(root) = config.and_then(|c| c.doc.root()) {
        key_path(root, span.start, 0, &mut context);
    }
    let text = source
        .and_then(|s| s.text.get(span))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => text[..cut].to_string(),
        None => text,
    };
    Fingerprint {
        rule: finding.rule.id.to_string(),
        path: path.clone(),
        context: context.join("/"),
        text,
    }
}

/// A stable identity of `finding` for tools that track results across runs (SARIF's
/// `partialFingerprints`): a hash of the same fingerprint a baseline stores, so it survives
/// the same edits a baseline entry survives.
/// `path` names the file as the hash's consumer does (SARIF: relative to the repository), so
/// the hash does not depend on the directory ebguard ran from.
pub fn fingerprint_hash(bundles: &[Bundle], finding: &Finding, path: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut print = fingerprint(bundles, finding);
    print.path = path.to_string();
    let mut hasher = Sha256::new();
    for part in [&print.rule, &print.path, &print.context, &print.text] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn counts(outcome: &Outcome) -> BTreeMap<Fingerprint, usize> {
    let mut counts = BTreeMap::new();
    for f in &outcome.findings {
        *counts.entry(fingerprint(&outcome.bundles, f)).or_insert(0) += 1;
    }
    counts
}

impl Baseline {
    /// Every current finding.
    pub fn of(outcome: &Outcome) -> Baseline {
        Baseline {
            version: VERSION,
            findings: counts(outcome)
                .into_iter()
                .map(|(fingerprint, count)| Entry { fingerprint, count })
                .collect(),
        }
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not {VERSION}; write it again with --write-baseline",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn render(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a baseline serialises");
        out.push('\n');
        out
    }

    pub fn len(&self) -> usize {
        self.findings.iter().map(|e| e.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes the findings the baseline knows from `outcome`; returns how many.
    pub fn apply(&self, outcome: &mut Outcome) -> usize {
        let mut known: BTreeMap<&Fingerprint, usize> = self
            .findings
            .iter()
            .map(|e| (&e.fingerprint, e.count))
            .collect();
        let prints: Vec<Fingerprint> = outcome
            .findings
            .iter()
            .map(|f| fingerprint(&outcome.bundles, f))
            .collect();
        let mut keep = prints.iter().map(|p| match known.get_mut(p) {
            Some(left) if *left > 0 => {
                *left -= 1;
                false
            }
            _ => true,
        });
        let (new, known): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut outcome.findings)
            .into_iter()
            .partition(|_| keep.next().unwrap_or(true));
        outcome.findings = new;
        let count = known.len();
        outcome.baselined.extend(known);
        outcome.baseline_applied = true;
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    fn path_at(text: &str, needle: &str) -> String {
        let doc = yaml::parse(text, Limits::default()).unwrap();
        let mut out = Vec::new();
        key_path(doc.root().unwrap(), text.find(needle).unwrap(), 0, &mut out);
        out.join("/")
    }

    #[test]
    fn key_paths_lead_to_the_flagged_node() {
        let text =
            "container_commands:\n  01_migrate:\n    command: [a, b]\n    leader_only: false\n";
        assert_eq!(path_at(text, "01_migrate"), "container_commands/01_migrate");
        assert_eq!(
            path_at(text, "false"),
            "container_commands/01_migrate/leader_only"
        );
        assert_eq!(
            path_at(text, "b]"),
            "container_commands/01_migrate/command/[1]"
        );
    }
}
