//! `--diff`: the changes a fix run would make, as a git-style unified diff that `git apply`
//! (or `patch -p1` for text changes) can apply.

use std::os::unix::fs::PermissionsExt;

use similar::TextDiff;

use super::Workspace;

/// `a/path`, or the path itself when absolute.
fn side(prefix: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    }
}

pub fn render(workspace: &Workspace) -> String {
    let mut out = String::new();
    for change in workspace.changes() {
        let from = &change.path;
        let to = change.rename_to.as_deref().unwrap_or(from);
        out.push_str(&format!(
            "diff --git {} {}\n",
            side("a", from),
            side("b", to)
        ));
        if change.make_executable.is_some() {
            let mode = std::fs::metadata(from)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0o644);
            let new = mode | ((mode & 0o444) >> 2);
            out.push_str(&format!("old mode 100{mode:o}\nnew mode 100{new:o}\n"));
        }
        if change.rename_to.is_some() {
            out.push_str(&format!("rename from {from}\nrename to {to}\n"));
        }
        if let (Some(before), Some(after)) = (&change.original, &change.text) {
            if before != after {
                let diff = TextDiff::from_lines(before.as_str(), after.as_str());
                out.push_str(
                    &diff
                        .unified_diff()
                        .context_radius(3)
                        .header(&side("a", from), &side("b", to))
                        .to_string(),
                );
            }
        }
    }
    out
}
