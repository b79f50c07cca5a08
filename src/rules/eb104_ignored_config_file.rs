//! EB104 ignored-config-file: configuration EB never reads because of its name or place.

use super::{Rule, Settings};
use crate::finding::{Finding, Severity};
use crate::model::{Bundle, IgnoredFile};
use crate::source::{Location, SourceFile};

pub static RULE: Rule = Rule {
    id: "EB104",
    name: "ignored-config-file",
    severity: Severity::Warning,
    summary: "A configuration file or folder EB never reads: wrong extension, nested, or not at the bundle root",
    doc: include_str!("../../rules/EB104-ignored-config-file.md"),
    check,
};

fn check(bundle: &Bundle, _: &Settings, out: &mut Vec<Finding>) {
    for file in &bundle.ignored_ebextensions {
        let Some((message, help)) = why_ignored(file) else {
            continue;
        };
        // EB reads only `.ebextensions/*.config` at the bundle root (eb-facts §1.1, §7 #6).
        out.push(
            Finding::new(&RULE, at_file(bundle, &file.rel_path), message)
                .label("EB never reads this file")
                .help(help),
        );
    }
    if let Some(outer) = &bundle.enclosing_root {
        // EB reads `.ebextensions` and `.platform` only at the root of the source bundle
        // (eb-facts §1.1, §7 #5): deploying the enclosing directory leaves these unread.
        let outer = if outer.is_empty() {
            "."
        } else {
            outer.as_str()
        };
        for dir in &bundle.eb_dirs {
            out.push(
                Finding::new(
                    &RULE,
                    at_file(bundle, dir),
                    format!("this `{dir}` is not at the root of the bundle `{outer}`, which also holds EB configuration; when `{outer}` is deployed EB never reads it"),
                )
                .label("not at the bundle root")
                .help(format!("move its contents into `{outer}/{dir}`, or deploy `{}` as its own bundle with all of its configuration", bundle.root)),
            );
        }
    }
}

/// A location for a whole file or folder, which has no text to point into.
fn at_file(bundle: &Bundle, rel: &str) -> Location {
    SourceFile::new(bundle.display_path(rel), String::new()).location(0..0)
}

/// Suffixes people add to keep a configuration file out of EB's way on purpose.
const SET_ASIDE: &[&str] = &[
    "bak", "bk", "backup", "old", "orig", "disabled", "off", "example", "sample", "dist", "tmp",
    "swp",
];

/// A backup or a deliberately disabled copy: `01.config.bak`, `02.config.disabled`, `x~`.
fn set_aside(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with('~')
        || lower.contains(".config.")
        || lower
            .rsplit_once('.')
            .is_some_and(|(_, ext)| SET_ASIDE.contains(&ext))
}

/// Why EB skips the file, or `None` when it is data rather than configuration (an Apache
/// `.conf` or a script a command copies into place).
fn why_ignored(file: &IgnoredFile) -> Option<(String, String)> {
    let inside = file.rel_path.strip_prefix(".ebextensions/")?;
    let (dir, name) = match inside.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, inside),
    };
    if let Some(proxy) = dir
        .and_then(|d| d.split('/').next())
        .filter(|d| matches!(*d, "nginx" | "httpd"))
    {
        // Amazon Linux 1 read proxy configuration from `.ebextensions/nginx/`; Amazon Linux 2
        // and 2023 read `.platform/nginx/` and `.platform/httpd/` (eb-facts §6.2).
        let rest = &inside[proxy.len() + 1..];
        return Some((
            format!("`.ebextensions/{proxy}/` is where Amazon Linux 1 read proxy configuration; Amazon Linux 2 and 2023 never read it"),
            format!("move it to `.platform/{proxy}/{rest}`"),
        ));
    }
    if !file.looks_like_config || set_aside(name) {
        return None;
    }
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let target = format!(".ebextensions/{stem}.config");
    let message = match (dir, name.rsplit_once('.')) {
        (Some(dir), _) => format!("`{name}` holds EB configuration but is in the subfolder `.ebextensions/{dir}/`; EB reads only files directly in `.ebextensions/`"),
        (None, Some((_, ext))) if !ext.is_empty() => format!("this file holds EB configuration, but EB reads only files ending in `.config` from `.ebextensions/`, not `.{ext}`"),
        (None, _) => "this file holds EB configuration, but has no extension; EB reads only files ending in `.config` from `.ebextensions/`".into(),
    };
    let verb = if dir.is_some() { "move" } else { "rename" };
    Some((message, format!("{verb} it to `{target}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(rel: &str, looks_like_config: bool) -> Option<(String, String)> {
        why_ignored(&IgnoredFile {
            rel_path: rel.to_string(),
            looks_like_config,
        })
    }

    #[test]
    fn configuration_under_the_wrong_name_or_place() {
        let (_, help) = ignored(".ebextensions/01.yaml", true).unwrap();
        assert_eq!(help, "rename it to `.ebextensions/01.config`");
        let (_, help) = ignored(".ebextensions/sub/02.config", true).unwrap();
        assert_eq!(help, "move it to `.ebextensions/02.config`");
        let (_, help) = ignored(".ebextensions/03", true).unwrap();
        assert_eq!(help, "rename it to `.ebextensions/03.config`");
        let (_, help) = ignored(".ebextensions/nginx/conf.d/a.conf", false).unwrap();
        assert_eq!(help, "move it to `.platform/nginx/conf.d/a.conf`");
    }

    #[test]
    fn data_backups_and_disabled_copies_are_left_alone() {
        assert!(ignored(".ebextensions/wsgi.conf", false).is_none());
        assert!(ignored(".ebextensions/01.config.bak", true).is_none());
        assert!(ignored(".ebextensions/01.config.disabled", true).is_none());
        assert!(ignored(".ebextensions/01.yml.orig", true).is_none());
        assert!(ignored(".ebextensions/01.yml~", true).is_none());
    }
}
