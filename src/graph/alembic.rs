//! Alembic (and Flask-Migrate) revision files as data: `revision`, `down_revision` (a string,
//! `None`, or a tuple for merge points), `depends_on` and `branch_labels`, with spans. Heads
//! are computed as Alembic's `RevisionMap.heads` does: revisions no other revision names in
//! its `down_revision`. `depends_on` orders revisions but does not merge heads, exactly as in
//! `alembic heads`.

use std::collections::HashSet;
use std::ops::Range;

use super::python::{self, Lit, Value};
use crate::source::SourceFile;

/// One revision file.
#[derive(Debug)]
pub struct Revision {
    pub source: SourceFile,
    /// `None` when `revision` is missing or computed.
    pub id: Option<String>,
    /// Where findings about the revision point: the `revision` value, or line 1.
    pub anchor: Range<usize>,
    /// `None` when computed; empty for a base (`down_revision = None`).
    pub down: Option<Vec<(String, Range<usize>)>>,
    pub depends_on: Option<Vec<(String, Range<usize>)>>,
    pub branch_labels: Vec<String>,
}

/// The revisions of one script directory's `versions` folders.
#[derive(Debug)]
pub struct Scripts {
    /// The script directory as shown to users (`migrations`, `alembic`).
    pub dir: String,
    pub revisions: Vec<Revision>,
}

/// A reference to a revision that no file defines.
#[derive(Debug)]
pub struct Dangling<'a> {
    pub revision: &'a Revision,
    pub name: &'a str,
    pub span: Range<usize>,
    /// From `depends_on` rather than `down_revision`.
    pub depends_on: bool,
}

impl Scripts {
    /// Whether every revision's id and `down_revision` were read.
    pub fn known(&self) -> bool {
        self.revisions
            .iter()
            .all(|r| r.id.is_some() && r.down.is_some())
    }

    /// The head revisions, in file order; `None` when some revision could not be read.
    pub fn heads(&self) -> Option<Vec<&Revision>> {
        if !self.known() {
            return None;
        }
        let named: HashSet<&str> = self
            .revisions
            .iter()
            .flat_map(|r| r.down.iter().flatten().map(|(d, _)| d.as_str()))
            .collect();
        let mut seen = HashSet::new();
        Some(
            self.revisions
                .iter()
                .filter(|r| {
                    let id = r.id.as_deref().unwrap_or_default();
                    !named.contains(id) && seen.insert(id)
                })
                .collect(),
        )
    }

    /// `down_revision` and `depends_on` entries naming no revision and no branch label
    /// (Alembic: "Revision X referenced from Y is not present", then a KeyError).
    pub fn dangling(&self) -> Vec<Dangling<'_>> {
        let defined: HashSet<&str> = self
            .revisions
            .iter()
            .filter_map(|r| r.id.as_deref())
            .chain(
                self.revisions
                    .iter()
                    .flat_map(|r| r.branch_labels.iter().map(String::as_str)),
            )
            .collect();
        // A revision that could not be read might be the one named.
        if self.revisions.iter().any(|r| r.id.is_none()) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for r in &self.revisions {
            for (list, depends_on) in [(&r.down, false), (&r.depends_on, true)] {
                for (name, span) in list.iter().flatten() {
                    if !defined.contains(name.as_str()) {
                        out.push(Dangling {
                            revision: r,
                            name,
                            span: span.clone(),
                            depends_on,
                        });
                    }
                }
            }
        }
        out
    }
}

/// `None`, a string, or a tuple/list of strings; `None` (unknown) for anything else.
fn names(lit: &Lit) -> Option<Vec<(String, Range<usize>)>> {
    match &lit.value {
        Value::None => Some(Vec::new()),
        Value::Str(s) => Some(vec![(s.clone(), lit.span.clone())]),
        Value::Seq(items) => items
            .iter()
            .map(|i| Some((i.as_str()?.to_string(), i.span.clone())))
            .collect(),
        _ => None,
    }
}

/// Reads one revision file.
pub fn read(source: SourceFile) -> Revision {
    let mut r = Revision {
        anchor: source.lines.line_span(&source.text, 1),
        source,
        id: None,
        down: None,
        depends_on: Some(Vec::new()),
        branch_labels: Vec::new(),
    };
    let src = r.source.text.as_str();
    let Some(tree) = python::parse(src) else {
        return r;
    };
    let mut down_seen = false;
    for a in python::assignments(tree.root_node(), src) {
        let lit = python::literal(a.value, src);
        match a.name.as_str() {
            "revision" => {
                r.id = lit.as_str().map(String::from);
                r.anchor = lit.span.clone();
            }
            "down_revision" => {
                down_seen = true;
                r.down = names(&lit);
            }
            "depends_on" => r.depends_on = names(&lit),
            "branch_labels" => {
                r.branch_labels = names(&lit)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect()
            }
            _ => {}
        }
    }
    if !down_seen {
        // Alembic requires the attribute; without it the script does not load.
        r.down = None;
    }
    r
}

/// The `versions` folders an `alembic.ini` names, relative to the ini's directory:
/// `version_locations` when set, else `<script_location>/versions`. `None` when the ini names
/// no script location ebguard can follow (a `package:path` resource, or none at all).
pub fn ini_version_dirs(ini: &str) -> Option<(String, Vec<String>, bool)> {
    let mut section = String::new();
    let mut script_location = None;
    let mut version_locations = None;
    let mut recursive = false;
    for line in ini.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        if section != "alembic" {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let value = value
            .trim()
            .replace("%(here)s/", "")
            .replace("%(here)s", ".");
        match key.trim() {
            "script_location" => script_location = Some(value),
            "version_locations" => version_locations = Some(value),
            "recursive_version_locations" => {
                recursive = matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
            }
            _ => {}
        }
    }
    let script = script_location?;
    if script.contains(':') || script.contains("%(") {
        return None;
    }
    let script = script.trim_end_matches('/').to_string();
    let versions = match version_locations {
        Some(v) => v
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
            .filter(|s| !s.is_empty() && !s.contains("%("))
            .map(|s| s.trim_end_matches('/').to_string())
            .collect(),
        None => vec![format!("{script}/versions")],
    };
    Some((script, versions, recursive))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(text: &str) -> Revision {
        read(SourceFile::new("r.py".into(), text.to_string()))
    }

    #[test]
    fn reads_the_generated_header_with_and_without_annotations() {
        let r = rev("\"\"\"msg\n\nRevision ID: abc\n\"\"\"\nfrom typing import Sequence, Union\nrevision: str = 'abc'\ndown_revision: Union[str, None] = ('x', 'y')\nbranch_labels = None\ndepends_on = 'z'\n");
        assert_eq!(r.id.as_deref(), Some("abc"));
        let down: Vec<&str> = r
            .down
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| d.0.as_str())
            .collect();
        assert_eq!(down, ["x", "y"]);
        assert_eq!(r.depends_on.as_ref().unwrap()[0].0, "z");
        let base = rev("revision = 'a'\ndown_revision = None\n");
        assert_eq!(base.down, Some(vec![]));
        assert_eq!(rev("revision = 'a'\ndown_revision = make()\n").down, None);
    }

    #[test]
    fn heads_ignore_depends_on_like_alembic() {
        let scripts = Scripts {
            dir: "migrations".into(),
            revisions: vec![
                rev("revision = 'a'\ndown_revision = None\n"),
                rev("revision = 'b'\ndown_revision = 'a'\n"),
                rev("revision = 'c'\ndown_revision = 'a'\ndepends_on = 'b'\n"),
            ],
        };
        let heads: Vec<_> = scripts
            .heads()
            .unwrap()
            .iter()
            .map(|r| r.id.clone().unwrap())
            .collect();
        assert_eq!(heads, ["b", "c"]);
        assert!(scripts.dangling().is_empty());
    }

    #[test]
    fn ini_locations() {
        let ini = "[alembic]\nscript_location = %(here)s/alembic\n# version_locations = x\n[loggers]\nkeys = root\n";
        assert_eq!(
            ini_version_dirs(ini),
            Some(("alembic".into(), vec!["alembic/versions".into()], false))
        );
        let ini =
            "[alembic]\nscript_location = migrations\nversion_locations = %(here)s/a %(here)s/b\n";
        assert_eq!(ini_version_dirs(ini).unwrap().1, ["a", "b"]);
        assert_eq!(
            ini_version_dirs("[alembic]\nscript_location = pkg:migrations\n"),
            None
        );
    }
}
