//! Nodes of the span tree and the read-only view rules use.

use std::ops::Range;

/// Index of a node in its [`Document`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(pub(super) usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    Sequence(Vec<NodeId>),
    Mapping(Vec<(NodeId, NodeId)>),
    /// `*name`: refers to the anchored node. Never expanded in the arena.
    Alias(NodeId),
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub kind: NodeKind,
    pub span: Range<usize>,
    /// A local tag such as `!Ref` (CloudFormation short form), as written.
    pub tag: Option<String>,
}

/// A `# comment`, kept for inline suppressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Range<usize>,
    /// The text after `#`.
    pub text: String,
}

/// A key written twice in one mapping; EB keeps only one of the two sections (eb-facts §1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Range<usize>,
    pub second: Range<usize>,
}

/// One parsed `.config` file.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub(super) nodes: Vec<Node>,
    pub(super) root: Option<NodeId>,
    pub comments: Vec<Comment>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

impl Document {
    /// The top-level node, or `None` for an empty file.
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|id| NodeRef { doc: self, id }.resolved())
    }

    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef { doc: self, id }
    }

    /// The spans of the values some alias (`*name`) refers to: shared by every place that
    /// uses the anchor.
    pub fn alias_targets(&self) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = self
            .nodes
            .iter()
            .filter_map(|n| match n.kind {
                NodeKind::Alias(target) => Some(self.nodes[target.0].span.clone()),
                _ => None,
            })
            .collect();
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        spans
    }

    /// Every node once, in source order, aliases included as themselves. For rules that look at
    /// every string in a file without walking the (possibly exponential) expanded tree.
    pub fn all_nodes(&self) -> impl Iterator<Item = NodeRef<'_>> {
        (0..self.nodes.len()).map(|i| NodeRef {
            doc: self,
            id: NodeId(i),
        })
    }
}

/// A node seen through its document. Accessors resolve aliases, so a rule reading
/// `leader_only: *yes` sees the anchored value.
#[derive(Clone, Copy, Debug)]
pub struct NodeRef<'a> {
    doc: &'a Document,
    id: NodeId,
}

/// How deep `<<` merge keys are followed; a merge chain longer than this is pathological.
const MERGE_DEPTH: usize = 8;

impl<'a> NodeRef<'a> {
    fn raw(&self) -> &'a Node {
        &self.doc.nodes[self.id.0]
    }

    /// Follows aliases to the anchored node. Aliases only point backwards, so this ends.
    fn resolved(self) -> NodeRef<'a> {
        let mut node = self;
        while let NodeKind::Alias(target) = node.raw().kind {
            node = NodeRef {
                doc: self.doc,
                id: target,
            };
        }
        node
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document the node belongs to.
    pub fn document(&self) -> &'a Document {
        self.doc
    }

    /// Another node of the same document.
    pub fn doc_node(&self, id: NodeId) -> NodeRef<'a> {
        self.doc.node(id)
    }

    pub fn kind(&self) -> &'a NodeKind {
        &self.resolved().raw().kind
    }

    /// The byte range of the node as written (for an alias, the `*name` token).
    pub fn span(&self) -> Range<usize> {
        self.raw().span.clone()
    }

    pub fn tag(&self) -> Option<&'a str> {
        self.resolved().raw().tag.as_deref()
    }

    pub fn is_alias(&self) -> bool {
        matches!(self.raw().kind, NodeKind::Alias(_))
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match self.kind() {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn scalar_style(&self) -> Option<ScalarStyle> {
        match self.kind() {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// `Some(true|false)` only for a plain scalar that YAML 1.2 and JSON both read as a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        if self.scalar_style() != Some(ScalarStyle::Plain) || self.tag().is_some() {
            return None;
        }
        match self.as_str()? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.scalar_style() == Some(ScalarStyle::Plain)
            && self.tag().is_none()
            && matches!(self.as_str(), Some("" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.kind(), NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self.kind(), NodeKind::Sequence(_))
    }

    pub fn items(&self) -> Vec<NodeRef<'a>> {
        match self.kind() {
            NodeKind::Sequence(items) => items.iter().map(|&id| self.doc.node(id)).collect(),
            _ => Vec::new(),
        }
    }

    /// Key/value pairs of a mapping, with YAML 1.1 `<<` merge keys applied (the entries a
    /// merge brings in come after the mapping's own and never override them).
    pub fn entries(&self) -> Vec<(NodeRef<'a>, NodeRef<'a>)> {
        let mut out = Vec::new();
        self.collect_entries(&mut out, MERGE_DEPTH);
        out
    }

    fn collect_entries(&self, out: &mut Vec<(NodeRef<'a>, NodeRef<'a>)>, depth: usize) {
        let NodeKind::Mapping(pairs) = self.kind() else {
            return;
        };
        let own_start = out.len();
        let mut merged = Vec::new();
        for &(k, v) in pairs {
            let (key, value) = (self.doc.node(k), self.doc.node(v));
            if key.as_str() == Some("<<") && key.scalar_style() == Some(ScalarStyle::Plain) {
                merged.push(value);
            } else {
                out.push((key, value));
            }
        }
        if depth == 0 {
            return;
        }
        for source in merged {
            let sources = if source.is_sequence() {
                source.items()
            } else {
                vec![source]
            };
            for src in sources {
                let mut extra = Vec::new();
                src.collect_entries(&mut extra, depth - 1);
                for (k, v) in extra {
                    let shadowed = out[own_start..]
                        .iter()
                        .any(|(own, _)| own.as_str().is_some() && own.as_str() == k.as_str());
                    if !shadowed {
                        out.push((k, v));
                    }
                }
            }
        }
    }

    /// The value under a scalar key, comparing keys exactly.
    pub fn get(&self, key: &str) -> Option<NodeRef<'a>> {
        self.entries()
            .into_iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}
