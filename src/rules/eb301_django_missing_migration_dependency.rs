//! EB301 django-missing-migration-dependency: a migration depends on (or must run before) a
//! migration of an app in the bundle that exists nowhere: Django's `NodeNotFoundError`.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB301",
    name: "django-missing-migration-dependency",
    severity: Severity::Error,
    summary: "A Django migration names a migration of an app in the bundle that does not exist",
    doc: include_str!("../../rules/EB301-django-missing-migration-dependency.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    let Some(django) = &bundle.migrations.django else {
        return;
    };
    for missing in django.graph().missing() {
        let from = django.migration(missing.from);
        let from_app = &django.apps[missing.from.0].label;
        let (app, name) = &missing.key;
        let end = if missing.as_child { "child" } else { "parent" };
        let mut finding = Finding::new(
            &RULE,
            from.source.location(missing.span.clone()),
            format!(
                "migration `{from_app}.{}` names `{app}.{name}`, which no migration file defines; `manage.py migrate` stops with NodeNotFoundError \"dependencies reference nonexistent {end} node ('{app}', '{name}')\"",
                from.name
            ),
        )
        .label("no such migration");
        // The same number in the same app usually means a renamed or regenerated file.
        let prefix: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
        let similar = django
            .apps
            .iter()
            .filter(|a| &a.label == app)
            .flat_map(|a| a.migrations.iter())
            .find(|m| !prefix.is_empty() && m.name.starts_with(&format!("{prefix}_")));
        finding = match similar {
            Some(m) => finding.help(format!(
                "did you mean `{}`? Fix the name, or commit the missing migration if it exists only on another branch",
                m.name
            )),
            None => finding.help(
                "commit the missing migration (it may exist only on another branch), or fix the name; `manage.py showmigrations` lists what exists",
            ),
        };
        out.push(finding);
    }
}
