//! Django migration files as data: each `<app>/migrations/<name>.py` read into its
//! `dependencies`, `replaces`, `run_before`, `initial` and the `operations` that create or drop
//! named indexes and constraints, with spans. Only literals count; anything computed leaves
//! that part unknown (`None`), and the rules say nothing about what they cannot know.

use std::ops::Range;

use super::python::{self, Lit, Value};
use super::sql::{self, Effect};
use crate::source::SourceFile;

/// `(app_label, migration_name)`, Django's node key.
pub type Key = (String, String);

/// What a dependency or `run_before` entry names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Key(Key),
    /// `migrations.swappable_dependency(settings.X)`: `(app of settings.X, "__first__")`.
    Swappable(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub target: Target,
    pub span: Range<usize>,
}

/// Where an index or constraint name must be unique (PostgreSQL's rules: indexes, and the
/// unique and exclusion constraints backed by one, share the schema's relation namespace;
/// check and foreign-key constraint names are per table).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    Relation,
    /// Per table: the model (lowercased `model_name`) or, from raw SQL, the table name.
    Table(String),
}

/// An operation's effect on named database objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectOp {
    Create {
        name: String,
        space: Space,
        /// The model (lowercased) whose table holds it, when known.
        model: Option<String>,
        /// The columns it covers, when known (`Index(fields=...)`).
        fields: Option<Vec<String>>,
        /// `IF NOT EXISTS`: never fails.
        if_not_exists: bool,
        /// A constraint (removed by `DROP CONSTRAINT`) rather than a plain index (removed by
        /// `DROP INDEX`).
        constraint: bool,
        /// What created it, for messages: `AddIndex`, `RunSQL`, ...
        what: &'static str,
        span: Range<usize>,
    },
    Drop {
        name: String,
        kind: DropKind,
    },
    /// `DeleteModel`: the table and everything on it.
    DropModel {
        model: String,
    },
    /// `RemoveField`: PostgreSQL drops the indexes and constraints on the column with it.
    DropField {
        model: String,
        field: String,
    },
    RenameModel {
        old: String,
        new: String,
    },
    /// Raw SQL ebguard cannot read: anything may have been dropped.
    Opaque,
}

/// What a drop removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropKind {
    /// `RemoveIndex`, `RemoveConstraint`: Django drops whatever its state holds by that name.
    Any,
    /// SQL `DROP INDEX`: plain indexes only.
    Index,
    /// SQL `DROP CONSTRAINT`: constraints only.
    Constraint,
}

/// One migration file.
#[derive(Debug)]
pub struct Migration {
    pub name: String,
    pub source: SourceFile,
    /// The `Migration` class name, or the file's first line when there is none: where findings
    /// about the whole migration point.
    pub anchor: Range<usize>,
    /// `None` when not a literal list (or the class is not a plain `migrations.Migration`).
    pub dependencies: Option<Vec<Reference>>,
    pub replaces: Option<Vec<(Key, Range<usize>)>>,
    pub run_before: Option<Vec<Reference>>,
    pub initial: Option<bool>,
    /// `None` when `operations` is not a literal list.
    pub operations: Option<Vec<ObjectOp>>,
}

impl Migration {
    /// Whether every edge this migration adds is known.
    pub fn edges_known(&self) -> bool {
        self.dependencies.is_some() && self.run_before.is_some() && self.replaces.is_some()
    }
}

/// Words every operation [`operations`] reads contains; a file without any has none.
const OBJECT_WORDS: &[&str] = &[
    "Index",
    "Constraint",
    "indexes",
    "constraints",
    "RunSQL",
    "DeleteModel",
    "RemoveField",
    "RenameModel",
    "SeparateDatabaseAndState",
];

/// Reads one migration file, `name` being its module name.
pub fn read(name: &str, source: SourceFile) -> Migration {
    if let Some(plain) = read_plain(&source.text) {
        return Migration {
            name: name.to_string(),
            anchor: plain.anchor,
            source,
            dependencies: Some(plain.dependencies),
            replaces: Some(plain.replaces),
            run_before: Some(plain.run_before),
            initial: Some(plain.initial),
            operations: Some(Vec::new()),
        };
    }
    read_parsed(name, source)
}

/// What [`read_plain`] reads.
#[derive(Debug, Default)]
struct Plain {
    anchor: Range<usize>,
    dependencies: Vec<Reference>,
    replaces: Vec<(Key, Range<usize>)>,
    run_before: Vec<Reference>,
    initial: bool,
}

/// Reads the file without a parser when it has the shape `makemigrations` writes and no
/// operation that creates or drops a named object: one `class Migration(migrations.Migration):`,
/// its body a few `name = literal` assignments of tuples of plain strings. Anything else (a
/// docstring, a decorator, a computed value, an escape, a second class) returns `None` and the
/// file goes to tree-sitter; `fast_path_agrees_with_the_parser` holds the two to the same answer.
fn read_plain(text: &str) -> Option<Plain> {
    if text.contains("\"\"\"") || text.contains("'''") || text.contains('\\') {
        return None;
    }
    if OBJECT_WORDS.iter().any(|w| text.contains(w)) {
        return None;
    }
    let mut m = Plain::default();
    let mut in_class = false;
    let mut seen: Vec<&str> = Vec::new();
    let mut offset = 0;
    let mut skip_to = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < skip_to {
            continue;
        }
        let body = line.trim_end();
        let trimmed = body.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = body.len() - trimmed.len();
        if indent == 0 {
            if in_class {
                return None; // module code after the class
            }
            if let Some(rest) = trimmed.strip_prefix("class ") {
                if rest != "Migration(migrations.Migration):" {
                    return None;
                }
                in_class = true;
                let at = start + "class ".len();
                m.anchor = at..at + "Migration".len();
            } else if !(trimmed.starts_with("import ") || trimmed.starts_with("from ")) {
                return None;
            }
            continue;
        }
        if !in_class || indent != 4 {
            return None;
        }
        let (key, value) = trimmed.split_once('=')?;
        let key = key.trim();
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        let value_at = start + indent + trimmed.len() - value.trim_start().len();
        match key {
            "initial" => {
                m.initial = match value.trim() {
                    "True" => true,
                    "False" | "None" => false,
                    _ => return None,
                }
            }
            "dependencies" | "run_before" | "replaces" | "operations" => {
                let inside = python::bracketed_value(&text[start..], key)?;
                let inside = start + inside.start..start + inside.end;
                if inside.start != value_at + 1 {
                    return None;
                }
                // Nothing may follow the closing bracket (`[...] + more`).
                let rest = &text[inside.end + 1..];
                let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
                let rest = rest.trim();
                if !(rest.is_empty() || rest.starts_with('#')) {
                    return None;
                }
                skip_to = inside.end;
                if key == "operations" {
                    // No object words in the file: no operation creates or drops a name.
                    continue;
                }
                let items = plain_items(text, inside)?;
                match key {
                    "dependencies" => m.dependencies = items,
                    "run_before" => m.run_before = items,
                    _ => {
                        m.replaces = items
                            .into_iter()
                            .map(|r| match r.target {
                                Target::Key(k) => Some((k, r.span)),
                                Target::Swappable(_) => None,
                            })
                            .collect::<Option<_>>()?
                    }
                }
            }
            _ => return None,
        }
    }
    in_class.then_some(m)
}

/// The items of a dependency-style list between `inside`: `("app", "name")` tuples and
/// `migrations.swappable_dependency(settings.NAME)`; `None` for anything else.
fn plain_items(text: &str, inside: Range<usize>) -> Option<Vec<Reference>> {
    let b = text.as_bytes();
    let mut i = inside.start;
    let mut out = Vec::new();
    let skip_space = |mut i: usize| {
        while i < inside.end {
            match b[i] {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'#' => {
                    while i < inside.end && b[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        i
    };
    let string = |i: usize| -> Option<(String, usize)> {
        let q = *b.get(i)?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let end = text[i + 1..inside.end].find(q as char)? + i + 1;
        let s = &text[i + 1..end];
        (!s.contains('\n')).then(|| (s.to_string(), end + 1))
    };
    const SWAPPABLE: &str = "migrations.swappable_dependency(settings.";
    loop {
        i = skip_space(i);
        if i >= inside.end {
            return Some(out);
        }
        let start = i;
        let target = if b[i] == b'(' {
            let (app, next) = string(skip_space(i + 1))?;
            i = skip_space(next);
            (b.get(i) == Some(&b',')).then_some(())?;
            let (name, next) = string(skip_space(i + 1))?;
            i = skip_space(next);
            if b.get(i) == Some(&b',') {
                i = skip_space(i + 1);
            }
            (b.get(i) == Some(&b')')).then_some(())?;
            i += 1;
            Target::Key((app, name))
        } else if text[i..inside.end].starts_with(SWAPPABLE) {
            i += SWAPPABLE.len();
            let len =
                text[i..inside.end].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            let setting = text[i..i + len].to_string();
            i += len;
            (b.get(i) == Some(&b')') && len > 0).then_some(())?;
            i += 1;
            Target::Swappable(setting)
        } else {
            return None;
        };
        out.push(Reference {
            target,
            span: start..i,
        });
        i = skip_space(i);
        match b.get(i) {
            Some(b',') => i += 1,
            _ if i >= inside.end => return Some(out),
            _ => return None,
        }
    }
}

/// [`read`] with tree-sitter: every shape Python allows.
fn read_parsed(name: &str, source: SourceFile) -> Migration {
    let mut m = Migration {
        name: name.to_string(),
        anchor: source.lines.line_span(&source.text, 1),
        source,
        dependencies: None,
        replaces: None,
        run_before: None,
        initial: None,
        operations: None,
    };
    let src = m.source.text.as_str();
    // Operations that create or drop no named object are most of a migration's bytes; when
    // the file names no such operation, the list's contents are not parsed at all.
    let skip = if OBJECT_WORDS.iter().any(|w| src.contains(w)) {
        None
    } else {
        python::bracketed_value(src, "operations")
    };
    let Some(tree) = python::parse_skipping(src, skip) else {
        return m;
    };
    let root = tree.root_node();
    let Some((_, supers, name_node, body)) = python::classes(root, src)
        .into_iter()
        .rfind(|(n, ..)| n == "Migration")
    else {
        return m;
    };
    m.anchor = name_node.byte_range();
    // A subclass of something else may inherit its attributes; only Django's own base has
    // known defaults (empty lists).
    let plain = supers.len() == 1
        && matches!(
            supers[0].as_str(),
            "migrations.Migration" | "Migration" | "django.db.migrations.Migration"
        );
    if plain {
        m.dependencies = Some(Vec::new());
        m.replaces = Some(Vec::new());
        m.run_before = Some(Vec::new());
        m.initial = Some(false);
        m.operations = Some(Vec::new());
    }
    for a in python::assignments(body, src) {
        let lit = python::literal(a.value, src);
        match a.name.as_str() {
            "dependencies" => m.dependencies = references(&lit),
            "run_before" => m.run_before = references(&lit),
            "replaces" => m.replaces = keys(&lit),
            "initial" => {
                m.initial = match lit.value {
                    Value::Bool(b) => Some(b),
                    Value::None => Some(false),
                    _ => None,
                }
            }
            "operations" => m.operations = operations(&lit),
            _ => {}
        }
    }
    m
}

fn key(lit: &Lit) -> Option<Key> {
    match lit.items()? {
        [a, b] => Some((a.as_str()?.to_string(), b.as_str()?.to_string())),
        _ => None,
    }
}

fn references(lit: &Lit) -> Option<Vec<Reference>> {
    lit.items()?
        .iter()
        .map(|item| {
            let target = match item.call_name() {
                Some("swappable_dependency") => match &item.arg("value", 0)?.value {
                    Value::Name(n) => Target::Swappable(n.rsplit('.').next()?.to_string()),
                    // swappable_dependency("app.Model") is a literal.
                    Value::Str(s) => Target::Key((s.split('.').next()?.into(), "__first__".into())),
                    _ => return None,
                },
                _ => Target::Key(key(item)?),
            };
            Some(Reference {
                target,
                span: item.span.clone(),
            })
        })
        .collect()
}

fn keys(lit: &Lit) -> Option<Vec<(Key, Range<usize>)>> {
    lit.items()?
        .iter()
        .map(|item| Some((key(item)?, item.span.clone())))
        .collect()
}

fn lower(lit: Option<&Lit>) -> Option<String> {
    lit?.as_str().map(str::to_lowercase)
}

fn operations(lit: &Lit) -> Option<Vec<ObjectOp>> {
    let mut out = Vec::new();
    for op in lit.items()? {
        operation(op, &mut out);
    }
    Some(out)
}

/// An index or constraint object (`models.Index(...)`, `models.UniqueConstraint(...)`) on
/// `model`, created by `what`.
fn object(obj: &Lit, model: Option<String>, what: &'static str, out: &mut Vec<ObjectOp>) {
    let Some(kind) = obj.call_name() else { return };
    let Some(name) = obj.arg("name", usize::MAX).and_then(Lit::as_str) else {
        return;
    };
    let space = match kind {
        "Index"
        | "GinIndex"
        | "GistIndex"
        | "BTreeIndex"
        | "HashIndex"
        | "BrinIndex"
        | "SpGistIndex"
        | "BloomIndex"
        | "UniqueConstraint"
        | "ExclusionConstraint" => Space::Relation,
        "CheckConstraint" => match &model {
            Some(m) => Space::Table(m.clone()),
            None => return,
        },
        _ => return,
    };
    // Django adds a plain UniqueConstraint with ALTER TABLE ... ADD CONSTRAINT, but one with a
    // condition, expressions, `include` or `opclasses` as a unique index.
    let index_backed = ["condition", "include", "opclasses"].iter().any(|k| {
        obj.arg(k, usize::MAX)
            .is_some_and(|v| v.value != Value::None)
    }) || matches!(&obj.value, Value::Call { args, .. } if !args.is_empty());
    let constraint = match kind {
        "UniqueConstraint" => !index_backed,
        "CheckConstraint" | "ExclusionConstraint" => true,
        _ => false,
    };
    let fields = obj.arg("fields", usize::MAX).and_then(|f| {
        f.items()?
            .iter()
            .map(|x| x.as_str().map(|s| s.trim_start_matches('-').to_string()))
            .collect()
    });
    out.push(ObjectOp::Create {
        name: name.to_string(),
        space,
        model,
        fields,
        if_not_exists: false,
        constraint,
        what,
        span: obj.span.clone(),
    });
}

fn operation(op: &Lit, out: &mut Vec<ObjectOp>) {
    let Some(call) = op.call_name() else {
        return;
    };
    match call {
        "CreateModel" => {
            let model = lower(op.arg("name", 0));
            if let Some(options) = op.arg("options", 2) {
                for key in ["indexes", "constraints"] {
                    for obj in options.get(key).and_then(Lit::items).unwrap_or_default() {
                        object(obj, model.clone(), "CreateModel", out);
                    }
                }
            }
        }
        "AddIndex" | "AddIndexConcurrently" => {
            if let Some(index) = op.arg("index", 1) {
                let what = if call == "AddIndex" {
                    "AddIndex"
                } else {
                    "AddIndexConcurrently"
                };
                object(index, lower(op.arg("model_name", 0)), what, out);
            }
        }
        "AddConstraint" | "AddConstraintNotValid" => {
            if let Some(constraint) = op.arg("constraint", 1) {
                object(
                    constraint,
                    lower(op.arg("model_name", 0)),
                    "AddConstraint",
                    out,
                );
            }
        }
        "RemoveIndex" | "RemoveIndexConcurrently" | "RemoveConstraint" => {
            if let Some(name) = op.arg("name", 1).and_then(Lit::as_str) {
                out.push(ObjectOp::Drop {
                    name: name.into(),
                    kind: DropKind::Any,
                });
            }
        }
        "RenameIndex" => {
            let old = op.arg("old_name", 2).and_then(Lit::as_str);
            let Some(new) = op.arg("new_name", 1).and_then(Lit::as_str) else {
                return;
            };
            // Django leaves an index alone when it already has the new name ("Don't alter
            // when the index name is not changed"); with `old_fields` the old name is whatever
            // index covers those columns, so an index already called `new_name` is no clash.
            if old == Some(new) {
                return;
            }
            if let Some(old) = old {
                out.push(ObjectOp::Drop {
                    name: old.into(),
                    kind: DropKind::Any,
                });
            }
            out.push(ObjectOp::Create {
                name: new.into(),
                space: Space::Relation,
                model: lower(op.arg("model_name", 0)),
                fields: None,
                if_not_exists: old.is_none(),
                constraint: false,
                what: "RenameIndex",
                span: op.span.clone(),
            });
        }
        "DeleteModel" => match lower(op.arg("name", 0)) {
            Some(model) => out.push(ObjectOp::DropModel { model }),
            None => out.push(ObjectOp::Opaque),
        },
        "RemoveField" => match (lower(op.arg("model_name", 0)), lower(op.arg("name", 1))) {
            (Some(model), Some(field)) => out.push(ObjectOp::DropField { model, field }),
            _ => out.push(ObjectOp::Opaque),
        },
        "RenameModel" => match (lower(op.arg("old_name", 0)), lower(op.arg("new_name", 1))) {
            (Some(old), Some(new)) => out.push(ObjectOp::RenameModel { old, new }),
            _ => out.push(ObjectOp::Opaque),
        },
        // Only the database half touches the database.
        "SeparateDatabaseAndState" => {
            if let Some(ops) = op.arg("database_operations", 0) {
                match ops.items() {
                    Some(items) => items.iter().for_each(|o| operation(o, out)),
                    None => out.push(ObjectOp::Opaque),
                }
            }
        }
        "RunSQL" => run_sql(op, out),
        _ => {}
    }
}

/// `RunSQL(sql, ...)`: a string, or a list of strings or `(sql, params)` pairs.
fn run_sql(op: &Lit, out: &mut Vec<ObjectOp>) {
    let Some(sql) = op.arg("sql", 0) else {
        out.push(ObjectOp::Opaque);
        return;
    };
    let statements: Option<Vec<&Lit>> = match &sql.value {
        Value::Str(_) => Some(vec![sql]),
        Value::Seq(items) => items
            .iter()
            .map(|s| match &s.value {
                Value::Str(_) => Some(s),
                Value::Seq(pair) => pair.first().filter(|p| p.as_str().is_some()),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let Some(statements) = statements else {
        out.push(ObjectOp::Opaque);
        return;
    };
    for statement in statements {
        let text = statement.as_str().unwrap_or_default();
        for effect in sql::effects(text) {
            out.push(match effect {
                Effect::CreateRelation {
                    name,
                    if_not_exists,
                    constraint,
                } => ObjectOp::Create {
                    name,
                    space: Space::Relation,
                    model: None,
                    fields: None,
                    if_not_exists,
                    constraint,
                    what: "RunSQL",
                    span: statement.span.clone(),
                },
                Effect::CreateTableConstraint { name, table } => ObjectOp::Create {
                    name,
                    space: Space::Table(table),
                    model: None,
                    fields: None,
                    if_not_exists: false,
                    constraint: true,
                    what: "RunSQL",
                    span: statement.span.clone(),
                },
                Effect::DropIndex(name) => ObjectOp::Drop {
                    name,
                    kind: DropKind::Index,
                },
                Effect::DropConstraint(name) => ObjectOp::Drop {
                    name,
                    kind: DropKind::Constraint,
                },
                Effect::Opaque => ObjectOp::Opaque,
            });
        }
    }
}

/// The `label` an `apps.py` gives its app (`class BlogConfig(AppConfig): label = "blog"`),
/// when exactly one literal label is set.
pub fn app_label(apps_py: &str) -> Option<String> {
    let tree = python::parse(apps_py)?;
    let mut labels: Vec<String> = python::classes(tree.root_node(), apps_py)
        .into_iter()
        .flat_map(|(_, _, _, body)| python::assignments(body, apps_py))
        .filter(|a| a.name == "label")
        .filter_map(|a| python::literal(a.value, apps_py).as_str().map(String::from))
        .collect();
    labels.dedup();
    match labels.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The literal `AUTH_USER_MODEL = "app.Model"` a settings module sets, if any.
pub fn auth_user_model(settings_py: &str) -> Option<String> {
    let tree = python::parse(settings_py)?;
    python::assignments(tree.root_node(), settings_py)
        .into_iter()
        .filter(|a| a.name == "AUTH_USER_MODEL")
        .map(|a| {
            python::literal(a.value, settings_py)
                .as_str()
                .map(String::from)
        })
        .next_back()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(text: &str) -> Migration {
        read("0002_x", SourceFile::new("m.py".into(), text.to_string()))
    }

    #[test]
    fn reads_what_makemigrations_writes() {
        let m = migration(
            r#"
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    replaces = [("blog", "0001_initial"), ("blog", "0002_a")]
    dependencies = [
        ("blog", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [("shop", "0003_b")]
    operations = [
        migrations.CreateModel(
            name="Page",
            fields=[("id", models.AutoField(primary_key=True))],
            options={"indexes": [models.Index(fields=["-title"], name="page_title_idx")],
                     "constraints": [models.CheckConstraint(condition=models.Q(x__gt=0), name="pos")]},
        ),
        migrations.AddIndex(model_name="page", index=models.Index(fields=["a"], name="a_idx")),
        migrations.RemoveIndex(model_name="page", name="a_idx"),
        migrations.RunSQL("CREATE INDEX wikipage_search_idx ON blog_page (title)", reverse_sql="DROP INDEX wikipage_search_idx"),
        migrations.RunPython(forwards),
    ]
"#,
        );
        let deps = m.dependencies.as_ref().unwrap();
        assert_eq!(
            deps[0].target,
            Target::Key(("blog".into(), "0001_initial".into()))
        );
        assert_eq!(deps[1].target, Target::Swappable("AUTH_USER_MODEL".into()));
        assert_eq!(m.replaces.as_ref().unwrap().len(), 2);
        assert_eq!(m.initial, Some(true));
        let names: Vec<String> = m
            .operations
            .as_ref()
            .unwrap()
            .iter()
            .map(|o| match o {
                ObjectOp::Create { name, space, .. } => format!("+{name}:{space:?}"),
                ObjectOp::Drop { name, .. } => format!("-{name}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "+page_title_idx:Relation",
                "+pos:Table(\"page\")",
                "+a_idx:Relation",
                "-a_idx",
                "+wikipage_search_idx:Relation"
            ]
        );
    }

    #[test]
    fn computed_values_are_unknown() {
        let m = migration(
            "from django.db import migrations\nclass Migration(migrations.Migration):\n    dependencies = [('blog', NAME)]\n    operations = OPS\n",
        );
        assert_eq!(m.dependencies, None);
        assert!(m.operations.is_none());
        let m = migration("from .base import Migration\n");
        assert!(!m.edges_known());
        let m = migration("class Migration(Base):\n    dependencies = []\n");
        assert_eq!(m.dependencies, Some(vec![]));
        assert_eq!(m.run_before, None);
    }

    /// Every migration file in testdata (fixtures and real projects) and a few hand-written
    /// shapes: where the fast reader answers, it answers what the parser does.
    #[test]
    fn fast_path_agrees_with_the_parser() {
        let mut texts: Vec<String> = vec![
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n    initial = True\n\n    dependencies = [\n        ('a', '0001_x'),  # why\n        migrations.swappable_dependency(settings.AUTH_USER_MODEL),\n    ]\n\n    operations = [\n        migrations.AddField('m', 'f', models.IntegerField()),\n    ]\n".into(),
            "class Migration(migrations.Migration):\n    replaces = [(\"a\", \"1\"), (\"a\", \"2\",)]\n    run_before = [('b', '0003')]\n    dependencies = []\n".into(),
            "class Migration(migrations.Migration):\n    dependencies = [('a', '1')] + EXTRA\n".into(),
            "class Migration(migrations.Migration):\n    dependencies = [('a', X)]\n".into(),
            "class Migration(migrations.Migration):\n    dependencies = [('a', '1')]\nMigration.dependencies = []\n".into(),
        ];
        let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.parent().is_some_and(|p| p.ends_with("migrations"))
                    && path.extension().is_some_and(|e| e == "py")
                {
                    texts.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut fast = 0;
        for text in &texts {
            let source = SourceFile::new("m.py".into(), text.clone());
            let parsed = read_parsed("m", source);
            let Some(plain) = read_plain(text) else {
                continue;
            };
            fast += 1;
            assert_eq!(parsed.anchor, plain.anchor, "{text}");
            assert_eq!(
                parsed.dependencies.as_ref(),
                Some(&plain.dependencies),
                "{text}"
            );
            assert_eq!(parsed.replaces.as_ref(), Some(&plain.replaces), "{text}");
            assert_eq!(
                parsed.run_before.as_ref(),
                Some(&plain.run_before),
                "{text}"
            );
            assert_eq!(parsed.initial, Some(plain.initial), "{text}");
            assert_eq!(parsed.operations, Some(vec![]), "{text}");
        }
        assert!(fast >= 20, "the fast reader answered for only {fast} files");
        assert!(read_plain(&texts[2]).is_none() && read_plain(&texts[3]).is_none());
        assert!(read_plain(&texts[4]).is_none());
    }

    #[test]
    fn broken_files_are_unknown_never_a_panic() {
        for text in [
            "",
            "\0\0\0",
            "class Migration(migrations.Migration:\n    dependencies = [(\n",
            "class Migration(migrations.Migration):\n    dependencies = [('a',)]\n",
            "class Migration(migrations.Migration):\n    operations = [migrations.AddIndex()]\n",
            &format!(
                "class Migration(migrations.Migration):\n    operations = {}{}\n",
                "[".repeat(3000),
                "]".repeat(3000)
            ),
        ] {
            let m = migration(text);
            assert!(
                m.dependencies.as_ref().is_none_or(|d| d.is_empty()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn labels_and_user_model() {
        assert_eq!(
            app_label("from django.apps import AppConfig\nclass C(AppConfig):\n    name = 'x.y'\n    label = 'why'\n"),
            Some("why".into())
        );
        assert_eq!(app_label("class C(AppConfig):\n    name = 'x'\n"), None);
        assert_eq!(
            auth_user_model("AUTH_USER_MODEL = 'accounts.User'\n"),
            Some("accounts.User".into())
        );
    }
}
