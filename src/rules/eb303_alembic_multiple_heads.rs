//! EB303 alembic-multiple-heads: the Alembic revisions have more than one head, or a
//! `down_revision` / `depends_on` names a revision that does not exist.

use super::migration_graph::{runs, upgrade_target, UpgradeTarget};
use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB303",
    name: "alembic-multiple-heads",
    severity: Severity::Error,
    summary: "Alembic revisions have several heads, or name a revision that does not exist",
    doc: include_str!("../../rules/EB303-alembic-multiple-heads.md"),
    check,
};

fn check(bundle: &Bundle, settings: &Settings, out: &mut Vec<Finding>) {
    if bundle.migrations.alembic.is_empty() {
        return;
    }
    let upgrades_head = runs(bundle, settings).into_iter().find(|run| {
        matches!(run.tool, "Alembic" | "Flask-Migrate")
            && upgrade_target(run.tool, &run.text) == UpgradeTarget::Head
    });
    for scripts in &bundle.migrations.alembic {
        let dangling = scripts.dangling();
        let broken = dangling.iter().any(|d| !d.depends_on);
        for d in dangling {
            let field = if d.depends_on {
                "depends_on"
            } else {
                "down_revision"
            };
            let id = d.revision.id.as_deref().unwrap_or("?");
            out.push(
                Finding::new(
                    &RULE,
                    d.revision.source.location(d.span.clone()),
                    format!(
                        "revision `{id}` has {field} `{}`, which no revision in {} defines; every Alembic command fails (\"Revision {} referenced from {id} is not present\")",
                        d.name, scripts.dir, d.name
                    ),
                )
                .label("no such revision")
                .help("fix the id, or commit the missing revision file (it may exist only on another branch)"),
            );
        }
        // A dangling down_revision starts a second chain; Alembic fails on it first.
        let Some(heads) = scripts.heads().filter(|_| !broken) else {
            continue;
        };
        if heads.len() < 2 {
            continue;
        }
        // Several heads on purpose: separately labelled branches upgraded with `heads`.
        let labelled = heads.iter().all(|h| !h.branch_labels.is_empty());
        if labelled && upgrades_head.is_none() {
            continue;
        }
        let ids: Vec<&str> = heads.iter().filter_map(|h| h.id.as_deref()).collect();
        let (last, others) = heads.split_last().expect("two heads");
        let mut finding = Finding::new(
            &RULE,
            last.source.location(last.anchor.clone()),
            format!(
                "{} has {} head revisions ({}); `upgrade head` fails with \"Multiple head revisions are present for given argument 'head'\"",
                scripts.dir,
                ids.len(),
                ids.join(", ")
            ),
        )
        .label("a head: no revision has it as down_revision")
        .help("merge them with `alembic merge heads -m \"merge heads\"` (Flask-Migrate: `flask db merge heads`) and commit the merge revision");
        for h in others {
            finding = finding.related(h.source.location(h.anchor.clone()), "another head");
        }
        match &upgrades_head {
            Some(run) => {
                finding = finding.related(
                    run.location.clone(),
                    "the deployment runs `upgrade head` here",
                );
            }
            None => finding.severity = Severity::Warning,
        }
        out.push(finding);
    }
}
