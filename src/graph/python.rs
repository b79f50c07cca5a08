//! Python source as data: parse with tree-sitter-python and read the literal structures that
//! Django's `makemigrations` and Alembic's `revision` write (strings, tuples, lists, dicts,
//! calls with literal arguments). Nothing is executed: a name, an f-string, an operator or a
//! comprehension is [`Value::Unknown`], and callers treat unknown as "say nothing".
//!
//! Why tree-sitter rather than a regex or a hand-written tokenizer: comments, docstrings and
//! strings that merely contain `dependencies = [...]` must not count, and the grammar shares
//! the tree-sitter runtime ebguard already links for bash (src/shell).

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// How deep literal reading follows nested brackets; generated files nest four or five.
const MAX_DEPTH: usize = 64;

/// Parses `text` as Python. `None` only if the grammar cannot be loaded (a build problem).
pub(crate) fn parse(text: &str) -> Option<Tree> {
    parse_skipping(text, None)
}

/// [`parse`], leaving the bytes of `skip` out of the parse (tree-sitter's included ranges):
/// nodes keep their offsets in `text`, and the skipped bytes cost nothing. Parsing is nearly
/// all of the cost of reading migrations (bench/graph.sh), and most of a migration's bytes are
/// operations that create no index or constraint.
pub(crate) fn parse_skipping(text: &str, skip: Option<Range<usize>>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        let Some(skip) = skip.filter(|r| r.start < r.end && r.end <= text.len()) else {
            parser.set_included_ranges(&[]).ok()?;
            return parser.parse(text, None);
        };
        let point = |offset: usize| {
            let before = &text.as_bytes()[..offset];
            let row = before.iter().filter(|&&b| b == b'\n').count();
            let column = offset
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
            tree_sitter::Point { row, column }
        };
        let ranges = [
            tree_sitter::Range {
                start_byte: 0,
                end_byte: skip.start,
                start_point: tree_sitter::Point { row: 0, column: 0 },
                end_point: point(skip.start),
            },
            tree_sitter::Range {
                start_byte: skip.end,
                end_byte: text.len(),
                start_point: point(skip.end),
                end_point: point(text.len()),
            },
        ];
        parser.set_included_ranges(&ranges).ok()?;
        let tree = parser.parse(text, None);
        parser.set_included_ranges(&[]).ok()?;
        tree
    })
}

/// The byte range inside the brackets of `name = [...]` (or `(...)`) at the start of a line,
/// found with a lexer that knows Python's strings and comments; `None` when not found.
pub(crate) fn bracketed_value(text: &str, name: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut line_start = 0;
    let open = loop {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(name) {
            let rest_trim = rest.trim_start();
            if let Some(value) = rest_trim.strip_prefix('=') {
                let value_trim = value.trim_start();
                if value_trim.starts_with(['[', '(']) {
                    break line_end - value_trim.len();
                }
            }
        }
        if line_end == text.len() {
            return None;
        }
        line_start = line_end + 1;
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'\'' | b'"') => {
                let triple = bytes.get(i..i + 3) == Some(&[q, q, q][..]);
                i += if triple { 3 } else { 1 };
                loop {
                    match bytes.get(i) {
                        None => return None,
                        Some(b'\\') => i += 2,
                        Some(b'\n') if !triple => return None,
                        Some(&c) if c == q => {
                            if !triple {
                                break;
                            }
                            if bytes.get(i..i + 3) == Some(&[q, q, q][..]) {
                                i += 2;
                                break;
                            }
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + 1..i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A literal value with the byte range it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Lit {
    pub value: Value,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    None,
    /// A list or a tuple (Django and Alembic accept both).
    Seq(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
    /// `func(args, key=value)`, `func` as written (`migrations.AddIndex`, `models.Index`).
    Call {
        func: String,
        args: Vec<Lit>,
        kwargs: Vec<(String, Lit)>,
    },
    /// A bare or dotted name (`settings.AUTH_USER_MODEL`).
    Name(String),
    /// Anything computed.
    Unknown,
}

impl Lit {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Lit]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The call's function name without its module (`AddIndex` for `migrations.AddIndex`).
    pub fn call_name(&self) -> Option<&str> {
        match &self.value {
            Value::Call { func, .. } => Some(func.rsplit('.').next().unwrap_or(func)),
            _ => None,
        }
    }

    /// A call's keyword argument, or its positional argument at `position`.
    pub fn arg(&self, keyword: &str, position: usize) -> Option<&Lit> {
        match &self.value {
            Value::Call { args, kwargs, .. } => kwargs
                .iter()
                .find(|(k, _)| k == keyword)
                .map(|(_, v)| v)
                .or_else(|| args.get(position)),
            _ => None,
        }
    }

    /// The value under string key `key` of a dict.
    pub fn get(&self, key: &str) -> Option<&Lit> {
        match &self.value {
            Value::Dict(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A `name = value` (or `name: T = value`) statement directly in a module or class body.
#[derive(Debug)]
pub struct Assignment<'t> {
    pub name: String,
    pub value: Node<'t>,
}

/// The assignments directly inside `body` (a `module` or a class's `block`), in order.
pub fn assignments<'t>(body: Node<'t>, src: &str) -> Vec<Assignment<'t>> {
    let mut out = Vec::new();
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        if stmt.kind() != "expression_statement" {
            continue;
        }
        let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
            continue;
        };
        let (Some(left), Some(right)) = (
            assign.child_by_field_name("left"),
            assign.child_by_field_name("right"),
        ) else {
            continue;
        };
        if left.kind() != "identifier" {
            continue;
        }
        out.push(Assignment {
            name: text(left, src).to_string(),
            value: right,
        });
    }
    out
}

/// The top-level classes of a module (decorated ones included) as (name, superclasses, body).
pub fn classes<'t>(module: Node<'t>, src: &str) -> Vec<(String, Vec<String>, Node<'t>, Node<'t>)> {
    let mut out = Vec::new();
    let mut cursor = module.walk();
    for stmt in module.named_children(&mut cursor) {
        let class = match stmt.kind() {
            "class_definition" => stmt,
            "decorated_definition" => match stmt.child_by_field_name("definition") {
                Some(d) if d.kind() == "class_definition" => d,
                _ => continue,
            },
            _ => continue,
        };
        let (Some(name), Some(body)) = (
            class.child_by_field_name("name"),
            class.child_by_field_name("body"),
        ) else {
            continue;
        };
        let supers = class
            .child_by_field_name("superclasses")
            .map(|list| {
                let mut c = list.walk();
                list.named_children(&mut c)
                    .map(|n| text(n, src).to_string())
                    .collect()
            })
            .unwrap_or_default();
        out.push((text(name, src).to_string(), supers, name, body));
    }
    out
}

pub fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Reads `node` as a literal.
pub fn literal(node: Node<'_>, src: &str) -> Lit {
    read(node, src, 0)
}

fn read(node: Node<'_>, src: &str, depth: usize) -> Lit {
    let span = node.byte_range();
    let unknown = Lit {
        value: Value::Unknown,
        span: span.clone(),
    };
    if depth > MAX_DEPTH {
        return unknown;
    }
    let children = |n: Node<'_>| -> Vec<Lit> {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|x| x.kind() != "comment")
            .map(|x| read(x, src, depth + 1))
            .collect()
    };
    let value = match node.kind() {
        "string" => string(node, src).map_or(Value::Unknown, Value::Str),
        "concatenated_string" => {
            let mut all = String::new();
            let mut c = node.walk();
            for part in node.named_children(&mut c) {
                match string(part, src) {
                    Some(s) => all.push_str(&s),
                    None => return unknown,
                }
            }
            Value::Str(all)
        }
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "none" => Value::None,
        "list" | "tuple" => Value::Seq(children(node)),
        "parenthesized_expression" => match node.named_child(0) {
            Some(inner) if inner.kind() != "comment" => return read(inner, src, depth + 1),
            _ => Value::Unknown,
        },
        "dictionary" => {
            let mut pairs = Vec::new();
            let mut c = node.walk();
            for pair in node.named_children(&mut c) {
                if pair.kind() == "comment" {
                    continue;
                }
                let (Some(k), Some(v)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) else {
                    return unknown;
                };
                pairs.push((read(k, src, depth + 1), read(v, src, depth + 1)));
            }
            Value::Dict(pairs)
        }
        "identifier" | "attribute" => Value::Name(text(node, src).to_string()),
        "call" => {
            let (Some(func), Some(arguments)) = (
                node.child_by_field_name("function"),
                node.child_by_field_name("arguments"),
            ) else {
                return unknown;
            };
            if !matches!(func.kind(), "identifier" | "attribute") {
                return unknown;
            }
            let mut args = Vec::new();
            let mut kwargs = Vec::new();
            let mut c = arguments.walk();
            for arg in arguments.named_children(&mut c) {
                match arg.kind() {
                    "comment" => {}
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (
                            arg.child_by_field_name("name"),
                            arg.child_by_field_name("value"),
                        ) {
                            kwargs.push((text(k, src).to_string(), read(v, src, depth + 1)));
                        }
                    }
                    // `*args` / `**kwargs`: the call's arguments are not all known.
                    "list_splat" | "dictionary_splat" => {
                        args.push(unknown.clone());
                    }
                    _ => args.push(read(arg, src, depth + 1)),
                }
            }
            Value::Call {
                func: text(func, src).to_string(),
                args,
                kwargs,
            }
        }
        _ => Value::Unknown,
    };
    Lit { value, span }
}

/// A plain (or raw) string literal's value; `None` for f-strings with replacement fields and
/// bytes, whose value is not known without running the code.
fn string(node: Node<'_>, src: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut start = None;
    let mut end = None;
    let mut c = node.walk();
    for part in node.children(&mut c) {
        match part.kind() {
            "string_start" => start = Some(part),
            "string_end" => end = Some(part),
            "interpolation" => return None,
            _ => {}
        }
    }
    let (start, end) = (start?, end?);
    let prefix = text(start, src).to_ascii_lowercase();
    if prefix.contains('b') {
        return None;
    }
    let body = src.get(start.end_byte()..end.start_byte())?;
    if prefix.contains('r') {
        return Some(body.to_string());
    }
    Some(unescape(body))
}

/// Python's common escapes; anything rarer is kept as written, which only matters for names
/// nobody writes (migration and index names are identifiers).
fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\n') => {}
            Some(other @ ('\\' | '\'' | '"')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(expr: &str) -> Lit {
        let src = format!("x = {expr}\n");
        let tree = parse(&src).unwrap();
        let a = assignments(tree.root_node(), &src);
        literal(a[0].value, &src)
    }

    #[test]
    fn reads_literals_and_marks_the_rest_unknown() {
        assert_eq!(lit("'a' \"b\"").as_str(), Some("ab"));
        assert_eq!(lit("r'a\\d'").as_str(), Some("a\\d"));
        assert_eq!(lit("f'{x}'").value, Value::Unknown);
        assert_eq!(lit("'it\\'s'").as_str(), Some("it's"));
        let deps = lit("[('app', '0001_initial'), # comment\n migrations.swappable_dependency(settings.AUTH_USER_MODEL)]");
        let items = deps.items().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].items().unwrap()[1].as_str(), Some("0001_initial"));
        assert_eq!(items[1].call_name(), Some("swappable_dependency"));
        assert_eq!(
            items[1].arg("value", 0).unwrap().value,
            Value::Name("settings.AUTH_USER_MODEL".into())
        );
        assert_eq!(lit("[x for x in y]").value, Value::Unknown);
        assert_eq!(lit("a + b").value, Value::Unknown);
        assert_eq!(
            lit("{'indexes': []}").get("indexes").unwrap().items(),
            Some(&[][..])
        );
    }

    #[test]
    fn skipped_ranges_keep_offsets() {
        let src = "a = 1\nops = [f('x]'), # ]\n  g(\"\"\"]\"\"\")]\nb = 'z'\n";
        let inside = bracketed_value(src, "ops").unwrap();
        assert_eq!(&src[inside.clone()], "f('x]'), # ]\n  g(\"\"\"]\"\"\")");
        let tree = parse_skipping(src, Some(inside)).unwrap();
        let a = assignments(tree.root_node(), src);
        let names: Vec<&str> = a.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a", "ops", "b"]);
        assert_eq!(literal(a[1].value, src).items(), Some(&[][..]));
        assert_eq!(literal(a[2].value, src).as_str(), Some("z"));
        assert_eq!(bracketed_value("x = 'unterminated [", "x"), None);
    }

    #[test]
    fn deep_nesting_is_unknown_not_a_stack_overflow() {
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let src = format!("x = {deep}\n");
        if let Some(tree) = parse(&src) {
            let a = assignments(tree.root_node(), &src);
            if let Some(a) = a.first() {
                let _ = literal(a.value, &src);
            }
        }
    }
}
