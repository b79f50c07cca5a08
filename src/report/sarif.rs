//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and editors (the VS Code SARIF
//! viewer). Hand-written structs covering only what ebguard emits, as ruff and zizmor do
//! (crates.md §C). What GitHub needs beyond the schema (peers.md §5a): URIs relative to the
//! repository root with forward slashes and no `./`, whatever directory ebguard ran from,
//! all four region fields, unique rule ids, descriptions within 1,024 characters, related
//! locations linked from the message, and a file (never a directory) for every result.
//!
//! `partialFingerprints` carries only ebguard's own key (`ebguard/v1`, the baseline's
//! fingerprint: rule, file, key path, flagged text), never `primaryLocationLineHash`, which
//! upload-sarif computes itself from the file's lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use super::sorted;
use crate::baseline::fingerprint_hash;
use crate::bundle::clean;
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::rules::{self, Rule};
use crate::source::Location;
use crate::Outcome;

/// The schema URL GitHub's documentation uses; the VS Code viewer accepts it too.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ebguard/ebguard";
/// The base every relative URI is resolved against: the repository root.
const SRCROOT: &str = "%SRCROOT%";
/// GitHub's limit for `shortDescription`/`fullDescription` (peers.md §5a).
const MAX_DESCRIPTION: usize = 1024;

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
    original_uri_base_ids: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl>,
    automation_details: AutomationDetails,
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
    full_name: String,
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
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
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
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl {
    repository_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    mapped_to: ArtifactLocation,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
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
    partial_fingerprints: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

/// A proposed fix (§3.55): text replacements per file. Renames and executable bits have no
/// SARIF form, so fixes that need them are left out (`ebguard check --fix` applies them).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe` or `unsafe`, as in the JSON report.
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

/// §3.57: `deletedRegion` is the range replaced; an empty region (start = end) inserts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: ArtifactContent<'a>,
}

#[derive(Serialize)]
struct ArtifactContent<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
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
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "String::is_empty")]
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
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

/// The first paragraph under the doc's `## What it finds`, joined into one line and cut at a
/// sentence (or word) within GitHub's limit.
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
        return rule.summary.to_string();
    }
    shorten(&paragraph.join(" "), MAX_DESCRIPTION)
}

/// `text` within `max` characters: whole sentences when one fits, else whole words and `…`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    if let Some(end) = cut.rfind(". ") {
        return cut[..=end].to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    // Keep the last word when the cut falls right after it.
    let words = match text.chars().nth(max - 1) {
        Some(c) if c.is_whitespace() => cut.as_str(),
        _ => cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]),
    };
    format!("{}…", words.trim_end())
}

/// GitHub filters alerts by tag; the tags say which part of a deployment a rule is about.
fn tags(rule: &Rule) -> Vec<&'static str> {
    let area = match &rule.id[..rule.id.len().min(3)] {
        _ if rule.id == "EB000" => "internal",
        "EB0" | "EB3" => "migrations",
        "EB1" => "configuration",
        "EB2" => "hooks",
        _ => "suppressions",
    };
    vec!["elastic-beanstalk", area, "reliability"]
}

/// How often a rule's findings are right (GitHub orders alerts by it). Rules that read a
/// fact off the file (syntax, keys, modes, line endings) are very high; rules that judge
/// what a command does through the migration recogniser are high; rules that rest on a
/// heuristic about text or on behaviour AWS does not document are medium.
fn precision(rule: &Rule) -> &'static str {
    match rule.id {
        "EB003" | "EB010" | "EB100" | "EB101" | "EB102" | "EB103" | "EB105" | "EB200" | "EB201"
        | "EB202" | "EB203" | "EB900" | "EB901" => "very-high",
        "EB004" | "EB011" | "EB106" | "EB107" => "medium",
        _ => "high",
    }
}

fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "recommendation",
    }
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor {
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Text {
            text: shorten(rule.summary, MAX_DESCRIPTION),
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
        // No `security-severity`: these are reliability findings (a failed or racing
        // deployment), not vulnerabilities, and GitHub would list them as security alerts.
        properties: RuleProperties {
            tags: tags(rule),
            precision: precision(rule),
            problem_severity: problem_severity(rule.severity),
        },
    }
}

/// A path as a URI reference: relative paths stay relative, absolute ones become `file://`
/// URIs, and characters a URI cannot hold are percent-encoded.
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

/// Where the run happened: the directory paths are relative to, the repository root URIs are
/// relative to, and the repository's state.
#[derive(Clone, Debug)]
pub struct Context {
    /// The directory findings' paths are relative to (the current directory).
    pub cwd: PathBuf,
    /// git's top level of the checked files' repository; the current directory outside git.
    pub root: PathBuf,
    /// The repository's remote URL (credentials removed), commit and branch.
    pub repository: Option<String>,
    pub revision: Option<String>,
    pub branch: Option<String>,
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// A remote as a URI without credentials: `git@host:o/r.git` and `ssh://git@host/o/r` become
/// `https://host/o/r`, and a token in `https://user:token@host/...` is dropped.
fn repository_uri(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let https = |host: &str, path: &str| {
        let path = path.trim_start_matches('/').trim_end_matches(".git");
        format!("https://{host}/{path}")
    };
    if !remote.contains("://") {
        // scp-like syntax: [user@]host:path
        let (host, path) = remote.split_once(':')?;
        let host = host.rsplit('@').next()?;
        return (!host.is_empty() && !host.contains('/')).then(|| https(host, path));
    }
    let mut url = url::Url::parse(remote).ok()?;
    match url.scheme() {
        "ssh" | "git" | "git+ssh" => Some(https(url.host_str()?, url.path())),
        "http" | "https" => {
            url.set_username("").ok()?;
            url.set_password(None).ok()?;
            Some(url.to_string().trim_end_matches(".git").to_string())
        }
        _ => None,
    }
}

impl Context {
    /// The context of a run from the current directory over `outcome`'s bundles: the
    /// repository is the one holding the first bundle.
    pub fn detect(outcome: &Outcome) -> Context {
        let cwd = std::env::current_dir().unwrap_or_default();
        let first = outcome
            .bundles
            .first()
            .map_or(cwd.clone(), |b| clean(&cwd.join(&b.root)));
        let root = git(&first, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
        let Some(root) = root else {
            return Context {
                cwd: cwd.clone(),
                root: cwd,
                repository: None,
                revision: None,
                branch: None,
            };
        };
        let remote = git(&root, &["remote", "get-url", "origin"]).or_else(|| {
            let first = git(&root, &["remote"])?.lines().next()?.to_string();
            git(&root, &["remote", "get-url", &first])
        });
        Context {
            repository: remote.as_deref().and_then(repository_uri),
            revision: git(&root, &["rev-parse", "HEAD"]),
            branch: git(&root, &["symbolic-ref", "--short", "-q", "HEAD"]),
            cwd,
            root,
        }
    }

    fn absolute(&self, path: &str) -> PathBuf {
        clean(&self.cwd.join(path))
    }

    /// The repository-relative form of a display path, or `None` outside the repository.
    fn relative(&self, path: &str) -> Option<String> {
        let abs = self.absolute(path);
        let rel = abs.strip_prefix(&self.root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    fn artifact(&self, path: &str) -> ArtifactLocation {
        match self.relative(path) {
            Some(rel) if !rel.is_empty() => ArtifactLocation {
                uri: uri(&rel),
                uri_base_id: Some(SRCROOT),
            },
            _ => ArtifactLocation {
                uri: uri(&self.absolute(path).to_string_lossy()),
                uri_base_id: None,
            },
        }
    }

    /// A location that names a directory (a misplaced `.ebextensions`) points at the first
    /// file inside it instead: code scanning cannot show a directory. `None` when it holds
    /// no file.
    fn file_location(&self, location: &Location) -> Option<PhysicalLocation> {
        let abs = self.absolute(&location.path);
        if !abs.is_dir() {
            return Some(physical(self.artifact(&location.path), location));
        }
        let file = walkdir::WalkDir::new(&abs)
            .sort_by_file_name()
            .max_depth(8)
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.file_type().is_file())?;
        let path = file.path().to_string_lossy().into_owned();
        Some(PhysicalLocation {
            artifact_location: self.artifact(&path),
            region: Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
            },
        })
    }

    fn base_ids(&self) -> serde_json::Value {
        let mut root = uri(&self.root.to_string_lossy());
        if !root.ends_with('/') {
            root.push('/');
        }
        serde_json::json!({ SRCROOT: { "uri": root } })
    }
}

fn physical(artifact_location: ArtifactLocation, location: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location,
        region: region(location),
    }
}

fn region(location: &Location) -> Region {
    Region {
        start_line: location.start.line,
        start_column: location.start.column,
        end_line: location.end.line,
        end_column: location.end.column,
    }
}

/// `fix` as a SARIF fix, or `None` when an edit is not a text replacement. Unsafe fixes say so
/// in their description, since viewers show only that.
fn sarif_fix<'a>(context: &Context, fix: &'a Fix) -> Option<SarifFix<'a>> {
    let mut changes: Vec<(&str, ArtifactChange)> = Vec::new();
    for edit in &fix.edits {
        let Edit::Replace { at, text } = edit else {
            return None;
        };
        let replacement = Replacement {
            deleted_region: region(at),
            inserted_content: ArtifactContent { text },
        };
        match changes.iter_mut().find(|(path, _)| *path == at.path) {
            Some((_, change)) => change.replacements.push(replacement),
            None => changes.push((
                &at.path,
                ArtifactChange {
                    artifact_location: context.artifact(&at.path),
                    replacements: vec![replacement],
                },
            )),
        }
    }
    let description = match fix.applicability {
        Applicability::Safe => fix.title.clone(),
        Applicability::Unsafe => format!(
            "{} (unsafe: it changes what EB runs; `ebguard check --unsafe-fixes` applies it)",
            fix.title
        ),
    };
    Some(SarifFix {
        description: Message {
            text: escape(&description).into(),
        },
        artifact_changes: changes.into_iter().map(|(_, change)| change).collect(),
        properties: FixProperties {
            applicability: fix.applicability.as_str(),
        },
    })
}

/// Escapes what SARIF message strings treat as link syntax (§3.11.6).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// How a finding appears: reported, silenced by a comment (with its reason), or known to the
/// baseline.
enum State<'a> {
    New { baseline_used: bool },
    Suppressed(&'a str),
    Baselined,
}

fn result<'a>(
    context: &Context,
    outcome: &Outcome,
    finding: &'a Finding,
    state: State<'_>,
) -> Result<SarifResult<'a>, Notification<'a>> {
    let mut text = escape(&finding.message);
    if !finding.help.is_empty() {
        text.push_str(&format!("\nhelp: {}", escape(&finding.help)));
    }
    let related: Vec<SarifLocation> = finding
        .related
        .iter()
        .filter_map(|r| context.file_location(&r.location).map(|p| (r, p)))
        .enumerate()
        .map(|(i, (r, physical_location))| SarifLocation {
            id: Some(i + 1),
            physical_location,
            message: Some(Message {
                text: r.label.as_str().into(),
            }),
        })
        .collect();
    if !related.is_empty() {
        let links: Vec<String> = related
            .iter()
            .zip(&finding.related)
            .map(|(l, r)| format!("[{}]({})", escape(&r.label), l.id.unwrap_or_default()))
            .collect();
        text.push_str(&format!("\nsee: {}", links.join(", ")));
    }
    let Some(primary) = context.file_location(&finding.location) else {
        return Err(Notification {
            level: level(finding.severity),
            message: Message {
                text: format!(
                    "{} {}: {}: {}",
                    finding.rule.id, finding.rule.name, finding.location.path, finding.message
                )
                .into(),
            },
            locations: Vec::new(),
        });
    };
    let shown = context
        .relative(&finding.location.path)
        .unwrap_or_else(|| finding.location.path.clone());
    // A suppressed finding is one the user chose to keep: `--fix` leaves it, so no fix is
    // offered for it here either.
    let fixes = match state {
        State::Suppressed(_) => Vec::new(),
        _ => finding
            .fixes
            .iter()
            .filter_map(|fix| sarif_fix(context, fix))
            .collect(),
    };
    let (suppressions, baseline_state) = match state {
        State::New { baseline_used } => (Vec::new(), baseline_used.then_some("new")),
        State::Suppressed(reason) => (
            vec![Suppression {
                kind: "inSource",
                status: "accepted",
                justification: reason.to_string(),
            }],
            None,
        ),
        State::Baselined => (Vec::new(), Some("unchanged")),
    };
    Ok(SarifResult {
        rule_id: finding.rule.id,
        rule_index: rules::ALL
            .iter()
            .position(|r| r.id == finding.rule.id)
            .unwrap_or_default(),
        level: level(finding.severity),
        message: Message { text: text.into() },
        locations: [SarifLocation {
            id: None,
            physical_location: primary,
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: serde_json::json!({
            "ebguard/v1": fingerprint_hash(&outcome.bundles, finding, &shown)
        }),
        suppressions,
        baseline_state,
        fixes,
    })
}

/// The category GitHub files the results under (`automationDetails.id` up to its last `/`;
/// upload-sarif's `category` input only applies when this is absent): `ebguard`, plus the
/// repository-relative directory that holds every checked bundle when that is not the root,
/// so jobs that check different parts of a monorepo do not close each other's alerts.
fn automation_id(context: &Context, outcome: &Outcome) -> String {
    let dirs: Vec<PathBuf> = outcome
        .bundles
        .iter()
        .filter_map(|b| context.relative(&b.root))
        .map(PathBuf::from)
        .collect();
    let mut common = dirs.first().cloned().unwrap_or_default();
    for dir in &dirs {
        while !dir.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    let common = common.to_string_lossy().replace('\\', "/");
    if common.is_empty() {
        "ebguard/".to_string()
    } else {
        format!("ebguard/{common}/")
    }
}

pub fn render(outcome: &Outcome) -> String {
    render_in(&Context::detect(outcome), outcome)
}

/// [`render`] for a known context (tests).
pub fn render_in(context: &Context, outcome: &Outcome) -> String {
    // Every rule is listed, not only those that fired, so `ruleIndex` is stable and viewers
    // can show the documentation of any rule.
    let rules = rules::ALL.iter().map(|r| descriptor(r)).collect();
    let mut notifications: Vec<Notification> = outcome
        .input_errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Message {
                text: e.as_str().into(),
            },
            locations: Vec::new(),
        })
        .collect();
    let baseline_used = outcome.baseline_applied;
    let mut findings: Vec<(&Finding, State)> = sorted(&outcome.findings)
        .into_iter()
        .map(|f| (f, State::New { baseline_used }))
        .collect();
    findings.extend(
        outcome
            .suppressed
            .iter()
            .map(|s| (&s.finding, State::Suppressed(&s.reason))),
    );
    findings.extend(outcome.baselined.iter().map(|f| (f, State::Baselined)));
    findings.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    let mut results = Vec::new();
    for (finding, state) in findings {
        match result(context, outcome, finding, state) {
            Ok(result) => results.push(result),
            Err(notification) => notifications.push(notification),
        }
    }
    let version_control_provenance = context
        .repository
        .clone()
        .map(|repository_uri| VersionControl {
            repository_uri,
            revision_id: context.revision.clone(),
            branch: context.branch.clone(),
            mapped_to: ArtifactLocation {
                uri: String::new(),
                uri_base_id: Some(SRCROOT),
            },
        })
        .into_iter()
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ebguard",
                    full_name: format!(
                        "ebguard {}: Elastic Beanstalk deployment linter",
                        env!("CARGO_PKG_VERSION")
                    ),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: outcome.input_errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: context.base_ids(),
            version_control_provenance,
            automation_details: AutomationDetails {
                id: automation_id(context, outcome),
            },
            column_kind: "unicodeCodePoints",
            results,
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
    fn every_rule_has_a_full_description_from_its_doc_within_githubs_limit() {
        for rule in rules::ALL {
            let text = full_description(rule);
            assert!(!text.is_empty() && text != rule.summary, "{}", rule.id);
            assert!(text.chars().count() <= MAX_DESCRIPTION, "{}", rule.id);
        }
        let long = "One sentence. ".repeat(100);
        let short = shorten(&long, MAX_DESCRIPTION);
        assert!(short.ends_with("sentence.") && short.chars().count() <= MAX_DESCRIPTION);
        let words = shorten(&"word ".repeat(300), 20);
        assert_eq!(words, "word word word word…");
    }

    #[test]
    fn remotes_lose_credentials_and_become_https() {
        for (remote, expected) in [
            ("git@github.com:o/r.git", Some("https://github.com/o/r")),
            (
                "ssh://git@github.com/o/r.git",
                Some("https://github.com/o/r"),
            ),
            (
                "https://x-access-token:ghs_secret@github.com/o/r.git",
                Some("https://github.com/o/r"),
            ),
            ("https://github.com/o/r", Some("https://github.com/o/r")),
            ("/srv/git/r.git", None),
        ] {
            assert_eq!(repository_uri(remote).as_deref(), expected, "{remote}");
        }
    }

    #[test]
    fn messages_escape_link_syntax() {
        assert_eq!(escape(r"ignore[EB001] a\b"), r"ignore\[EB001\] a\\b");
    }
}
