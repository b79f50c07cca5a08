//! `--format text`: an aligned timeline per scenario. Rendered styled; the caller prints
//! through `anstream`, which strips colour when the output is not a terminal or `NO_COLOR` is
//! set.

use anstyle::{AnsiColor, Style};

use super::{
    at, bundle_name, origin_of, Effective, MigrationGuard, Plan, ScenarioPlan, Step, StepKind,
    VerdictKind,
};

const HEADING: Style = Style::new().bold();
const QUIET: Style = Style::new().dimmed();
const PHASE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const BAD: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const GOOD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const UNSURE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// `text` padded to `width` code points, then painted, so colour never breaks alignment.
fn cell(style: Style, text: &str, width: usize) -> String {
    let pad = width.saturating_sub(text.chars().count());
    format!("{}{}", paint(style, text), " ".repeat(pad))
}

pub fn render(plans: &[Plan]) -> String {
    plans.iter().map(plan).collect::<Vec<_>>().join("\n")
}

fn plan(plan: &Plan) -> String {
    let mut out = paint(HEADING, &format!("Plan for {}", bundle_name(plan)));
    out.push('\n');
    let timeout = match plan.effective_timeout {
        Some(total) => format!(
            "{total} s (Timeout {} + {} s EB adds)",
            plan.timeout.value,
            super::EB_ADDED_SECONDS
        ),
        None => format!(
            "Timeout `{}` is not a number of seconds",
            plan.timeout.value
        ),
    };
    let mut rows = Vec::new();
    if let Some(platform) = &plan.platform {
        let from = if platform.source.line > 0 {
            format!("{}:{}", platform.source.path, platform.source.line)
        } else {
            platform.source.path.clone()
        };
        rows.push(("platform", platform.describe(), from));
    }
    rows.extend([
        ("deployment timeout", timeout, origin(&plan.timeout)),
        (
            "deployment policy",
            plan.deployment_policy.value.clone(),
            origin(&plan.deployment_policy),
        ),
    ]);
    if plan.rolling() {
        let unit = if plan.batch_size_type.value == "Fixed" {
            " instances"
        } else {
            "%"
        };
        rows.push((
            "batch size",
            format!(
                "{}{unit} at a time (BatchSizeType {})",
                plan.batch_size.value, plan.batch_size_type.value
            ),
            format!(
                "{}, BatchSizeType: {}",
                origin(&plan.batch_size),
                origin(&plan.batch_size_type)
            ),
        ));
    }
    for z in &plan.scale_to_zero {
        rows.push((
            "scheduled scaling",
            format!("`{}` sets {} to 0", z.action, z.options.join(", ")),
            at(&z.location),
        ));
    }
    let label_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let value_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (label, value, from) in &rows {
        out.push_str(&format!(
            "  {}  {}  {}\n",
            cell(Style::new(), label, label_w),
            cell(Style::new(), value, value_w),
            paint(QUIET, from)
        ));
    }
    // Direct settings beat saved configurations beat `.ebextensions` (eb-facts §1.2, §7 #24).
    out.push_str(&format!(
        "  {}\n",
        paint(
            QUIET,
            "note: values set with the console, EB CLI or API override these"
        )
    ));
    for note in &plan.notes {
        out.push_str(&format!("  {}\n", paint(UNSURE, &format!("note: {note}"))));
    }
    for scenario in &plan.scenarios {
        out.push('\n');
        out.push_str(&self::scenario(scenario));
    }
    out
}

fn origin(setting: &Effective) -> String {
    match &setting.source {
        Some(location) => at(location),
        None => "EB default".into(),
    }
}

/// The cells of one row, before padding.
struct Row<'a> {
    number: String,
    step: &'a Step,
    phase: String,
    migrations: String,
}

fn scenario(plan: &ScenarioPlan) -> String {
    let mut out = paint(
        HEADING,
        &format!("{}. {}", plan.scenario.number(), plan.scenario.title()),
    );
    out.push('\n');
    let mut n = 0;
    let rows: Vec<Row> = plan
        .steps
        .iter()
        .map(|step| Row {
            number: if step.runs() {
                n += 1;
                format!("{n}.")
            } else {
                "-".into()
            },
            step,
            phase: step.phase.name(),
            migrations: migrations(step),
        })
        .collect();
    let width = |f: &dyn Fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let number_w = width(&|r| r.number.len());
    let phase_w = width(&|r| r.phase.chars().count());
    // EB's own steps are descriptions, not names: they may run past the name column.
    let user = |r: &Row| r.step.kind != StepKind::Platform;
    let name_w = width(&|r| {
        if user(r) {
            r.step.title().chars().count()
        } else {
            0
        }
    });
    let cwd_w = width(&|r| r.step.cwd.as_deref().map_or(0, |c| c.chars().count()));
    let mig_w = width(&|r| r.migrations.chars().count());
    for row in &rows {
        let step = row.step;
        let mut line = format!(
            "  {}  {}  ",
            cell(Style::new(), &row.number, number_w),
            cell(PHASE, &row.phase, phase_w)
        );
        if let Some(why) = &step.skipped {
            line.push_str(&cell(QUIET, &step.title(), name_w));
            line.push_str(&paint(QUIET, &format!("  skipped: {why}")));
        } else if step.kind == StepKind::Platform {
            line.push_str(&paint(QUIET, &step.name));
        } else {
            line.push_str(&cell(Style::new(), &step.title(), name_w));
            line.push_str("  ");
            line.push_str(&cell(QUIET, step.cwd.as_deref().unwrap_or(""), cwd_w));
            line.push_str("  ");
            if mig_w > 0 {
                line.push_str(&cell(migration_style(step), &row.migrations, mig_w));
            }
            if let Some(source) = origin_of(step) {
                line.push_str("  ");
                line.push_str(&paint(QUIET, &source));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        let indent = " ".repeat(2 + number_w + 2 + phase_w + 2);
        for note in &step.notes {
            out.push_str(&format!(
                "{indent}{}\n",
                paint(UNSURE, &format!("note: {note}"))
            ));
        }
    }
    for note in &plan.notes {
        out.push_str(&format!("  {}\n", paint(UNSURE, &format!("note: {note}"))));
    }
    let style = match plan.verdict.kind {
        VerdictKind::EveryInstance => BAD,
        VerdictKind::Unknown => UNSURE,
        _ => GOOD,
    };
    out.push_str(&format!(
        "  {} {}\n",
        paint(style, &format!("=> {}:", plan.verdict.kind.headline())),
        plan.verdict.reason
    ));
    out
}

/// `migrates Django [leader_only]`, empty when the step applies none.
fn migrations(step: &Step) -> String {
    step.migrations
        .iter()
        .map(|m| format!("migrates {} [{}]", m.tool, m.guard.describe()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn migration_style(step: &Step) -> Style {
    let guards = || step.migrations.iter().map(|m| m.guard);
    if guards().any(|g| g == MigrationGuard::None) {
        BAD
    } else if guards().any(|g| {
        matches!(
            g,
            MigrationGuard::AmbiguousLeaderOnly | MigrationGuard::LeaderVariable
        )
    }) {
        UNSURE
    } else {
        GOOD
    }
}
