//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and editors (the VS Code SARIF
//! viewer). Hand-written structs covering only what ebguard emits, as ruff and zizmor do
//! (crates.md §C). What GitHub needs beyond the schema (peers.md §5a): URIs relative to the
//! repository with forward slashes and no `./`, all four region fields, unique rule ids, and
//! no `partialFingerprints` (upload-sarif computes GitHub's own, which survive line moves).

use serde::Serialize;

use super::sorted;
use crate::finding::{Finding, Severity};
use crate::rules::{self, Rule};
use crate::source::Location;
use crate::Outcome;

/// The schema URL GitHub's documentation uses; the VS Code viewer accepts it too.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ebguard/ebguard";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation<'a>; 1],
    /// ebguard counts columns in code points (`source::Position`).
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [SarifLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// Where a rule's documentation lives in the repository; `helpUri` points at it.
pub const RULE_DOCS_BASE: &str = "https://github.com/ebguard/ebguard/blob/main/rules/";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph under the doc's `## What it finds`, joined into one line.
fn full_description(rule: &Rule) -> String {
    let section = rule
        .doc
        .split("\n## ")
        .find(|s| s.starts_with("What it finds"))
        .and_then(|s| s.split_once('\n'))
        .map_or("", |(_, body)| body);
    let paragraph: Vec<&str> = section
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    if paragraph.is_empty() {
        rule.summary.to_string()
    } else {
        paragraph.join(" ")
    }
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor {
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: full_description(rule),
        },
        help: Help {
            text: rule.doc,
            markdown: rule.doc,
        },
        help_uri: format!("{RULE_DOCS_BASE}{}-{}.md", rule.id, rule.name),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// A display path as a URI reference: relative paths stay relative (GitHub resolves them
/// against the checkout), absolute ones become `file://` URIs, and characters a URI cannot
/// hold are percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn physical(location: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(&location.path),
        },
        region: Region {
            start_line: location.start.line,
            start_column: location.start.column,
            end_line: location.end.line,
            end_column: location.end.column,
        },
    }
}

fn result<'a>(finding: &'a Finding) -> SarifResult<'a> {
    let text = if finding.help.is_empty() {
        finding.message.as_str().into()
    } else {
        format!("{}\nhelp: {}", finding.message, finding.help).into()
    };
    SarifResult {
        rule_id: finding.rule.id,
        rule_index: rules::ALL
            .iter()
            .position(|r| r.id == finding.rule.id)
            .unwrap_or_default(),
        level: level(finding.severity),
        message: Message { text },
        locations: [SarifLocation {
            id: None,
            physical_location: physical(&finding.location),
            message: None,
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| SarifLocation {
                id: Some(i),
                physical_location: physical(&r.location),
                message: Some(Message {
                    text: r.label.as_str().into(),
                }),
            })
            .collect(),
    }
}

pub fn render(outcome: &Outcome) -> String {
    // Every rule is listed, not only those that fired, so `ruleIndex` is stable and viewers
    // can show the documentation of any rule.
    let rules = rules::ALL.iter().map(|r| descriptor(r)).collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ebguard",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: outcome.input_errors.is_empty(),
                tool_execution_notifications: outcome
                    .input_errors
                    .iter()
                    .map(|e| Notification {
                        level: "error",
                        message: Message {
                            text: e.as_str().into(),
                        },
                    })
                    .collect(),
            }],
            column_kind: "unicodeCodePoints",
            results: sorted(&outcome.findings).into_iter().map(result).collect(),
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_stay_relative_and_encode_what_a_uri_cannot_hold() {
        assert_eq!(
            uri("app/.ebextensions/01 db.config"),
            "app/.ebextensions/01%20db.config"
        );
        assert_eq!(uri("/srv/app/x#1.config"), "file:///srv/app/x%231.config");
        assert_eq!(uri("a/100%.config"), "a/100%25.config");
    }

    #[test]
    fn every_rule_has_a_full_description_from_its_doc() {
        for rule in rules::ALL {
            let text = full_description(rule);
            assert!(!text.is_empty() && text != rule.summary, "{}", rule.id);
        }
    }
}
