//! What `eb deploy` uploads, so `ebguard deploy` lints that and not the working tree
//! (ebguard research notes, eb-facts §7 #4, from aws/aws-elastic-beanstalk-cli):
//!
//! - The EB CLI works from the project root, the nearest directory holding `.elasticbeanstalk/`
//!   (`fileoperations.ProjectRoot.traverse`).
//! - With a `.ebignore` there, it zips the directory itself, minus the files that `.ebignore`
//!   matches with gitignore rules (`fileoperations.get_ebignore_list`, pathspec
//!   `gitwildmatch`), minus `.ebignore`, `.elasticbeanstalk/` and editor backups ending in `~`
//!   (`fileoperations._zipdir`); uncommitted edits count.
//! - Otherwise, under git (`sc: git` in `.elasticbeanstalk/config.yml`, or a `.git` directory
//!   there: `SourceControl.get_source_control`), it runs `git archive HEAD`, or archives the
//!   tree of the index (`git write-tree`) with `--staged` (`sourcecontrol.Git.do_zip`): only
//!   committed (or staged) content, with git's file modes.
//! - Without git it zips the directory as it is.
//!
//! Only `.ebextensions/` and `.platform/` are copied: they are all ebguard reads.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use tempfile::TempDir;
use walkdir::WalkDir;

use crate::yaml;

/// The directories of a bundle that ebguard reads.
const BUNDLE_DIRS: [&str; 2] = [".ebextensions", ".platform"];

/// Where the uploaded content comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    /// `git archive HEAD`: committed files only.
    GitHead,
    /// `git write-tree` then `git archive`: the index (`eb deploy --staged`).
    GitIndex,
    /// The directory minus what `.ebignore` matches.
    EbIgnore,
    /// The directory as it is (no git, no `.ebignore`).
    Directory,
}

impl Upload {
    pub fn describe(self) -> &'static str {
        match self {
            Upload::GitHead => {
                "the last commit (git archive HEAD); uncommitted changes are not deployed"
            }
            Upload::GitIndex => "the staged files (eb deploy --staged)",
            Upload::EbIgnore => "the project directory minus .ebignore",
            Upload::Directory => "the project directory",
        }
    }
}

/// A private copy of what would be uploaded.
#[derive(Debug)]
pub struct Shipped {
    pub upload: Upload,
    pub copy: TempDir,
}

/// The EB CLI's project root for `start`: the nearest directory holding `.elasticbeanstalk/`,
/// or `start` itself when there is none (the EB CLI then reports it is not initialised).
pub fn project_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|d| d.join(".elasticbeanstalk").is_dir())
        .unwrap_or(start)
        .to_path_buf()
}

/// Whether the EB CLI uses git here: `global.sc` set in `.elasticbeanstalk/config.yml`, or a
/// `.git` directory in the project root.
fn uses_git(root: &Path) -> bool {
    let config = fs::read_to_string(root.join(".elasticbeanstalk/config.yml")).unwrap_or_default();
    let configured = yaml::parse(&config, yaml::Limits::default())
        .ok()
        .and_then(|doc| {
            let sc = doc.root()?.get("global")?.get("sc")?;
            Some(!sc.is_null() && sc.as_bool() != Some(false))
        })
        .unwrap_or(false);
    configured || root.join(".git").is_dir()
}

pub fn materialise(root: &Path, staged: bool) -> Result<Shipped, String> {
    let copy = tempfile::Builder::new()
        .prefix("ebguard-deploy-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let upload = if root.join(".ebignore").is_file() {
        let ignore = ebignore(root)?;
        copy_tree(root, copy.path(), Some(&ignore))?;
        Upload::EbIgnore
    } else if uses_git(root) {
        git_archive(root, staged, copy.path())?;
        if staged {
            Upload::GitIndex
        } else {
            Upload::GitHead
        }
    } else {
        copy_tree(root, copy.path(), None)?;
        Upload::Directory
    };
    Ok(Shipped { upload, copy })
}

fn ebignore(root: &Path) -> Result<Gitignore, String> {
    let mut builder = GitignoreBuilder::new(root);
    if let Some(e) = builder.add(root.join(".ebignore")) {
        return Err(format!(".ebignore: {e}"));
    }
    builder.build().map_err(|e| format!(".ebignore: {e}"))
}

/// Copies the bundle directories of `root` to `dest`, keeping file modes, leaving out what the
/// EB CLI's own zipper leaves out.
fn copy_tree(root: &Path, dest: &Path, ignore: Option<&Gitignore>) -> Result<(), String> {
    for dir in BUNDLE_DIRS {
        // `os.walk` does not descend into symbolic links to directories; files are read
        // through their links.
        for entry in WalkDir::new(root.join(dir)).follow_links(false) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e)
                    if e.io_error().map(|io| io.kind()) == Some(std::io::ErrorKind::NotFound) =>
                {
                    break
                }
                Err(e) => return Err(e.to_string()),
            };
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let is_dir = entry.file_type().is_dir();
            let skipped = rel.to_string_lossy().ends_with('~')
                || ignore.is_some_and(|i| i.matched_path_or_any_parents(rel, is_dir).is_ignore());
            if skipped {
                continue;
            }
            let target = dest.join(rel);
            if is_dir {
                fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
            } else if entry.path().is_file() {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                fs::copy(entry.path(), &target)
                    .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `git archive` of HEAD or of the index's tree, run in the project root as the EB CLI does
/// (so a project root below the repository's top archives only that directory), extracted
/// with `tar`, which keeps git's modes.
fn git_archive(root: &Path, staged: bool, dest: &Path) -> Result<(), String> {
    let tree = if staged {
        git(root, &["write-tree"])?
    } else {
        "HEAD".to_string()
    };
    let mut args = vec!["ls-tree", "--name-only", tree.as_str(), "--"];
    args.extend(BUNDLE_DIRS);
    let listed = git(root, &args)?;
    let present: Vec<&str> = listed.lines().collect();
    if present.is_empty() {
        return Ok(());
    }
    let mut archive = Command::new("git")
        .args(["archive", "--format=tar", tree.as_str(), "--"])
        .args(&present)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive.stdout.take().expect("piped stdout");
    let tar = Command::new("tar")
        .args(["-x", "-f", "-", "-C"])
        .arg(dest)
        .stdin(stdout)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git_out = archive
        .wait_with_output()
        .map_err(|e| format!("git archive: {e}"))?;
    if !git_out.status.success() {
        return Err(format!(
            "`git archive` failed: {}",
            String::from_utf8_lossy(&git_out.stderr).trim()
        ));
    }
    if !tar.status.success() {
        return Err(format!(
            "`tar -x` failed: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    Ok(())
}
