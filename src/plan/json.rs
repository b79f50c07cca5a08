//! `--format json`: the plan as a versioned document for tools.

use serde::Serialize;

use super::{bundle_name, Effective, Plan, ScenarioPlan, Step};
use crate::source::Location;

/// Bump when a field changes meaning or disappears; adding fields keeps the version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    plans: Vec<JsonPlan<'a>>,
    errors: &'a [String],
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    bundle: &'a str,
    deployment: Deployment<'a>,
    /// Only when the project names its platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<JsonPlatform<'a>>,
    scale_to_zero: Vec<JsonScaleToZero<'a>>,
    scenarios: Vec<JsonScenario<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct Deployment<'a> {
    timeout: Setting<'a>,
    /// `timeout` plus the 240 s EB adds; `null` when `timeout` is not a number.
    effective_timeout_seconds: Option<u32>,
    policy: Setting<'a>,
    batch_size: Setting<'a>,
    batch_size_type: Setting<'a>,
}

#[derive(Serialize)]
struct Setting<'a> {
    value: &'a str,
    /// `null` when the value is EB's default.
    source: Option<Place<'a>>,
}

#[derive(Serialize)]
struct Place<'a> {
    path: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonPlatform<'a> {
    written: &'a str,
    /// `amazon-linux-1`, `amazon-linux-2`, `amazon-linux-2023`, or `null`.
    branch: Option<&'static str>,
    version: Option<&'a str>,
    /// `YYYY-MM-DD`, when known.
    released: Option<String>,
    source: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct JsonScaleToZero<'a> {
    action: &'a str,
    options: &'a [String],
    source: Place<'a>,
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    number: usize,
    id: &'a str,
    title: &'a str,
    steps: Vec<JsonStep<'a>>,
    notes: &'a [String],
    verdict: JsonVerdict<'a>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    phase: String,
    kind: &'a str,
    name: &'a str,
    source: Option<Place<'a>>,
    cwd: Option<&'a str>,
    leader_only: bool,
    runs: bool,
    skipped_because: Option<&'a str>,
    migrations: Vec<JsonMigration<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonMigration<'a> {
    tool: &'a str,
    guard: &'a str,
    source: Place<'a>,
}

#[derive(Serialize)]
struct JsonVerdict<'a> {
    kind: &'a str,
    text: &'a str,
    reason: &'a str,
}

fn place(location: &Location) -> Place<'_> {
    Place {
        path: &location.path,
        line: location.start.line,
        column: location.start.column,
    }
}

fn setting(s: &Effective) -> Setting<'_> {
    Setting {
        value: &s.value,
        source: s.source.as_ref().map(place),
    }
}

fn step(s: &Step) -> JsonStep<'_> {
    JsonStep {
        phase: s.phase.name(),
        kind: s.kind.id(),
        name: &s.name,
        source: s.source.as_ref().map(place),
        cwd: s.cwd.as_deref(),
        leader_only: s.leader_only,
        runs: s.runs(),
        skipped_because: s.skipped.as_deref(),
        migrations: s
            .migrations
            .iter()
            .map(|m| JsonMigration {
                tool: m.tool,
                guard: m.guard.id(),
                source: place(&m.location),
            })
            .collect(),
        notes: &s.notes,
    }
}

fn scenario(s: &ScenarioPlan) -> JsonScenario<'_> {
    JsonScenario {
        number: s.scenario.number(),
        id: s.scenario.id(),
        title: s.scenario.title(),
        steps: s.steps.iter().map(step).collect(),
        notes: &s.notes,
        verdict: JsonVerdict {
            kind: s.verdict.kind.id(),
            text: s.verdict.kind.headline(),
            reason: &s.verdict.reason,
        },
    }
}

pub fn render(plans: &[Plan], errors: &[String]) -> String {
    let doc = Document {
        version: VERSION,
        plans: plans
            .iter()
            .map(|p| JsonPlan {
                bundle: bundle_name(p),
                deployment: Deployment {
                    timeout: setting(&p.timeout),
                    effective_timeout_seconds: p.effective_timeout,
                    policy: setting(&p.deployment_policy),
                    batch_size: setting(&p.batch_size),
                    batch_size_type: setting(&p.batch_size_type),
                },
                platform: p.platform.as_ref().map(|pl| JsonPlatform {
                    written: &pl.written,
                    branch: pl.branch.map(|b| match b {
                        crate::model::Branch::AmazonLinux1 => "amazon-linux-1",
                        crate::model::Branch::AmazonLinux2 => "amazon-linux-2",
                        crate::model::Branch::AmazonLinux2023 => "amazon-linux-2023",
                    }),
                    version: pl.version.as_deref(),
                    released: pl.released.map(|d| d.to_string()),
                    source: &pl.source.path,
                    line: pl.source.line,
                }),
                scale_to_zero: p
                    .scale_to_zero
                    .iter()
                    .map(|z| JsonScaleToZero {
                        action: &z.action,
                        options: &z.options,
                        source: place(&z.location),
                    })
                    .collect(),
                scenarios: p.scenarios.iter().map(scenario).collect(),
                notes: &p.notes,
            })
            .collect(),
        errors,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("plans serialise");
    out.push('\n');
    out
}
