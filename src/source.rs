//! Source files as ebguard reports on them: a display path, the text, and a line index
//! that turns byte offsets into the 1-based line/column pairs every output format shares.

use std::ops::Range;

use serde::Serialize;

/// A 1-based line and column. Columns count Unicode code points, which is what SARIF's
/// `columnKind: unicodeCodePoints` promises and what editors show for non-ASCII text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Where a finding points: a file, a byte range in it, and the matching positions.
/// `end` is exclusive, like SARIF's `endColumn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
}

/// Byte offsets of line starts, built once per file.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` (clamped to the text and to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = text[self.starts[line]..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The byte range of 1-based `line` without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// The display path of `rel` inside a bundle shown as `root` (empty for the current directory).
pub fn display_join(root: &str, rel: &str) -> String {
    if root.is_empty() {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    }
}

/// A file of the bundle whose text findings can point into.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Forward-slash path as shown to users: the bundle path given on the command line joined
    /// with the file's path inside the bundle.
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile { path, text, lines }
    }

    pub fn location(&self, span: Range<usize>) -> Location {
        let start = self.lines.position(&self.text, span.start);
        let end = self.lines.position(&self.text, span.end.max(span.start));
        Location {
            path: self.path.clone(),
            span,
            start,
            end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_code_points() {
        let text = "a: 1\nnäme: x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 2, column: 7 });
        assert_eq!(
            idx.position(text, text.len()),
            Position { line: 3, column: 1 }
        );
    }

    #[test]
    fn line_span_drops_line_breaks() {
        let text = "one\r\ntwo\n";
        let idx = LineIndex::new(text);
        assert_eq!(&text[idx.line_span(text, 1)], "one");
        assert_eq!(&text[idx.line_span(text, 2)], "two");
        assert_eq!(idx.line_span(text, 9), text.len()..text.len());
    }
}
