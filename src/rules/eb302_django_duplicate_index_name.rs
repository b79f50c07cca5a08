//! EB302 django-duplicate-index-name: two migrations create an index or constraint of the same
//! name in the one database, with nothing dropping it in between.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::graph::django::Space;
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB302",
    name: "django-duplicate-index-name",
    severity: Severity::Error,
    summary: "Two Django migrations create an index or constraint with the same name",
    doc: include_str!("../../rules/EB302-django-duplicate-index-name.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    let Some(django) = &bundle.migrations.django else {
        return;
    };
    // Walked in the order `migrate` applies migrations on a fresh database (graph.rs).
    for clash in django.graph().clashes(&django.apps) {
        let (first_at, first_span, first_what) = &clash.first;
        let (second_at, second_span, second_what) = &clash.second;
        let first = django.migration(*first_at);
        let second = django.migration(*second_at);
        let first_app = &django.apps[first_at.0].label;
        let error = match &clash.space {
            Space::Relation => format!("relation \"{}\" already exists", clash.name),
            Space::Table(_) => format!("constraint \"{}\" ... already exists", clash.name),
        };
        let place = if first_at == second_at {
            "earlier in this migration".to_string()
        } else {
            format!("by `{first_app}.{}`", first.name)
        };
        out.push(
            Finding::new(
                &RULE,
                second.source.location(second_span.clone()),
                format!(
                    "{second_what} creates `{}`, which {first_what} already created {place} and nothing dropped in between; `migrate` fails with {error}",
                    clash.name
                ),
            )
            .label("created again here")
            .related(first.source.location(first_span.clone()), "first created here")
            .help("give one of them another name (`name=` on the Index or constraint), or remove the first before creating the second"),
        );
    }
}
