//! EB104 ignored-config-file: configuration EB never reads because of its name or place.

use super::common::move_into_view;
use super::{Rule, Settings};
use crate::finding::{Finding, Fix, Severity};
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
    let ignored: Vec<(&IgnoredFile, Ignored)> = bundle
        .ignored_ebextensions
        .iter()
        .filter_map(|file| Some((file, why_ignored(file)?)))
        .collect();
    for (file, why) in &ignored {
        // EB reads only `.ebextensions/*.config` at the bundle root (eb-facts §1.1, §7 #6).
        let finding = Finding::new(&RULE, at_file(bundle, &file.rel_path), &why.message)
            .label("EB never reads this file")
            .help(&why.help);
        let fix = why
            .target
            .clone()
            .and_then(|target| move_fix(bundle, file, &target, &ignored));
        out.push(finding.fix_or_why(fix));
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
                .help(format!("move its contents into `{outer}/{dir}`, or deploy `{}` as its own bundle with all of its configuration", bundle.root))
                .no_fix(format!("moving `{dir}` into `{outer}` merges two bundles' configuration (hooks and commands of both run, same-named files collide), and which directory is deployed is yours to decide")),
            );
        }
    }
}

/// Renames or moves `file` to `target` where EB reads it. Unsafe: configuration that never ran
/// takes effect (eb-facts §1.1), commands and all. Not when EB could not read it there either.
fn move_fix(
    bundle: &Bundle,
    file: &IgnoredFile,
    target: &str,
    ignored: &[(&IgnoredFile, Ignored)],
) -> Result<Fix, String> {
    if let Some(problem) = &file.unreadable {
        return Err(format!(
            "EB could not read it as configuration either ({problem}); correct it, then rename it"
        ));
    }
    let moves: Vec<(&str, &str)> = ignored
        .iter()
        .filter_map(|(f, why)| Some((f.rel_path.as_str(), why.target.as_deref().ok()?)))
        .collect();
    move_into_view(bundle, &file.rel_path, target, &moves, "where EB reads it")
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

/// Why EB skips a file, what to do, and where it belongs (or why ebguard cannot move it there).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ignored {
    message: String,
    help: String,
    /// The path relative to the bundle root where EB reads it.
    target: Result<String, String>,
}

/// Why EB skips the file, or `None` when it is data rather than configuration (an Apache
/// `.conf` or a script a command copies into place).
fn why_ignored(file: &IgnoredFile) -> Option<Ignored> {
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
        let (help, target) = proxy_move(proxy, &inside[proxy.len() + 1..]);
        return Some(Ignored {
            message: format!("`.ebextensions/{proxy}/` is where Amazon Linux 1 read proxy configuration; Amazon Linux 2 and 2023 never read it"),
            help,
            target,
        });
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
    Some(Ignored {
        message,
        help: format!("{verb} it to `{target}`"),
        target: Ok(target),
    })
}

/// What to do with an Amazon Linux 1 proxy file `rest` (its path below `.ebextensions/{proxy}/`)
/// on Amazon Linux 2 and 2023, and where it takes effect there. EB copies `.platform/{proxy}/`
/// over the proxy's configuration, which by itself includes the `*.conf` files of `conf.d/`
/// (EB's own `conf.d/elasticbeanstalk/` among them); `nginx.conf` and `conf/httpd.conf`
/// replace EB's whole configuration and must include `conf.d/elasticbeanstalk/*.conf`
/// (eb-facts §6.2), which one written for Amazon Linux 1 rarely does.
fn proxy_move(proxy: &str, rest: &str) -> (String, Result<String, String>) {
    let main = if proxy == "nginx" {
        "nginx.conf"
    } else {
        "conf/httpd.conf"
    };
    let target = format!(".platform/{proxy}/{rest}");
    if rest == main {
        return (
            format!("make it include `conf.d/elasticbeanstalk/*.conf`, as a replacement `{main}` must on Amazon Linux 2 and 2023, then move it to `{target}`"),
            Err(format!("`{target}` replaces EB's whole {proxy} configuration; only you can adapt it")),
        );
    }
    let Some(name) = rest.strip_prefix("conf.d/") else {
        return (
            format!("move it to `{target}`, and include it from a `.conf` file in `.platform/{proxy}/conf.d/`"),
            Err(format!("{proxy} reads only `conf.d/*.conf` from `.platform/{proxy}/` by itself")),
        );
    };
    if name.ends_with(".conf") {
        return (format!("move it to `{target}`"), Ok(target));
    }
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() && !stem.ends_with('/') => stem,
        _ => name,
    };
    let target = format!(".platform/{proxy}/conf.d/{stem}.conf");
    (
        format!("move it to `{target}`: {proxy} reads only the `*.conf` files of `conf.d/`"),
        Ok(target),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(rel: &str, looks_like_config: bool) -> Option<Ignored> {
        why_ignored(&IgnoredFile {
            rel_path: rel.to_string(),
            looks_like_config,
            unreadable: None,
        })
    }

    fn help_and_target(rel: &str, looks_like_config: bool) -> (String, Result<String, String>) {
        let why = ignored(rel, looks_like_config).unwrap();
        (why.help, why.target)
    }

    #[test]
    fn configuration_under_the_wrong_name_or_place() {
        let target = |t: &str| Ok(t.to_string());
        assert_eq!(
            help_and_target(".ebextensions/01.yaml", true),
            (
                "rename it to `.ebextensions/01.config`".into(),
                target(".ebextensions/01.config")
            )
        );
        assert_eq!(
            help_and_target(".ebextensions/sub/02.config", true),
            (
                "move it to `.ebextensions/02.config`".into(),
                target(".ebextensions/02.config")
            )
        );
        assert_eq!(
            help_and_target(".ebextensions/03", true),
            (
                "rename it to `.ebextensions/03.config`".into(),
                target(".ebextensions/03.config")
            )
        );
        assert_eq!(
            help_and_target(".ebextensions/nginx/conf.d/a.conf", false),
            (
                "move it to `.platform/nginx/conf.d/a.conf`".into(),
                target(".platform/nginx/conf.d/a.conf")
            )
        );
        assert_eq!(
            help_and_target(".ebextensions/httpd/conf.d/b.conf", false).1,
            target(".platform/httpd/conf.d/b.conf")
        );
    }

    #[test]
    fn proxy_files_move_where_the_proxy_reads_them() {
        assert_eq!(
            help_and_target(".ebextensions/nginx/conf.d/streaming.config", false),
            (
                "move it to `.platform/nginx/conf.d/streaming.conf`: nginx reads only the `*.conf` files of `conf.d/`".into(),
                Ok(".platform/nginx/conf.d/streaming.conf".into())
            )
        );
        for rel in [
            ".ebextensions/nginx/nginx.conf",
            ".ebextensions/httpd/conf/httpd.conf",
            ".ebextensions/nginx/sites-enabled/app.conf",
        ] {
            let (help, target) = help_and_target(rel, false);
            assert!(help.contains("`.platform/"), "{rel}: {help}");
            assert!(target.is_err(), "{rel}: {target:?}");
        }
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

#[cfg(test)]
mod fix_tests {
    use super::*;
    use crate::finding::{Applicability, Edit};
    use crate::rules::common::testing::findings;

    const MIGRATE: &str = "container_commands:\n  01_migrate:\n    command: python manage.py migrate\n    leader_only: true\n";

    /// EB104's fix (or why none) for each finding, by file.
    fn fixes(files: &[(&str, Option<u32>, &str)]) -> Vec<(String, Result<Vec<Edit>, String>)> {
        findings(&RULE, files)
            .into_iter()
            .map(|f| {
                let fix = match f.fixes.first() {
                    Some(fix) => {
                        assert_eq!(fix.applicability, Applicability::Unsafe);
                        Ok(fix.edits.clone())
                    }
                    None => Err(f.no_fix.clone().expect("a reason")),
                };
                (f.location.path, fix)
            })
            .collect()
    }

    #[test]
    fn the_file_moves_where_eb_reads_it() {
        let found = fixes(&[(".ebextensions/sub/01_migrate.yml", None, MIGRATE)]);
        assert_eq!(
            found,
            [(
                "app/.ebextensions/sub/01_migrate.yml".into(),
                Ok(vec![Edit::Rename {
                    from: "app/.ebextensions/sub/01_migrate.yml".into(),
                    to: "app/.ebextensions/01_migrate.config".into()
                }])
            )]
        );
    }

    #[test]
    fn never_over_an_existing_file_or_two_files_to_one() {
        let found = fixes(&[
            (".ebextensions/01_migrate.yml", None, MIGRATE),
            (".ebextensions/01_migrate.config", None, MIGRATE),
            (".ebextensions/02.yml", None, MIGRATE),
            (".ebextensions/02.yaml", None, MIGRATE),
        ]);
        assert_eq!(found.len(), 3, "{found:?}");
        for (path, fix) in found {
            let why = fix.unwrap_err();
            assert!(
                why.contains("already exists") || why.contains("too"),
                "{path}: {why}"
            );
        }
    }

    #[test]
    fn configuration_eb_could_not_read_is_not_renamed_into_view() {
        let found = fixes(&[(
            ".ebextensions/01.yml",
            None,
            "container_commands:\n\tx: 1\n",
        )]);
        let why = found[0].1.clone().unwrap_err();
        assert!(why.contains("tab"), "{why}");
    }
}
