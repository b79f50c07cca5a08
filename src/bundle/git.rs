//! The file modes `eb deploy` ships. In a git work tree the EB CLI zips the bundle with
//! `git archive` (or the index with `--staged`), so a hook's executable bit is git's index mode,
//! not the file system's; only an `.ebignore` file makes it zip the directory instead
//! (ebguard research notes, eb-facts §7 #4; EB CLI `ebcli/objects/sourcecontrol.py` `do_zip`).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Git's recorded mode of each tracked file under `.platform/`, keyed by its path relative to
/// the bundle root. `None` when the bundle is not in a git work tree, git is not installed,
/// or an `.ebignore` makes the EB CLI ignore git.
pub fn index_modes(root: &Path) -> Option<HashMap<String, u32>> {
    if root.join(".ebignore").is_file() || !root.join(".platform").is_dir() || !in_work_tree(root) {
        return None;
    }
    // One `git ls-files` per bundle; paths come out relative to `-C`, NUL-terminated so no
    // name is quoted or escaped.
    let mut git = Command::new("git");
    git.arg("-C")
        .arg(root)
        .args(["ls-files", "--stage", "-z", "--", ".platform"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        // Inside a git hook (pre-commit) these name the caller's repository relative to its
        // own directory; the bundle's repository is found from `-C` instead. An absolute
        // `GIT_INDEX_FILE` is the index being committed, which is the one that counts.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    if std::env::var_os("GIT_INDEX_FILE").is_some_and(|f| !Path::new(&f).is_absolute()) {
        git.env_remove("GIT_INDEX_FILE");
    }
    let out = git.output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(parse_stage(&out.stdout))
}

/// Whether `root` is inside a git work tree: some ancestor of its physical path holds `.git`
/// (a directory, or a file for worktrees and submodules), which is where git itself looks.
/// Checked before spawning git, which costs milliseconds per bundle: in a monorepo of
/// hundreds of bundles outside git, that was most of the run (bench/run.sh).
fn in_work_tree(root: &Path) -> bool {
    std::fs::canonicalize(root)
        .map(|dir| dir.ancestors().any(|d| d.join(".git").exists()))
        .unwrap_or(false)
}

/// Parses `<mode> <object> <stage>\t<path>\0` records.
fn parse_stage(out: &[u8]) -> HashMap<String, u32> {
    out.split(|&b| b == 0)
        .filter_map(|record| {
            let record = std::str::from_utf8(record).ok()?;
            let (meta, path) = record.split_once('\t')?;
            let mode = u32::from_str_radix(meta.split(' ').next()?, 8).ok()?;
            // Only regular files (100644/100755); a link (120000) is judged by its target.
            (mode & 0o170000 == 0o100000).then(|| (path.to_string(), mode & 0o7777))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_records_give_permission_bits_by_path() {
        let out = [
            "100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\t.platform/hooks/prebuild/a b.sh",
            "100755 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\t.platform/hooks/predeploy/x",
            "120000 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\t.platform/hooks/predeploy/link",
            "",
        ]
        .join("\0");
        let modes = parse_stage(out.as_bytes());
        assert_eq!(modes[".platform/hooks/prebuild/a b.sh"], 0o644);
        assert_eq!(modes[".platform/hooks/predeploy/x"], 0o755);
        assert_eq!(modes.len(), 2);
    }
}
