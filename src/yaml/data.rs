//! A parsed file as the data a YAML loader hands its program, and the differences between two
//! such trees: how the tests of fixes prove that an edit changed exactly what it meant to and
//! nothing else (tests/fix.rs, `yaml::edit`'s tests).
//!
//! The reading is PyYAML's `safe_load` (YAML 1.1): the guide links the YAML 1.1 spec (eb-facts
//! §1.1), cfn-init, which runs the commands, is Python (§2.2), and which parser EB's service
//! uses is not documented (open question 3), so the strictest common reading is 1.1's: plain
//! `yes`/`on`/`true` are booleans, plain `0755` is an octal integer, `<<` merges mappings,
//! the last of two equal keys wins. It is written from
//! those rules, not from [`NodeRef::entries`], so a bug there shows up here as a difference;
//! tests/fix_pyyaml.py checks the same trees against PyYAML itself.

use std::fmt;

use super::node::{Document, NodeKind, NodeRef, ScalarStyle};

/// One value as a YAML 1.1 loader builds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Null,
    Bool(bool),
    Int(i128),
    /// Kept as written: two spellings of one float are rare enough to count as a change.
    Float(String),
    Str(String),
    /// A value with a local tag (`!Ref x`): CloudFormation's short forms.
    Tagged(String, Box<Data>),
    Seq(Vec<Data>),
    /// Keys in the order a loader keeps them (first insertion), each once.
    Map(Vec<(Data, Data)>),
}

/// How `<<` merges are followed before giving up, like [`NodeRef::entries`].
const MERGE_DEPTH: usize = 8;

/// The data of `doc`; `None` for an empty document.
pub fn of(doc: &Document) -> Option<Data> {
    doc.root().map(data)
}

/// The data of one node, aliases resolved (an alias is its anchor's value).
pub fn data(node: NodeRef<'_>) -> Data {
    let value = match node.kind() {
        NodeKind::Scalar { value, style } => scalar(value, *style, node.tag()),
        NodeKind::Sequence(_) => Data::Seq(node.items().into_iter().map(data).collect()),
        NodeKind::Mapping(_) => Data::Map(mapping(node, MERGE_DEPTH)),
        NodeKind::Alias(_) => unreachable!("kind() resolves aliases"),
    };
    match (node.tag(), &value) {
        (Some(tag), _) if !tag.starts_with("!!") => Data::Tagged(tag.to_string(), Box::new(value)),
        _ => value,
    }
}

/// PyYAML's `flatten_mapping` then `construct_mapping`: merged entries come first, in reverse
/// order of their sources (so the first source wins), then the mapping's own, later keys
/// replacing earlier ones but keeping their place.
fn mapping(node: NodeRef<'_>, depth: usize) -> Vec<(Data, Data)> {
    let NodeKind::Mapping(pairs) = node.kind() else {
        return Vec::new();
    };
    let mut merged: Vec<(Data, Data)> = Vec::new();
    let mut own: Vec<(Data, Data)> = Vec::new();
    for &(k, v) in pairs {
        let (key, value) = (node.doc_node(k), node.doc_node(v));
        let is_merge = key.scalar_style() == Some(ScalarStyle::Plain)
            && key.tag().is_none()
            && key.as_str() == Some("<<");
        if !is_merge {
            own.push((data(key), data(value)));
            continue;
        }
        if depth == 0 {
            continue;
        }
        let sources = if value.is_sequence() {
            value.items()
        } else {
            vec![value]
        };
        for source in sources.into_iter().rev() {
            merged.extend(mapping(source, depth - 1));
        }
    }
    let mut out: Vec<(Data, Data)> = Vec::new();
    for (key, value) in merged.into_iter().chain(own) {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    out
}

/// A scalar as PyYAML's implicit resolvers read it: only plain, untagged scalars are anything
/// but strings.
fn scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> Data {
    match tag {
        Some("!!str") => return Data::Str(value.to_string()),
        Some(t) if t.starts_with("!!") => return plain(value),
        _ => {}
    }
    if style != ScalarStyle::Plain || tag.is_some() {
        return Data::Str(value.to_string());
    }
    plain(value)
}

fn plain(value: &str) -> Data {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Data::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Data::Bool(true)
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Data::Bool(false)
        }
        _ => {}
    }
    if let Some(n) = int(value) {
        return Data::Int(n);
    }
    if is_float(value) {
        return Data::Float(value.to_string());
    }
    Data::Str(value.to_string())
}

/// YAML 1.1 integers: `0b1010`, `0755` (octal), `0x1F`, `1_000`, `1:30` (base 60).
fn int(value: &str) -> Option<i128> {
    let (sign, rest) = match value.as_bytes().first()? {
        b'-' => (-1, &value[1..]),
        b'+' => (1, &value[1..]),
        _ => (1, value),
    };
    let digits = |s: &str, radix: u32| -> Option<i128> {
        let s: String = s.chars().filter(|&c| c != '_').collect();
        if s.is_empty() {
            return None;
        }
        i128::from_str_radix(&s, radix).ok()
    };
    let n = if let Some(b) = rest.strip_prefix("0b") {
        digits(b, 2)?
    } else if let Some(x) = rest.strip_prefix("0x") {
        digits(x, 16)?
    } else if rest == "0" {
        0
    } else if let Some(o) = rest.strip_prefix('0') {
        o.chars()
            .all(|c| matches!(c, '0'..='7' | '_'))
            .then_some(())?;
        digits(o, 8)?
    } else if rest.contains(':') {
        let mut parts = rest.split(':');
        let head = parts.next()?;
        if !head.starts_with(|c: char| matches!(c, '1'..='9')) {
            return None;
        }
        let mut n = digits(head, 10)?;
        for part in parts {
            let ok =
                !part.is_empty() && part.len() <= 2 && part.chars().all(|c| c.is_ascii_digit());
            let d: i128 = part.parse().ok().filter(|&d| ok && d < 60)?;
            n = n * 60 + d;
        }
        n
    } else {
        if !rest.starts_with(|c: char| matches!(c, '1'..='9'))
            || !rest.chars().all(|c| c.is_ascii_digit() || c == '_')
        {
            return None;
        }
        digits(rest, 10)?
    };
    Some(sign * n)
}

/// YAML 1.1 floats as PyYAML resolves them: a dot is required (`1e3` is a string), or
/// `.inf`/`.nan`.
fn is_float(value: &str) -> bool {
    let rest = value.trim_start_matches(['-', '+']);
    if value.len() - rest.len() > 1 {
        return false;
    }
    if matches!(rest, ".inf" | ".Inf" | ".INF") || matches!(value, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let Some((whole, fraction)) = mantissa.split_once('.') else {
        return false;
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let whole_ok = if whole.is_empty() {
        // `.5` but not `-.5`.
        rest.len() == value.len() && fraction.starts_with(|c: char| c.is_ascii_digit())
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit()) && digits(whole)
    };
    let exponent_ok = exponent.is_none_or(|e| {
        e.len() > 1 && e.starts_with(['-', '+']) && e[1..].chars().all(|c| c.is_ascii_digit())
    });
    whole_ok && digits(fraction) && exponent_ok
}

/// One difference between two trees.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Added(Data),
    Removed(Data),
    Changed(Data, Data),
}

/// Where a difference is: keys and list indexes from the root, as written.
pub type Path = Vec<String>;

/// The differences from `before` to `after`: mappings by key (order is not data), lists item
/// by item, anything else as a whole.
pub fn diff(before: &Data, after: &Data) -> Vec<(Path, Change)> {
    let mut out = Vec::new();
    diff_into(&mut Vec::new(), before, after, &mut out);
    out
}

fn diff_into(path: &mut Path, before: &Data, after: &Data, out: &mut Vec<(Path, Change)>) {
    match (before, after) {
        (Data::Map(a), Data::Map(b)) => {
            for (key, old) in a {
                path.push(segment(key));
                match b.iter().find(|(k, _)| k == key) {
                    Some((_, new)) => diff_into(path, old, new, out),
                    None => out.push((path.clone(), Change::Removed(old.clone()))),
                }
                path.pop();
            }
            for (key, new) in b.iter().filter(|(k, _)| !a.iter().any(|(j, _)| j == k)) {
                let mut at = path.clone();
                at.push(segment(key));
                out.push((at, Change::Added(new.clone())));
            }
        }
        (Data::Seq(a), Data::Seq(b)) => {
            for i in 0..a.len().max(b.len()) {
                path.push(i.to_string());
                match (a.get(i), b.get(i)) {
                    (Some(old), Some(new)) => diff_into(path, old, new, out),
                    (Some(old), None) => out.push((path.clone(), Change::Removed(old.clone()))),
                    (None, Some(new)) => out.push((path.clone(), Change::Added(new.clone()))),
                    (None, None) => unreachable!(),
                }
                path.pop();
            }
        }
        (Data::Tagged(s, a), Data::Tagged(t, b)) if s == t => diff_into(path, a, b, out),
        _ if before == after => {}
        _ => out.push((path.clone(), Change::Changed(before.clone(), after.clone()))),
    }
}

/// The key and value nodes at `path` below `node` (through aliases and `<<` merges, as a
/// loader reads them); the key is `None` for a list item.
pub fn node_at<'a>(
    node: NodeRef<'a>,
    path: &[String],
) -> Option<(Option<NodeRef<'a>>, NodeRef<'a>)> {
    let mut at = (None, node);
    for step in path {
        let parent = at.1;
        at = if parent.is_sequence() {
            (None, *parent.items().get(step.parse::<usize>().ok()?)?)
        } else {
            // The last of two equal keys is the one a loader keeps.
            let (k, v) = parent
                .entries()
                .into_iter()
                .rfind(|(k, _)| segment(&data(*k)) == *step)?;
            (Some(k), v)
        };
    }
    Some(at)
}

/// A key in a path: a string as it is, anything else as data.
fn segment(key: &Data) -> String {
    match key {
        Data::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One line per difference, for assertions and failure messages:
/// `container_commands/01_migrate/timeout: removed 1800`.
pub fn describe(changes: &[(Path, Change)]) -> Vec<String> {
    changes
        .iter()
        .map(|(path, change)| {
            let what = match change {
                Change::Added(new) => format!("added {new}"),
                Change::Removed(old) => format!("removed {old}"),
                Change::Changed(old, new) => format!("{old} -> {new}"),
            };
            format!("{}: {what}", path.join("/"))
        })
        .collect()
}

impl Data {
    /// As JSON, for tests/fix_pyyaml.py to compare with what PyYAML reads: mappings as lists
    /// of pairs (keys need not be strings, order is kept), floats and tags spelled out.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        match self {
            Data::Null => Value::Null,
            Data::Bool(b) => json!(b),
            Data::Int(n) => match i64::try_from(*n) {
                Ok(n) => json!(n),
                Err(_) => json!({ "int": n.to_string() }),
            },
            Data::Float(x) => json!({ "float": x }),
            Data::Str(s) => json!(s),
            Data::Tagged(tag, value) => json!({ "tag": tag, "value": value.json() }),
            Data::Seq(items) => Value::Array(items.iter().map(Data::json).collect()),
            Data::Map(entries) => json!({
                "map": entries.iter().map(|(k, v)| json!([k.json(), v.json()])).collect::<Vec<_>>()
            }),
        }
    }
}

/// Compact, JSON-like: strings quoted, so `"true"` and `true` read differently.
impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::Null => write!(f, "null"),
            Data::Bool(b) => write!(f, "{b}"),
            Data::Int(n) => write!(f, "{n}"),
            Data::Float(x) => write!(f, "{x}"),
            Data::Str(s) => write!(f, "{s:?}"),
            Data::Tagged(tag, value) => write!(f, "{tag} {value}"),
            Data::Seq(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    write!(f, "{}{item}", if i > 0 { ", " } else { "" })?;
                }
                write!(f, "]")
            }
            Data::Map(entries) => {
                write!(f, "{{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    write!(f, "{}{k}: {v}", if i > 0 { ", " } else { "" })?;
                }
                write!(f, "}}")
            }
        }
    }
}
