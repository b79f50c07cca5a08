//! EB305 laravel-duplicate-migration: two Laravel migration files declare the same class.

use std::collections::HashMap;

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::graph::laravel::Migration;
use crate::model::Bundle;

pub static RULE: Rule = Rule {
    id: "EB305",
    name: "laravel-duplicate-migration",
    severity: Severity::Warning,
    summary: "Two Laravel migration files declare the same class name",
    doc: include_str!("../../rules/EB305-laravel-duplicate-migration.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for folder in &bundle.migrations.laravel {
        let mut first: HashMap<&str, &Migration> = HashMap::new();
        for m in &folder.migrations {
            let Some((class, span)) = &m.class else {
                continue;
            };
            let Some(earlier) = first.get(class.as_str()) else {
                first.insert(class, m);
                continue;
            };
            let (_, earlier_span) = earlier.class.as_ref().expect("named");
            out.push(
                Finding::new(
                    &RULE,
                    m.source.location(span.clone()),
                    format!(
                        "`{}` declares class `{class}`, as `{}` does; when both are pending in one `php artisan migrate` (a fresh database, or both new), PHP stops with \"Cannot declare class {class}, because the name is already in use\"",
                        m.file, earlier.file
                    ),
                )
                .label("declared again here")
                .related(earlier.source.location(earlier_span.clone()), "first declared here")
                .help("rename one class, or make both anonymous: `return new class extends Migration { ... };`"),
            );
        }
    }
}
