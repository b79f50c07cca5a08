//! Surgical edits of a parsed file, for fixes: each returns the one byte range to replace and
//! the text to put there, so everything outside it (comments, quoting, indentation, key
//! order, anchors, line endings) stays as written. An edit that would have to go through an
//! alias or a `<<` merge is refused with the reason: the anchored node is shared, and editing
//! it would change every place that uses it.

use std::ops::Range;

use super::node::{NodeKind, NodeRef, ScalarStyle};

/// Replace `span` with `text` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Range<usize>,
    pub text: String,
}

/// A value to write: a scalar already spelled as YAML/JSON (`true`, `1800`), or a mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum New {
    Scalar(String),
    Map(Vec<(String, New)>),
}

/// Why an edit is not made.
pub type Refusal = String;

/// The line break the file uses (that of its first line), for inserted lines.
pub fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Refuses to edit `node` when other places share it: it is an alias, or it is (or lies
/// inside) an anchored value that an alias refers to.
fn refuse_shared(node: NodeRef<'_>, what: &str) -> Result<(), Refusal> {
    if node.is_alias() {
        return Err(format!(
            "{what} is an alias of an anchored value; editing the anchor would change every place that uses it, so edit it by hand"
        ));
    }
    let span = node.span();
    let shared = node
        .document()
        .alias_targets()
        .iter()
        .any(|t| t.start <= span.start && span.end <= t.end);
    if shared {
        return Err(format!(
            "{what} is part of an anchored value (`&name`) that aliases elsewhere share; editing it would change every place that uses it, so edit it by hand"
        ));
    }
    Ok(())
}

/// Replaces a scalar with `literal` as written (`"true"` becomes `true`).
pub fn replace_scalar(node: NodeRef<'_>, literal: &str) -> Result<TextEdit, Refusal> {
    refuse_shared(node, "the value")?;
    if !matches!(node.kind(), NodeKind::Scalar { .. }) {
        return Err("the value is not a single scalar".into());
    }
    Ok(TextEdit {
        span: node.span(),
        text: literal.to_string(),
    })
}

/// Replaces what a scalar says, keeping its quotes: `'600'` becomes `'1800'`. `value` must
/// need no escaping in the scalar's style (digits, identifiers).
pub fn set_scalar(node: NodeRef<'_>, value: &str) -> Result<TextEdit, Refusal> {
    refuse_shared(node, "the value")?;
    match node.scalar_style() {
        Some(ScalarStyle::Plain) if node.tag().is_none() => Ok(TextEdit {
            span: node.span(),
            text: value.to_string(),
        }),
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) if node.tag().is_none() => {
            let span = node.span();
            Ok(TextEdit {
                span: span.start + 1..span.end - 1,
                text: value.to_string(),
            })
        }
        Some(_) => Err("the value is a tagged or block scalar; change it by hand".into()),
        None => Err("the value is not a single scalar".into()),
    }
}

/// Renames a key, keeping its quotes. `name` must need no quoting.
pub fn rename_key(key: NodeRef<'_>, name: &str) -> Result<TextEdit, Refusal> {
    refuse_shared(key, "the key")?;
    set_scalar(key, name)
}

/// Own (not merged) key/value pairs of `mapping`, or why it cannot be edited.
fn own_pairs<'a>(mapping: NodeRef<'a>) -> Result<Vec<(NodeRef<'a>, NodeRef<'a>)>, Refusal> {
    refuse_shared(mapping, "the mapping")?;
    Ok(match mapping.kind() {
        NodeKind::Mapping(pairs) => pairs
            .iter()
            .map(|&(k, v)| (mapping.doc_node(k), mapping.doc_node(v)))
            .collect(),
        _ => return Err("the value is not a mapping".into()),
    })
}

/// Whether `node` is written in flow style (`{...}`, `[...]`, JSON).
fn is_flow(text: &str, node: NodeRef<'_>) -> bool {
    matches!(text.as_bytes().get(node.span().start), Some(b'{' | b'['))
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, before its line break.
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Where the text of `node` really ends: a collection's span runs on to the next token (past
/// blank lines and comments), so take its last child's; a block scalar's includes its final
/// line break.
fn content_end(text: &str, node: NodeRef<'_>) -> usize {
    if node.is_alias() {
        return node.span().end;
    }
    let span = node.span();
    if matches!(text.as_bytes().get(span.start), Some(b'{' | b'[')) {
        return span.end;
    }
    let last = match node.kind() {
        NodeKind::Mapping(pairs) => pairs.last().map(|&(_, v)| node.doc_node(v)),
        NodeKind::Sequence(items) => items.last().map(|&v| node.doc_node(v)),
        _ => None,
    };
    match last {
        Some(child) => content_end(text, child),
        None => span.start + text[span.clone()].trim_end().len(),
    }
}

/// The spaces before `offset` on its line, when only spaces (or a sequence dash: `- key:`)
/// precede it; the width is what a sibling line needs.
fn indent_at(text: &str, offset: usize) -> Option<usize> {
    let prefix = &text[line_start(text, offset)..offset];
    prefix
        .chars()
        .all(|c| c == ' ' || c == '-')
        .then_some(prefix.len())
}

/// The file's indentation step: how much deeper a nested block mapping's keys sit than their
/// parent's key, the smallest such step in the file; 2 when no mapping nests another. (Lines
/// of block scalars and multi-line strings say nothing about it.)
fn indent_step(text: &str, node: NodeRef<'_>) -> usize {
    let column = |offset: usize| offset - line_start(text, offset);
    let doc = node.document();
    doc.all_nodes()
        .filter(|n| !n.is_alias() && !is_flow(text, *n))
        .filter_map(|n| match n.kind() {
            NodeKind::Mapping(pairs) => Some((n, pairs)),
            _ => None,
        })
        .flat_map(|(n, pairs)| {
            pairs.iter().filter_map(move |&(k, v)| {
                let (key, value) = (n.doc_node(k), n.doc_node(v));
                let first = match value.kind() {
                    NodeKind::Mapping(inner) if !value.is_alias() && !is_flow(text, value) => {
                        inner.first().map(|&(k, _)| n.doc_node(k).span().start)?
                    }
                    _ => return None,
                };
                column(first).checked_sub(column(key.span().start))
            })
        })
        .filter(|&step| step > 0)
        .min()
        .unwrap_or(2)
}

/// The step of a flow collection written one entry per line (JSON): how much deeper its
/// entries (at `indent`) sit than the line that opens it.
fn flow_step(text: &str, collection: NodeRef<'_>, indent: usize, fallback: usize) -> usize {
    let open = line_start(text, collection.span().start);
    let opening = text[open..].len() - text[open..].trim_start_matches(' ').len();
    indent
        .checked_sub(opening)
        .filter(|&step| step > 0)
        .unwrap_or(fallback)
}

/// The deepest last node of a block collection: what a line added after `node` follows.
fn last_descendant<'a>(text: &str, node: NodeRef<'a>) -> NodeRef<'a> {
    if node.is_alias() || is_flow(text, node) {
        return node;
    }
    let last = match node.kind() {
        NodeKind::Mapping(pairs) => pairs.last().map(|&(_, v)| node.doc_node(v)),
        NodeKind::Sequence(items) => items.last().map(|&v| node.doc_node(v)),
        _ => None,
    };
    last.map_or(node, |child| last_descendant(text, child))
}

/// The chomping indicator of a block scalar (`+` keep, `-` strip, `None` clip), or `None`
/// for any other node. Its span starts at the content, so the header is the last word before.
fn block_chomping(text: &str, node: NodeRef<'_>) -> Option<Option<char>> {
    if !matches!(
        node.scalar_style(),
        Some(ScalarStyle::Literal | ScalarStyle::Folded)
    ) {
        return None;
    }
    let before = text[..node.span().start].trim_end();
    let header_line = &before[line_start(before, before.len())..];
    let header_line = header_line
        .find(" #")
        .map_or(header_line, |i| &header_line[..i]);
    let header = header_line.split_whitespace().last()?;
    Some(header.chars().find(|c| matches!(c, '+' | '-')))
}

/// Adds `line` (no line break) as a line of its own after `last`, the last value of a block
/// collection: after the line the value ends on (past a comment there), or, when the value
/// ends in a `|+` scalar whose trailing blank lines are content, after those lines. A block
/// scalar that ends the file without a line break would gain one, so the line then goes
/// before `first_line` (the start of the last entry), or is refused when that is `None`.
fn add_line_after(
    text: &str,
    last: NodeRef<'_>,
    first_line: Option<usize>,
    line: &str,
) -> Result<TextEdit, Refusal> {
    let eol = line_break(text);
    let deepest = last_descendant(text, last);
    let end = deepest.span().end;
    let chomping = block_chomping(text, deepest);
    let at_eof = text[content_end(text, deepest)..]
        .trim_end_matches(' ')
        .is_empty();
    if chomping.is_some_and(|c| c != Some('-')) && at_eof {
        let at = first_line
            .ok_or("the last value is a block scalar that ends the file without a line break; a line after it would add one to its text")?;
        return Ok(TextEdit {
            span: at..at,
            text: format!("{line}{eol}"),
        });
    }
    if chomping == Some(Some('+')) && text[..end].ends_with('\n') {
        return Ok(TextEdit {
            span: end..end,
            text: format!("{line}{eol}"),
        });
    }
    let at = line_end(text, content_end(text, last));
    Ok(TextEdit {
        span: at..at,
        text: format!("{eol}{line}"),
    })
}

fn quote_like(key: &str, sibling: Option<NodeRef<'_>>) -> String {
    match sibling.and_then(|s| s.scalar_style()) {
        Some(ScalarStyle::DoubleQuoted) => format!("\"{key}\""),
        Some(ScalarStyle::SingleQuoted) => format!("'{key}'"),
        _ => key.to_string(),
    }
}

/// `value` in block style, starting right after `key:`.
fn block_value(value: &New, indent: usize, step: usize, eol: &str) -> String {
    match value {
        New::Scalar(s) => format!(" {s}"),
        New::Map(entries) => {
            let pad = " ".repeat(indent + step);
            entries
                .iter()
                .map(|(k, v)| format!("{eol}{pad}{k}:{}", block_value(v, indent + step, step, eol)))
                .collect()
        }
    }
}

/// `value` in flow style; on several lines at `indent` when `multiline`.
fn flow_value(value: &New, quoted: bool, multiline: Option<(usize, usize, &str)>) -> String {
    let key = |k: &str| {
        if quoted {
            format!("\"{k}\"")
        } else {
            k.to_string()
        }
    };
    match value {
        New::Scalar(s) => s.clone(),
        New::Map(entries) => match multiline {
            Some((indent, step, eol)) => {
                let pad = " ".repeat(indent + step);
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{pad}{}: {}",
                            key(k),
                            flow_value(v, quoted, Some((indent + step, step, eol)))
                        )
                    })
                    .collect();
                format!(
                    "{{{eol}{}{eol}{}}}",
                    inner.join(&format!(",{eol}")),
                    " ".repeat(indent)
                )
            }
            None => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), flow_value(v, quoted, None)))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        },
    }
}

/// Adds `key: value` as the last own entry of `mapping`, in the mapping's style (`key` must
/// need no quoting): a new line
/// at the siblings' indentation in block style; `, key: value` (on its own line when the
/// siblings are) in flow style and JSON, quoting the key as the last sibling's is quoted.
pub fn insert_entry(
    text: &str,
    mapping: NodeRef<'_>,
    key: &str,
    value: &New,
) -> Result<TextEdit, Refusal> {
    let pairs = own_pairs(mapping)?;
    let eol = line_break(text);
    let step = indent_step(text, mapping);
    let span = mapping.span();
    if is_flow(text, mapping) {
        let Some(&(last_key, last_value)) = pairs.last() else {
            // `{}`: JSON if the file is.
            let quoted = text.trim_start().starts_with('{');
            let key = if quoted {
                format!("\"{key}\"")
            } else {
                key.to_string()
            };
            return Ok(TextEdit {
                span: span.start + 1..span.start + 1,
                text: format!("{key}: {}", flow_value(value, quoted, None)),
            });
        };
        let quoted = last_key.scalar_style() == Some(ScalarStyle::DoubleQuoted);
        let own_line = text[span.start..last_key.span().start].contains('\n');
        let at = content_end(text, last_value);
        let written_key = quote_like(key, Some(last_key));
        let new = if own_line {
            let indent = indent_at(text, last_key.span().start)
                .ok_or("the mapping's keys do not start their lines")?;
            format!(
                ",{eol}{}{written_key}: {}",
                " ".repeat(indent),
                flow_value(
                    value,
                    quoted,
                    Some((indent, flow_step(text, mapping, indent, step), eol))
                )
            )
        } else {
            format!(", {written_key}: {}", flow_value(value, quoted, None))
        };
        return Ok(TextEdit {
            span: at..at,
            text: new,
        });
    }
    let (&(first_key, _), &(last_key, last_value)) = match (pairs.first(), pairs.last()) {
        (Some(first), Some(last)) => (first, last),
        _ => return Err("the mapping is empty".into()),
    };
    let indent = indent_at(text, first_key.span().start)
        .ok_or("the mapping's keys do not start their lines")?;
    let line = format!(
        "{}{}:{}",
        " ".repeat(indent),
        quote_like(key, Some(last_key)),
        block_value(value, indent, step, eol)
    );
    let last_line = line_start(text, last_key.span().start);
    let alone = text[last_line..last_key.span().start]
        .trim_start_matches(' ')
        .is_empty();
    add_line_after(text, last_value, alone.then_some(last_line), &line)
}

/// Appends `item` to a list, in its style: a `- ` item at the siblings' indentation in block
/// style, `, item` (on its own line when the siblings are) in flow style and JSON.
pub fn insert_item(text: &str, sequence: NodeRef<'_>, item: &New) -> Result<TextEdit, Refusal> {
    refuse_shared(sequence, "the list")?;
    if !sequence.is_sequence() {
        return Err("the value is not a list".into());
    }
    let items = sequence.items();
    let eol = line_break(text);
    let step = indent_step(text, sequence);
    let json = text.trim_start().starts_with('{');
    if is_flow(text, sequence) {
        let Some(&last) = items.last() else {
            // `[]`: JSON if the file is.
            let at = sequence.span().start + 1;
            return Ok(TextEdit {
                span: at..at,
                text: flow_value(item, json, None),
            });
        };
        let quoted = json
            || last
                .entries()
                .first()
                .is_some_and(|(k, _)| k.scalar_style() == Some(ScalarStyle::DoubleQuoted));
        let own_line = text[sequence.span().start..last.span().start].contains('\n');
        let at = content_end(text, last);
        let new = match indent_at(text, last.span().start).filter(|_| own_line) {
            Some(indent) => format!(
                ",{eol}{}{}",
                " ".repeat(indent),
                flow_value(
                    item,
                    quoted,
                    Some((indent, flow_step(text, sequence, indent, step), eol))
                )
            ),
            None => format!(", {}", flow_value(item, quoted, None)),
        };
        return Ok(TextEdit {
            span: at..at,
            text: new,
        });
    }
    let (Some(first), Some(&last)) = (items.first(), items.last()) else {
        return Err("the list is empty".into());
    };
    // The first item sets the layout: where its dash is, and where its content starts.
    let content = first.span().start;
    let start = line_start(text, content);
    let dash = text[start..content]
        .find('-')
        .map(|i| start + i)
        .ok_or("the list's items do not start their lines")?;
    let indent = indent_at(text, dash).ok_or("the list's items do not start their lines")?;
    let column = content - start;
    let body = match item {
        New::Scalar(s) => s.clone(),
        New::Map(entries) => entries
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let lead = if i == 0 {
                    String::new()
                } else {
                    format!("{eol}{}", " ".repeat(column))
                };
                format!("{lead}{k}:{}", block_value(v, column, step, eol))
            })
            .collect(),
    };
    let line = format!(
        "{}-{}{body}",
        " ".repeat(indent),
        " ".repeat(column - indent - 1)
    );
    add_line_after(text, last, None, &line)
}

/// Removes `key` and its value from `mapping`. In block style the entry becomes the comment
/// `# <entry as written> <note>` on the same line, so the reader sees what went and why;
/// flow style and JSON have no place for a comment, so the entry goes with its comma.
pub fn remove_entry(
    text: &str,
    mapping: NodeRef<'_>,
    key: NodeRef<'_>,
    note: &str,
) -> Result<TextEdit, Refusal> {
    let pairs = own_pairs(mapping)?;
    let Some(index) = pairs.iter().position(|(k, _)| k.id() == key.id()) else {
        return Err("the key comes from a `<<` merge of an anchored mapping".into());
    };
    if pairs.len() == 1 {
        return Err("it is the only key, and removing it would leave no mapping".into());
    }
    let (_, value) = pairs[index];
    let key_span = key.span();
    let removed = key_span.start..content_end(text, value);
    let holds_anchor = key
        .document()
        .alias_targets()
        .iter()
        .any(|t| t.start < removed.end && removed.start < t.end);
    if holds_anchor {
        return Err("the entry holds an anchored value (`&name`) that an alias elsewhere uses; removing it would break that alias".into());
    }
    if is_flow(text, mapping) {
        let span = match (pairs.get(index + 1), index.checked_sub(1)) {
            (Some((next, _)), _) => key_span.start..next.span().start,
            (None, Some(prev)) => content_end(text, pairs[prev].1)..content_end(text, value),
            (None, None) => unreachable!("a mapping with one key was refused above"),
        };
        if text[span.clone()].contains('#') {
            return Err("a comment sits inside the entry".into());
        }
        return Ok(TextEdit {
            span,
            text: String::new(),
        });
    }
    let end = content_end(text, value);
    let alone = text[line_start(text, key_span.start)..key_span.start]
        .chars()
        .all(|c| c == ' ');
    if !alone || text[key_span.start..end].contains('\n') {
        return Err("the entry does not sit alone on one line".into());
    }
    let written = &text[key_span.start..end];
    Ok(TextEdit {
        span: key_span.start..end,
        text: format!("# {written} {note}"),
    })
}
