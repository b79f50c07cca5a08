//! The tree-sitter layer: parse a script, list its simple commands with their
//! decoded argv, and work out which of them sit behind an `EB_IS_COMMAND_LEADER`
//! test.
//!
//! Why a real parser rather than regexes over the text: comments, `echo '… migrate'`
//! and heredoc bodies must never count as commands, while `&&` chains, env prefixes
//! and `\`-continued lines must (crates.md §D, eb-facts.md §8 "Normalise before
//! matching").
//!
//! Every walk here is iterative (an explicit stack or a tree cursor): a script of
//! 10,000 nested `$(` yields a tree that deep, and recursion would overflow the stack.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree, TreeCursor};

/// The variable EB sets to `true` on the command leader instance (eb-facts.md §4.4).
pub(crate) const LEADER_VAR: &str = "EB_IS_COMMAND_LEADER";

thread_local! {
    // Measured (release): creating a parser costs ~10-25 µs and parsing 1 KB
    // ~100-250 µs, so reusing one per thread saves a little on every call, and a
    // good share of it on the many small `bash -c` payloads.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `text` as bash. `None` only if the grammar cannot be loaded, which would be
/// a build problem; callers then report nothing rather than panic.
pub(crate) fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        // The borrow is released before any caller walks the tree, so nested parses of
        // `bash -c` payloads never find it taken; fall back to a fresh parser if they did.
        match cell.try_borrow_mut() {
            Ok(mut slot) => {
                if slot.is_none() {
                    *slot = new_parser();
                }
                slot.as_mut()?.parse(text, None)
            }
            Err(_) => new_parser()?.parse(text, None),
        }
    })
}

fn new_parser() -> Option<Parser> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .ok()?;
    Some(parser)
}

/// A script parsed once: its simple commands and its plain variable assignments, both in
/// document order. Kept per bundle file, so a file several commands run is parsed once.
#[derive(Debug, Default)]
pub struct Parsed {
    pub(crate) sites: Vec<CommandSite>,
    pub(crate) assignments: Vec<Assignment>,
}

impl Parsed {
    /// The simple command written at `range` (a [`super::MigrationCall::range`] of this
    /// script): where its program word starts, and its words after quote removal.
    pub fn command_at(&self, range: &Range<usize>) -> Option<(usize, &[String])> {
        self.sites
            .iter()
            .find(|s| s.range == *range)
            .map(|s| (s.program, s.argv.as_slice()))
    }
}

/// `NAME=value` as a statement of its own (also under `export`, `local`, `readonly`), not the
/// prefix of a command, which sets the variable only for that command.
#[derive(Clone, Debug)]
pub(crate) struct Assignment {
    pub name: String,
    /// Byte offset of the statement: it is visible to commands after it.
    pub at: usize,
    /// The value after quote removal, expansions kept as written.
    pub value: String,
}

/// One simple command as written in the script.
#[derive(Debug)]
pub(crate) struct CommandSite {
    /// Byte range of the whole `command` node, assignments included.
    pub range: Range<usize>,
    /// Where the program word starts, after `NAME=value` prefixes and redirections.
    pub program: usize,
    /// The words after shell quote removal (expansions kept verbatim, e.g. `$EBGUARD`).
    pub argv: Vec<String>,
    /// A heredoc or here-string that feeds this command's standard input, which
    /// matters when the command is a shell (`sudo -u webapp bash <<'EOF' … EOF`).
    pub stdin: Option<String>,
    /// Inside a conditional that tests the leader variable, or after an early exit
    /// that does.
    pub leader_gated: bool,
}

/// Facts gathered in a first pass over the whole tree, kept as sorted byte offsets so
/// that "does this subtree read the variable / contain an `exit`" is a binary search
/// instead of a subtree walk (which would be quadratic on deeply nested input).
struct Facts {
    leader_reads: Vec<usize>,
    exits: Vec<usize>,
}

impl Facts {
    fn gather(tree: &Tree, src: &str) -> Self {
        // Every read, copy or test of the variable spells its name: without it
        // there is nothing to gather (the common case, so skip the walk).
        if !src.contains(LEADER_VAR) {
            return Facts {
                leader_reads: Vec::new(),
                exits: Vec::new(),
            };
        }
        let mut expansions: Vec<(String, usize)> = Vec::new();
        let mut assignments: Vec<(String, Range<usize>)> = Vec::new();
        let mut functions: Vec<(String, Range<usize>)> = Vec::new();
        let mut calls: Vec<(String, usize)> = Vec::new();
        for_each_node(tree, |node| match node.kind() {
            "simple_expansion" | "expansion" => {
                if let Some(name) = expansion_name(node, src) {
                    expansions.push((name.to_owned(), node.start_byte()));
                }
            }
            "variable_assignment" => {
                if let Some(name) = node.child_by_field_name("name") {
                    assignments.push((text(name, src).to_owned(), node.byte_range()));
                }
            }
            "function_definition" => {
                if let (Some(name), Some(body)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("body"),
                ) {
                    functions.push((text(name, src).to_owned(), body.byte_range()));
                }
            }
            "command" => {
                if let Some(name) = node.child_by_field_name("name") {
                    calls.push((text(name, src).to_owned(), node.start_byte()));
                }
            }
            _ => {}
        });

        // Names that carry the leader flag: the variable itself, copies of it
        // (`IS_LEADER=$EB_IS_COMMAND_LEADER`) and functions that test it
        // (`is_leader() { [ "$EB_IS_COMMAND_LEADER" = true ]; }`). Copies of copies
        // are followed a few rounds, which covers real hooks without a fixpoint loop
        // on adversarial input.
        let mut names: HashSet<&str> = HashSet::from([LEADER_VAR]);
        let mut reads: Vec<usize> = Vec::new();
        for _ in 0..3 {
            reads = expansions
                .iter()
                .filter(|(n, _)| names.contains(n.as_str()))
                .map(|&(_, at)| at)
                .collect();
            reads.sort_unstable();
            let before = names.len();
            for (name, range) in &assignments {
                if any_within(&reads, range) {
                    names.insert(name);
                }
            }
            if names.len() == before {
                break;
            }
        }
        let testers: HashSet<&str> = functions
            .iter()
            .filter(|(_, body)| any_within(&reads, body))
            .map(|(n, _)| n.as_str())
            .collect();
        reads.extend(
            calls
                .iter()
                .filter(|(n, _)| testers.contains(n.as_str()))
                .map(|&(_, at)| at),
        );
        reads.sort_unstable();

        let mut exits: Vec<usize> = calls
            .iter()
            .filter(|(n, _)| n == "exit" || n == "return")
            .map(|&(_, at)| at)
            .collect();
        exits.sort_unstable();
        Facts {
            leader_reads: reads,
            exits,
        }
    }

    fn reads_leader(&self, node: Node) -> bool {
        any_within(&self.leader_reads, &node.byte_range())
    }

    /// A statement that tests the variable and can leave the script, like
    /// `[ "$EB_IS_COMMAND_LEADER" = true ] || exit 0`: everything after it in the same
    /// block runs only on one side of the test.
    fn is_early_exit_gate(&self, node: Node) -> bool {
        self.reads_leader(node) && any_within(&self.exits, &node.byte_range())
    }
}

fn any_within(sorted: &[usize], range: &Range<usize>) -> bool {
    let first = sorted.partition_point(|&at| at < range.start);
    sorted.get(first).is_some_and(|&at| at < range.end)
}

/// Byte ranges of the expansions that read `EB_IS_COMMAND_LEADER`. Comments and
/// single-quoted strings are leaves in the grammar, so they never contain one.
pub(crate) fn leader_variable_uses(script: &str) -> Vec<Range<usize>> {
    if !script.contains(LEADER_VAR) {
        return Vec::new();
    }
    let Some(tree) = parse(script) else {
        return Vec::new();
    };
    let mut uses = Vec::new();
    for_each_node(&tree, |node| {
        if matches!(node.kind(), "simple_expansion" | "expansion")
            && expansion_name(node, script) == Some(LEADER_VAR)
        {
            uses.push(node.byte_range());
        }
    });
    uses
}

/// Where the comments of the script start (their `#`), in order: not a `#` inside a string, a
/// heredoc body or a word.
pub(crate) fn comment_starts(script: &str) -> Vec<usize> {
    let Some(tree) = parse(script) else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    for_each_node(&tree, |node| {
        if node.kind() == "comment" {
            starts.push(node.start_byte());
        }
    });
    starts
}

/// A node waiting on the walk's stack, with what its ancestors decided for it.
#[derive(Clone, Copy)]
struct Frame<'t> {
    node: Node<'t>,
    /// See [`push_children`].
    gated: bool,
    /// Inside a simple command, whose assignments are prefixes, not statements.
    in_command: bool,
    /// What feeds this node's standard input: a heredoc or here-string redirect,
    /// or the `echo`/`printf` before it in a pipeline (see [`input_text`]).
    /// Passed down instead of looked up, because `Node::parent` walks down from the
    /// root and would make deep trees quadratic.
    input: Option<Node<'t>>,
}

/// Parses `script` into its simple commands and assignments, leaving out what can never run:
/// everything after a top-level `exit` (or `exec CMD`, which replaces the shell).
pub fn parse_script(script: &str) -> Parsed {
    let Some(tree) = parse(script) else {
        return Parsed::default();
    };
    let facts = Facts::gather(&tree, script);
    let cutoff = unreachable_from(tree.root_node(), script);
    let mut sites = Vec::new();
    let mut assignments = Vec::new();
    let mut stack = vec![Frame {
        node: tree.root_node(),
        gated: false,
        in_command: false,
        input: None,
    }];
    // One cursor for the whole walk: creating one per node showed in profiles.
    let mut cursor = tree.walk();
    while let Some(frame) = stack.pop() {
        if frame.node.start_byte() >= cutoff {
            continue;
        }
        let kind = frame.node.kind();
        match kind {
            "comment" => continue,
            "variable_assignment" if !frame.in_command => {
                if let Some(name) = frame.node.child_by_field_name("name") {
                    assignments.push(Assignment {
                        name: text(name, script).to_owned(),
                        at: frame.node.start_byte(),
                        value: frame
                            .node
                            .child_by_field_name("value")
                            .map(|v| word(v, script))
                            .unwrap_or_default(),
                    });
                }
            }
            "command" => {
                let argv = argv(frame.node, script);
                if !argv.is_empty() {
                    let own = match frame.node.child_by_field_name("redirect") {
                        Some(_) => {
                            let mut cursor = frame.node.walk();
                            let found = frame
                                .node
                                .children_by_field_name("redirect", &mut cursor)
                                .find_map(|r| input_text(r, script));
                            found
                        }
                        None => None,
                    };
                    sites.push(CommandSite {
                        range: frame.node.byte_range(),
                        program: frame
                            .node
                            .child_by_field_name("name")
                            .map_or(frame.node.start_byte(), |n| n.start_byte()),
                        argv,
                        stdin: own.or_else(|| frame.input.and_then(|r| input_text(r, script))),
                        leader_gated: frame.gated,
                    });
                }
            }
            _ => {}
        }
        push_children(frame, kind, &facts, &mut cursor, &mut stack);
    }
    Parsed { sites, assignments }
}

/// Where unreachable code starts: right after the first top-level statement that always ends
/// the script (`exit`, `exit 0`, or `exec` with a command). Conditional exits (`A || exit`,
/// inside `if`) do not count. `usize::MAX` when the whole script can run.
fn unreachable_from(root: Node, src: &str) -> usize {
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let command = match statement.kind() {
            "command" => statement,
            "redirected_statement" => match statement.child_by_field_name("body") {
                Some(body) if body.kind() == "command" => body,
                _ => continue,
            },
            _ => continue,
        };
        // The name's text, not the decoded argv: this runs for every top-level command.
        let ends = match command.child_by_field_name("name").map(|n| text(n, src)) {
            Some("exit") => true,
            Some("exec") => command.child_by_field_name("argument").is_some(),
            _ => false,
        };
        if ends {
            return statement.end_byte();
        }
    }
    usize::MAX
}

/// Pushes a node's children (in reverse, so they pop in document order).
///
/// Gating, kept deliberately simple (eb-facts.md §4.4 calls the variable best
/// effort, so which branch is the leader's is not evaluated):
/// - every part of an `if` (or `while`) whose condition reads the variable is
///   gated, `else` branches included, and so is every branch of a `case` on it;
/// - in `A && B` / `A || B`, B is gated when A reads the variable;
/// - in any block, statements after one that reads the variable and contains
///   `exit`/`return` (an early-exit gate) are gated.
///
/// Input: the body of `CMD <<EOF` / `CMD <<< word` gets the redirect, and so does
/// the pipeline continuing a heredoc line (`cat <<EOF | bash`); a later pipeline
/// stage gets the stage before it (`echo "…" | bash`).
fn push_children<'t>(
    parent: Frame<'t>,
    kind: &str,
    facts: &Facts,
    cursor: &mut TreeCursor<'t>,
    stack: &mut Vec<Frame<'t>>,
) {
    let node = parent.node;
    let mut gated = parent.gated || tests_leader(node, kind, facts);
    let redirect = match kind {
        "redirected_statement" => {
            let mut cursor = node.walk();
            let found = node
                .children_by_field_name("redirect", &mut cursor)
                .find(|r| matches!(r.kind(), "heredoc_redirect" | "herestring_redirect"));
            found
        }
        _ => None,
    };
    let first = stack.len();
    cursor.reset(node);
    let mut more = cursor.goto_first_child();
    let mut stage = parent.input;
    while more {
        let child = cursor.node();
        let input = match (kind, cursor.field_name()) {
            ("redirected_statement", Some("body")) => redirect,
            ("heredoc_redirect", _) if child.kind() == "pipeline" => Some(node),
            ("pipeline", _) if child.is_named() => stage.replace(child),
            _ => None,
        };
        stack.push(Frame {
            node: child,
            gated,
            in_command: parent.in_command || kind == "command",
            input,
        });
        if facts.reads_leader(child) && (kind == "list" || facts.is_early_exit_gate(child)) {
            gated = true;
        }
        more = cursor.goto_next_sibling();
    }
    stack[first..].reverse();
}

/// An `if`/`while` whose condition, or a `case` whose subject, reads the variable.
fn tests_leader(node: Node, kind: &str, facts: &Facts) -> bool {
    let field = match kind {
        "if_statement" | "while_statement" => "condition",
        "case_statement" => "value",
        _ => return false,
    };
    let mut cursor = node.walk();
    let found = node
        .children_by_field_name(field, &mut cursor)
        .any(|c| facts.reads_leader(c));
    found
}

/// Calls `visit` on every node, pre-order, without recursion.
fn for_each_node<'t>(tree: &'t Tree, mut visit: impl FnMut(Node<'t>)) {
    let mut cursor = tree.walk();
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

fn text<'s>(node: Node, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

fn expansion_name<'s>(node: Node, src: &'s str) -> Option<&'s str> {
    child_of_kind(node, "variable_name").map(|c| text(c, src))
}

fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find(|c| c.kind() == kind);
    found
}

/// The command's words: its name and arguments, without leading assignments and
/// redirects (the grammar gives those their own nodes).
fn argv(command: Node, src: &str) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(name) = command.child_by_field_name("name") {
        words.push(
            name.named_child(0)
                .map_or_else(|| text(name, src).to_owned(), |w| word(w, src)),
        );
    }
    let mut cursor = command.walk();
    words.extend(
        command
            .children_by_field_name("argument", &mut cursor)
            .map(|a| word(a, src)),
    );
    words
}

/// Shell quote removal for one word. Expansions and substitutions are kept as
/// written, since their value is unknown statically.
fn word(node: Node, src: &str) -> String {
    let raw = text(node, src);
    match node.kind() {
        "word" => unescape(raw, |_| true),
        "raw_string" => strip(raw, "'", "'").to_owned(),
        "string" => unescape(strip(raw, "\"", "\""), |c| {
            matches!(c, '"' | '\\' | '$' | '`' | '\n')
        }),
        "translated_string" => unescape(strip(raw, "$\"", "\""), |c| {
            matches!(c, '"' | '\\' | '$' | '`' | '\n')
        }),
        "ansi_c_string" => ansi_c(strip(raw, "$'", "'")),
        "concatenation" => {
            let mut cursor = node.walk();
            let joined = node.children(&mut cursor).map(|part| match part.kind() {
                // Parts of a concatenation are primary expressions, never another
                // concatenation, so this recursion is one level deep.
                "word" | "raw_string" | "string" | "translated_string" | "ansi_c_string" => {
                    word(part, src)
                }
                _ => text(part, src).to_owned(),
            });
            joined.collect()
        }
        _ => raw.to_owned(),
    }
}

fn strip<'s>(raw: &'s str, open: &str, close: &str) -> &'s str {
    let inner = raw.strip_prefix(open).unwrap_or(raw);
    inner.strip_suffix(close).unwrap_or(inner)
}

/// Removes the backslash before the characters `escapable` accepts; a backslash
/// before a newline removes both (line continuation).
fn unescape(s: &str, escapable: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('\n')) => {
                chars.next();
            }
            ('\\', Some(next)) if escapable(next) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

fn ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The text a heredoc or here-string redirect provides, or that an `echo`/`printf`
/// command prints (the args of `echo`, the arguments or else the format of `printf`).
fn input_text(source: Node, src: &str) -> Option<String> {
    match source.kind() {
        "command" => {
            let words = argv(source, src);
            let (program, args) = words.split_first()?;
            match program.as_str() {
                "echo" => {
                    let skip = args
                        .iter()
                        .take_while(|a| matches!(a.as_str(), "-n" | "-e" | "-E"))
                        .count();
                    Some(args[skip..].join(" "))
                }
                "printf" => match args {
                    [format] => Some(format.clone()),
                    [_, values @ ..] => Some(values.join("\n")),
                    [] => None,
                },
                _ => None,
            }
        }
        "heredoc_redirect" => {
            child_of_kind(source, "heredoc_body").map(|b| text(b, src).to_owned())
        }
        "herestring_redirect" => source.named_child(0).map(|w| word(w, src)),
        _ => None,
    }
}
