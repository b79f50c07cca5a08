//! EB304 rails-duplicate-migration-version: two files in a Rails migrations folder share a
//! version or a name, or declare the same class; `rails db:migrate` refuses to run.

use std::collections::HashMap;

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::graph::rails::Migration;
use crate::model::Bundle;
use crate::source::Location;

pub static RULE: Rule = Rule {
    id: "EB304",
    name: "rails-duplicate-migration-version",
    severity: Severity::Error,
    summary: "Two Rails migrations share a version number, a name or a class",
    doc: include_str!("../../rules/EB304-rails-duplicate-migration-version.md"),
    check,
};

fn place(m: &Migration) -> Location {
    match &m.class {
        Some((_, span)) => m.source.location(span.clone()),
        None => m
            .source
            .location(m.source.lines.line_span(&m.source.text, 1)),
    }
}

/// Reports every later member of each group of migrations sharing `key`.
fn duplicates<'m>(
    migrations: &'m [Migration],
    key: impl Fn(&'m Migration) -> Option<&'m str>,
    mut report: impl FnMut(&'m Migration, &'m Migration, &'m str),
) {
    let mut first: HashMap<&str, &Migration> = HashMap::new();
    for m in migrations {
        let Some(k) = key(m) else { continue };
        match first.get(k) {
            Some(earlier) => report(earlier, m, k),
            None => {
                first.insert(k, m);
            }
        }
    }
}

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for folder in &bundle.migrations.rails {
        let list = &folder.migrations;
        // ActiveRecord's Migrator#validate checks names first, then versions.
        let mut reported: Vec<(&str, &str)> = Vec::new();
        duplicates(
            list,
            |m| Some(m.name.as_str()),
            |a, b, name| {
                reported.push((&a.file, &b.file));
                out.push(finding(a, b, format!(
                "`{}` and `{}` have the same migration name `{name}`; `rails db:migrate` stops with \"Multiple migrations have the name {name}\" (ActiveRecord::DuplicateMigrationNameError)",
                a.file, b.file
            ), "rename one migration (file and class)"));
            },
        );
        duplicates(
            list,
            |m| Some(m.version.as_str()),
            |a, b, version| {
                out.push(finding(a, b, format!(
                "`{}` and `{}` have the same version {version}; `rails db:migrate` stops with \"Multiple migrations have the version number {version}\" (ActiveRecord::DuplicateMigrationVersionError)",
                a.file, b.file
            ), "give the newer file a new timestamp (`rails generate migration` writes one), and if it was already applied somewhere, its row in schema_migrations too"));
            },
        );
        duplicates(
            list,
            |m| m.class.as_ref().map(|(c, _)| c.as_str()),
            |a, b, class| {
                if reported.contains(&(a.file.as_str(), b.file.as_str())) {
                    return;
                }
                out.push(finding(a, b, format!(
                    "`{}` and `{}` both declare class `{class}`; Rails looks a migration's class up by its file name, so one of them fails with \"uninitialized constant\"",
                    a.file, b.file
                ), "make each file declare the class its name camelizes to"));
            },
        );
    }
}

fn finding(first: &Migration, second: &Migration, message: String, help: &str) -> Finding {
    Finding::new(&RULE, place(second), message)
        .label("duplicate")
        .related(place(first), "the other one")
        .help(help)
}
