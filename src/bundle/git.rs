//! The file modes `eb deploy` ships. In a git work tree the EB CLI zips the bundle with
//! `git archive` (or the index with `--staged`), so a hook's executable bit is git's index mode,
//! not the file system's; only an `.ebignore` file makes it zip the directory instead
//! (ebguard research notes, eb-facts §7 #4; EB CLI `ebcli/objects/sourcecontrol.py` `do_zip`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Permission bits by path (relative to the work tree's top or to a bundle root).
type Modes = HashMap<String, u32>;

/// Git's recorded modes, read once per work tree for one run: a monorepo of hundreds of
/// bundles in one repository then costs one `git` process, not one per bundle (bench/run.sh).
/// Scoped to a run (never global), so a long-lived caller never sees a stale index.
#[derive(Debug, Default)]
pub struct GitIndex {
    /// Modes of every tracked file under a `.platform/` directory, by path relative to the
    /// work tree's top, keyed by that top; `None` when git could not list them.
    repos: Mutex<HashMap<PathBuf, Option<Arc<Modes>>>>,
}

impl GitIndex {
    /// Git's recorded mode of each tracked file under the bundle's `.platform/`, keyed by its
    /// path relative to the bundle root. `None` when the bundle is not in a git work tree, git
    /// is not installed, or an `.ebignore` makes the EB CLI ignore git.
    pub fn modes(&self, root: &Path) -> Option<Modes> {
        if root.join(".ebignore").is_file() || !root.join(".platform").is_dir() {
            return None;
        }
        let dir = std::fs::canonicalize(root).ok()?;
        let top = work_tree_top(&dir)?;
        let repo = {
            let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
            repos
                .entry(top.to_path_buf())
                .or_insert_with(|| ls_files(top).map(Arc::new))
                .clone()?
        };
        let prefix = match dir
            .strip_prefix(top)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/")
        {
            p if p.is_empty() => String::new(),
            p => format!("{p}/"),
        };
        Some(
            repo.iter()
                .filter_map(|(path, &mode)| Some((path.strip_prefix(&prefix)?.to_string(), mode)))
                .collect(),
        )
    }
}

/// The top of the git work tree holding `dir` (a physical path): the nearest ancestor that
/// holds `.git` (a directory, or a file for worktrees and submodules), where git itself looks.
/// Checked before spawning git, which costs milliseconds.
fn work_tree_top(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}

/// `git ls-files --stage` of every `.platform/` in the work tree at `top`; paths come out
/// relative to `top`, NUL-terminated so no name is quoted or escaped.
fn ls_files(top: &Path) -> Option<Modes> {
    let mut git = Command::new("git");
    git.arg("-C")
        .arg(top)
        .args(["ls-files", "--stage", "-z", "--", ":(glob)**/.platform/**"])
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

/// Parses `<mode> <object> <stage>\t<path>\0` records.
fn parse_stage(out: &[u8]) -> Modes {
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

    /// Two bundles in one repository: one `git ls-files` serves both, each seeing only its own
    /// hooks, keyed relative to itself; a bundle outside git gets none.
    #[test]
    fn one_index_serves_every_bundle_of_a_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        for path in [
            "a/.platform/hooks/predeploy/x.sh",
            "b/.platform/hooks/prebuild/y.sh",
        ] {
            let full = repo.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, "#!/bin/sh\n").unwrap();
        }
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(&repo)
                .args(args)
                .status()
                .unwrap()
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&[
            "update-index",
            "--chmod=+x",
            "a/.platform/hooks/predeploy/x.sh",
        ]);
        git(&[
            "update-index",
            "--chmod=-x",
            "b/.platform/hooks/prebuild/y.sh",
        ]);
        let index = GitIndex::default();
        let a = index.modes(&repo.join("a")).unwrap();
        let b = index.modes(&repo.join("b")).unwrap();
        assert_eq!(
            a,
            HashMap::from([(".platform/hooks/predeploy/x.sh".to_string(), 0o755)])
        );
        assert_eq!(
            b,
            HashMap::from([(".platform/hooks/prebuild/y.sh".to_string(), 0o644)])
        );
        assert_eq!(
            index.repos.lock().unwrap().len(),
            1,
            "one git ls-files for the repository"
        );

        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(outside.join(".platform/hooks/predeploy")).unwrap();
        assert_eq!(index.modes(&outside), None);
    }
}
