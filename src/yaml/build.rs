//! Builds the arena from parser events with an explicit stack (no recursion, so depth costs
//! no native stack), detecting duplicate keys and measuring alias expansion on the way.

use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use granit_parser::{Event, Options, Parser, ScalarStyle as GranitStyle, Span};

use super::node::{Comment, Document, DuplicateKey, Node, NodeId, NodeKind, ScalarStyle};

/// Resource limits for one file. Exceeding one is a finding for that file, never a hang.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nesting depth of block and flow collections.
    pub max_depth: usize,
    /// Nodes the document would have with every alias expanded (billion-laughs guard).
    pub max_expanded_nodes: u64,
    /// Wall time for parsing one file. The size cap and the parser's linear design already
    /// bound the work; this bounds the time on top, whatever a parser bug or a loaded machine
    /// does. Checked between parser events, so no thread or signal per file is needed.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_expanded_nodes: 1_000_000,
            // A 1 MiB file (the size cap) parses in tens of milliseconds; a second leaves a
            // wide margin for busy CI machines, so the limit never fires on a real file.
            time_budget: Duration::from_secs(1),
        }
    }
}

/// Why a file is not a usable YAML/JSON document, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Range<usize>,
}

enum Frame {
    Sequence {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Mapping {
        id: NodeId,
        pairs: Vec<(NodeId, NodeId)>,
        key: Option<NodeId>,
        seen: HashMap<String, Range<usize>>,
    },
}

struct Builder<'t> {
    text: &'t str,
    doc: Document,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    /// Expanded size of every finished node, indexed like the arena.
    sizes: Vec<u64>,
}

pub fn parse(text: &str, limits: Limits) -> Result<Document, ParseError> {
    let mut options = Options::default();
    options.block_nesting_limit = limits.max_depth;
    options.flow_nesting_limit = limits.max_depth;
    let mut builder = Builder {
        text,
        doc: Document::default(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        sizes: Vec::new(),
    };
    let max = limits.max_expanded_nodes;
    let mut documents = 0;
    let started = Instant::now();
    for (events, item) in Parser::new_from_str_with_options(text, options).enumerate() {
        // Reading the clock costs tens of nanoseconds; every 256 events keeps it off the
        // profile while a stuck file still stops within microseconds of its budget.
        if events % 256 == 255 && started.elapsed() > limits.time_budget {
            let at = builder.last_offset();
            return Err(ParseError {
                message: format!(
                    "parsing took longer than ebguard's per-file time budget of {} ms and was stopped",
                    limits.time_budget.as_millis()
                ),
                span: at..builder.next_char_end(at),
            });
        }
        let (event, span) = item.map_err(|e| {
            let at = builder.tab_before(builder.offset(e.marker()));
            let info = e.info();
            // The parser stops at the nesting limit ("recursion limit exceeded"); say what that means.
            let message = if info.contains("recursion limit") {
                format!(
                    "this value nests deeper than {} levels; ebguard stops here, and real EB configuration is never this deep",
                    limits.max_depth
                )
            } else {
                format!("invalid YAML/JSON: {info}")
            };
            ParseError {
                message,
                span: at..builder.next_char_end(at),
            }
        })?;
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    // EB reads one document per file; a second one would be silently dropped.
                    let at = builder.offset(&span.start);
                    return Err(ParseError {
                        message: "a second YAML document starts here; a .config file must hold exactly one document".into(),
                        span: at..builder.next_char_end(at),
                    });
                }
            }
            Event::Comment(text, _) => {
                let span = builder.span(&span);
                builder.doc.comments.push(Comment {
                    span,
                    text: text.into_owned(),
                });
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.original_handle(), t.suffix()));
                let mut range = builder.span(&span);
                if let Some(tag_start) = span.tag_start {
                    range.start = range.start.min(builder.offset(&tag_start));
                }
                let style = convert_style(style);
                let mut value = value.into_owned();
                // A block scalar that ends the file without a line break has no final line
                // break to keep; the parser adds one anyway, PyYAML (YAML 1.1) does not.
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                let at_eof = !text.ends_with('\n') && text[range.end..].trim().is_empty();
                if block && at_eof && value.ends_with('\n') {
                    value.pop();
                }
                let kind = NodeKind::Scalar { value, style };
                let id = builder.push(kind, range, tag, anchor);
                builder.measure(id, max)?;
                builder.attach(id);
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                let is_map = matches!(event, Event::MappingStart(..));
                let tag = tag
                    .as_ref()
                    .map(|t| format!("{}{}", t.original_handle(), t.suffix()));
                let range = builder.span(&span);
                let id = if is_map {
                    builder.push(NodeKind::Mapping(Vec::new()), range, tag, anchor)
                } else {
                    builder.push(NodeKind::Sequence(Vec::new()), range, tag, anchor)
                };
                builder.stack.push(if is_map {
                    Frame::Mapping {
                        id,
                        pairs: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                } else {
                    Frame::Sequence {
                        id,
                        items: Vec::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = builder.offset(&span.end);
                if let Some(frame) = builder.stack.pop() {
                    let id = builder.close(frame, end);
                    builder.measure(id, max)?;
                    builder.attach(id);
                }
            }
            Event::Alias(anchor) => {
                let range = builder.span(&span);
                let target = builder.anchors.get(&anchor).copied();
                let Some(target) = target.filter(|t| !builder.is_open(*t)) else {
                    return Err(ParseError {
                        message: "alias refers to an anchor that is not defined before it (or to a collection that contains the alias)".into(),
                        span: range,
                    });
                };
                let id = builder.push(NodeKind::Alias(target), range, None, 0);
                builder.measure(id, max)?;
                builder.attach(id);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd => {}
            _ => {}
        }
    }
    Ok(builder.doc)
}

fn convert_style(style: GranitStyle) -> ScalarStyle {
    match style {
        GranitStyle::Plain => ScalarStyle::Plain,
        GranitStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        GranitStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        GranitStyle::Literal => ScalarStyle::Literal,
        GranitStyle::Folded => ScalarStyle::Folded,
    }
}

impl Builder<'_> {
    fn offset(&self, marker: &granit_parser::Marker) -> usize {
        marker
            .byte_offset()
            .unwrap_or_else(|| {
                self.text
                    .char_indices()
                    .nth(marker.index())
                    .map_or(self.text.len(), |(b, _)| b)
            })
            .min(self.text.len())
    }

    fn span(&self, span: &Span) -> Range<usize> {
        let start = self.offset(&span.start);
        start..self.offset(&span.end).max(start)
    }

    /// Where parsing had got to: the start of the last node read.
    fn last_offset(&self) -> usize {
        self.doc.nodes.last().map_or(0, |n| n.span.start)
    }

    /// The parser reports a tab in indentation at the token after it; users need the tab.
    fn tab_before(&self, at: usize) -> usize {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.text[line_start..at];
        match before.rfind('\t') {
            Some(i) if before[i..].trim().is_empty() => line_start + i,
            _ => at,
        }
    }

    /// The end of the character at `at`, so an error span is never empty mid-file.
    fn next_char_end(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    fn push(
        &mut self,
        kind: NodeKind,
        span: Range<usize>,
        tag: Option<String>,
        anchor: usize,
    ) -> NodeId {
        let id = NodeId(self.doc.nodes.len());
        self.doc.nodes.push(Node { kind, span, tag });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        id
    }

    /// A collection still being built: an alias to it would make the tree recursive.
    fn is_open(&self, id: NodeId) -> bool {
        self.stack.iter().any(|frame| match frame {
            Frame::Sequence { id: open, .. } | Frame::Mapping { id: open, .. } => *open == id,
        })
    }

    fn close(&mut self, frame: Frame, end: usize) -> NodeId {
        let (id, kind, last) = match frame {
            Frame::Sequence { id, items } => {
                let last = items.last().copied();
                (id, NodeKind::Sequence(items), last)
            }
            Frame::Mapping { id, pairs, .. } => {
                let last = pairs.last().map(|&(_, v)| v);
                (id, NodeKind::Mapping(pairs), last)
            }
        };
        let start = self.doc.nodes[id.0].span.start;
        let flow = matches!(self.text.as_bytes().get(start), Some(b'[' | b'{'));
        // A block collection's end event sits at the next token, possibly lines further on;
        // it ends where its last entry ends, so findings never underline the next key.
        let end = match last {
            Some(last) if !flow => self.doc.nodes[last.0].span.end,
            _ => end,
        };
        let node = &mut self.doc.nodes[id.0];
        node.span.end = node.span.end.max(end);
        node.kind = kind;
        id
    }

    /// Hands a finished node to the collection being built, or makes it the document root.
    fn attach(&mut self, id: NodeId) {
        let Some(frame) = self.stack.last_mut() else {
            self.doc.root.get_or_insert(id);
            return;
        };
        match frame {
            Frame::Sequence { items, .. } => items.push(id),
            Frame::Mapping {
                pairs, key, seen, ..
            } => match key.take() {
                None => {
                    let key_node = &self.doc.nodes[id.0];
                    if let NodeKind::Scalar { value, .. } = &key_node.kind {
                        // `a` and `"a"` are the same key to every YAML loader.
                        if let Some(first) = seen.get(value) {
                            self.doc.duplicate_keys.push(DuplicateKey {
                                key: value.clone(),
                                first: first.clone(),
                                second: key_node.span.clone(),
                            });
                        } else {
                            seen.insert(value.clone(), key_node.span.clone());
                        }
                    }
                    *key = Some(id);
                }
                Some(k) => pairs.push((k, id)),
            },
        }
    }

    /// Records the expanded size of a finished node: 1 for a scalar, its target's size for an
    /// alias (the target is complete before any alias to it), 1 + children for a collection.
    fn measure(&mut self, id: NodeId, max: u64) -> Result<(), ParseError> {
        let node = &self.doc.nodes[id.0];
        let size = match &node.kind {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Alias(target) => self.sizes[target.0],
            NodeKind::Sequence(items) => items
                .iter()
                .fold(1u64, |n, c| n.saturating_add(self.sizes[c.0])),
            NodeKind::Mapping(pairs) => pairs.iter().fold(1u64, |n, (k, v)| {
                n.saturating_add(self.sizes[k.0])
                    .saturating_add(self.sizes[v.0])
            }),
        };
        if self.sizes.len() <= id.0 {
            self.sizes.resize(id.0 + 1, 0);
        }
        self.sizes[id.0] = size;
        if size > max {
            return Err(ParseError {
                message: format!(
                    "aliases expand this document to more than {max} nodes (an alias bomb); EB's loader would expand every alias"
                ),
                span: node.span.clone(),
            });
        }
        Ok(())
    }
}
