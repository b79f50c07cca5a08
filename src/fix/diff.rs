//! `--diff`: the changes a fix run would make, as a git-style unified diff that `git apply`
//! (or `patch -p1` for text changes) can apply.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use similar::{ChangeTag, TextDiff};

use super::Workspace;

/// `a/path`, or the path itself when absolute.
fn side(prefix: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    }
}

/// `path` relative to the current directory when it lies below it: `git apply` refuses
/// absolute paths, and a user who checked `$PWD/app` applies the diff from `$PWD`.
fn shown(path: &str) -> String {
    let below = std::env::current_dir().ok().and_then(|cwd| {
        Path::new(path)
            .strip_prefix(cwd)
            .ok()
            .map(Path::to_path_buf)
    });
    match below {
        Some(rel) if path.starts_with('/') && !rel.as_os_str().is_empty() => {
            rel.to_string_lossy().into_owned()
        }
        _ => path.to_string(),
    }
}

pub fn render(workspace: &Workspace) -> String {
    let mut out = String::new();
    for change in workspace.changes() {
        let from = &change.path;
        let (old, new) = (
            shown(from),
            shown(change.rename_to.as_deref().unwrap_or(from)),
        );
        out.push_str(&format!(
            "diff --git {} {}\n",
            side("a", &old),
            side("b", &new)
        ));
        if let Some(git) = change.make_executable {
            // The mode the fix changes: git's index when that is what ships (eb-facts §7 #4),
            // else the file system's.
            let mode = if git {
                super::workspace::index_entry(Path::new(from)).map(|(mode, _, _)| mode & 0o777)
            } else {
                None
            }
            .or_else(|| {
                std::fs::metadata(from)
                    .ok()
                    .map(|m| m.permissions().mode() & 0o777)
            })
            .unwrap_or(0o644);
            let new = super::workspace::executable(mode);
            out.push_str(&format!("old mode 100{mode:o}\nnew mode 100{new:o}\n"));
        }
        if change.rename_to.is_some() {
            out.push_str(&format!("rename from {old}\nrename to {new}\n"));
        }
        if let (Some(before), Some(after)) = (&change.original, &change.text) {
            if before != after {
                out.push_str(&format!(
                    "--- {}\n+++ {}\n",
                    side("a", &old),
                    side("b", &new)
                ));
                hunks(&mut out, before, after);
            }
        }
    }
    out
}

/// The hunks of a unified diff with three lines of context. Lines end at `\n` only: a lone
/// carriage return inside a line (which the CRLF fixes keep) is no line break to `git apply`,
/// and each line is written with its own terminator, so a CRLF line stays one.
fn hunks(out: &mut String, before: &str, after: &str) {
    let (old, new) = (lines(before), lines(after));
    let diff = TextDiff::configure().diff_slices(&old, &new);
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            hunk_range(old_range),
            hunk_range(new_range)
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                out.push(match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                });
                let line: &str = change.value();
                out.push_str(line);
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
}

/// `start,count` of a hunk header: 1-based, `start` is the line before an empty range.
fn hunk_range(range: std::ops::Range<usize>) -> String {
    match range.len() {
        0 => format!("{},0", range.start),
        1 => format!("{}", range.start + 1),
        n => format!("{},{n}", range.start + 1),
    }
}

/// `text` split after each `\n`, terminators kept.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}
