//! `--format mermaid`: a sequence diagram with the instances as participants, for a README or
//! a pull request. EB's own steps are dashed, skipped steps are crossed out.

use super::{
    at, bundle_name, Effective, MigrationGuard, Plan, Scenario, ScenarioPlan, Step, StepKind,
};

/// Participants: EB itself, then one per kind of instance.
const EB: &str = "EB";
const LEADER: &str = "L";
const OTHER: &str = "O";
const LAUNCHED: &str = "N";
/// The background of a step that migrates on every instance.
const DANGER: &str = "rgb(255, 215, 215)";

pub fn render(plans: &[Plan]) -> String {
    plans.iter().map(diagram).collect::<Vec<_>>().join("\n")
}

fn diagram(plan: &Plan) -> String {
    let mut out = String::from("sequenceDiagram\n");
    out.push_str(&format!("    %% ebguard plan {}\n", bundle_name(plan)));
    out.push_str(&format!("    participant {EB} as Elastic Beanstalk\n"));
    out.push_str(&format!("    participant {LEADER} as Leader instance\n"));
    out.push_str(&format!("    participant {OTHER} as Any other instance\n"));
    out.push_str(&format!(
        "    participant {LAUNCHED} as Instance launched by scaling\n"
    ));
    let timeout = match plan.effective_timeout {
        Some(total) => format!("Timeout {total} s ({})", origin(&plan.timeout)),
        None => format!("Timeout {} is not a number", plan.timeout.value),
    };
    out.push_str(&format!(
        "    Note over {EB},{LAUNCHED}: {}\n",
        escape(&format!(
            "{timeout}, DeploymentPolicy {} ({})",
            plan.deployment_policy.value,
            origin(&plan.deployment_policy)
        ))
    ));
    for note in &plan.notes {
        out.push_str(&format!(
            "    Note over {EB},{LAUNCHED}: {}\n",
            wrap(&escape(note), 80)
        ));
    }
    for scenario in &plan.scenarios {
        out.push_str(&self::scenario(scenario));
    }
    out
}

fn origin(setting: &Effective) -> String {
    setting
        .source
        .as_ref()
        .map_or_else(|| "EB default".into(), at)
}

fn scenario(plan: &ScenarioPlan) -> String {
    let mut out = String::new();
    let title = format!("{}. {}", plan.scenario.number(), plan.scenario.title());
    let instance = match plan.scenario {
        Scenario::LeaderDeployment => LEADER,
        Scenario::OtherDeployment => OTHER,
        Scenario::ScalingLaunch => LAUNCHED,
        Scenario::ConfigurationUpdate => {
            // A configuration update reaches every instance alike: steps span all of them.
            for to in [LEADER, OTHER, LAUNCHED] {
                out.push_str(&format!("    {EB}->>{to}: {}\n", escape(&title)));
            }
            for step in &plan.steps {
                out.push_str(&format!(
                    "    Note over {LEADER},{LAUNCHED}: {}\n",
                    escape(&label(step))
                ));
            }
            out.push_str(&verdict(plan, LEADER, LAUNCHED));
            return out;
        }
    };
    out.push_str(&format!("    {EB}->>{instance}: {}\n", escape(&title)));
    for step in &plan.steps {
        let arrow = match (step.runs(), step.kind) {
            (false, _) => "--x",
            (true, StepKind::Platform) => "-->>",
            (true, _) => "->>",
        };
        let message = format!(
            "    {instance}{arrow}{instance}: {}\n",
            escape(&label(step))
        );
        // An unguarded migration that runs is the thing to see first: shade it red.
        if step.runs()
            && step
                .migrations
                .iter()
                .any(|m| m.guard == MigrationGuard::None)
        {
            out.push_str(&format!("    rect {DANGER}\n{message}    end\n"));
        } else {
            out.push_str(&message);
        }
    }
    out.push_str(&verdict(plan, instance, instance));
    out
}

fn label(step: &Step) -> String {
    let mut text = format!("{}: {}", step.phase.name(), step.title());
    for m in &step.migrations {
        text.push_str(&format!(
            " [migrates {}, guard: {}]",
            m.tool,
            m.guard.describe()
        ));
    }
    if !step.runs() {
        text = format!("skipped {text}");
    }
    text
}

fn verdict(plan: &ScenarioPlan, from: &str, to: &str) -> String {
    let text = format!("{}: {}", plan.verdict.kind.headline(), plan.verdict.reason);
    let span = if from == to {
        from.to_string()
    } else {
        format!("{from},{to}")
    };
    format!("    Note over {span}: {}\n", wrap(&escape(&text), 60))
}

/// Breaks long notes into `<br/>`-separated lines so the diagram stays narrow.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("<br/>")
}

/// Mermaid reads `;` as a statement break and `#` as the start of an entity code, and notes
/// are HTML: write those characters as entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push(' '),
            // Mermaid shows backticks literally; in a diagram they are noise.
            '`' => {}
            c => out.push(c),
        }
    }
    out
}
