//! EB300 django-conflicting-migrations: an app has more than one leaf migration, so
//! `manage.py migrate` stops before applying anything.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB300",
    name: "django-conflicting-migrations",
    severity: Severity::Error,
    summary: "A Django app has more than one leaf migration, so `migrate` refuses to run",
    doc: include_str!("../../rules/EB300-django-conflicting-migrations.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    let Some(django) = &bundle.migrations.django else {
        return;
    };
    // Leaves as Django's MigrationLoader finds them: squashes replace what they replace,
    // `run_before` adds edges, and cross-app dependencies never end a branch (graph.rs).
    // A migration whose parent does not exist ends its branch early; that is EB301's
    // finding (and Django's first error), not a second leaf to merge.
    let broken: Vec<&str> = django
        .graph()
        .missing()
        .iter()
        .map(|m| django.apps[m.from.0].label.as_str())
        .collect();
    for (app, leaves) in django.graph().conflicts() {
        if broken.contains(&app.as_str()) {
            continue;
        }
        let names: Vec<&str> = leaves
            .iter()
            .map(|at| django.migration(*at).name.as_str())
            .collect();
        let (last, others) = leaves.split_last().expect("a conflict has two leaves");
        let newest = django.migration(*last);
        let mut finding = Finding::new(
            &RULE,
            newest.source.location(newest.anchor.clone()),
            format!(
                "app `{app}` has {} leaf migrations ({}); `manage.py migrate` stops with \"Conflicting migrations detected; multiple leaf nodes in the migration graph\"",
                names.len(),
                names.join(", ")
            ),
        )
        .label("a leaf: no later migration of the app depends on it")
        .help(format!(
            "run `python manage.py makemigrations --merge {app}` and commit the merge migration it writes"
        ));
        for at in others {
            let m = django.migration(*at);
            finding = finding.related(m.source.location(m.anchor.clone()), "another leaf");
        }
        out.push(finding);
    }
}
