//! What `eb deploy` uploads and what an instance then finds in it, so `ebguard deploy` lints
//! that and not the working tree. Read from the EB CLI's own code (awsebcli 3.27,
//! `ebcli/operations/commonops.py` `create_app_version`, `_zip_up_project`;
//! `ebcli/core/fileoperations.py` `_zipdir`, `get_ebignore_list`, `get_config_setting`;
//! `ebcli/objects/sourcecontrol.py` `get_source_control`, `Git.do_zip`), and checked against it:
//! `tests/deploy_ebcli.rs` runs those functions on the same trees and compares.
//!
//! Which zip, in the EB CLI's order:
//! 1. `deploy: artifact: PATH` in `.elasticbeanstalk/config.yml` (or `config.global.yml` next to
//!    it): that file, as it is.
//! 2. `.elasticbeanstalk/app_versions/<label>.zip` already there (`eb deploy -l LABEL` run
//!    before): the EB CLI uploads the old zip again instead of zipping anew.
//! 3. `.ebignore` in the project root: the directory zipped by `_zipdir` minus what `.ebignore`
//!    matches ([`ebignore`]); uncommitted edits count.
//! 4. `sc` set in the configuration, or a `.git` directory in the *current* directory: `git
//!    archive --format=zip HEAD` (the index's tree with `--staged`) in the project root, plus
//!    each submodule's own archive when `include_git_submodules` is set; `zip_append_archive`
//!    rewrites those entries with `writestr`, so submodule files get mode 0600 and a submodule's
//!    symbolic link becomes a file holding its target.
//! 5. Otherwise the directory zipped by `_zipdir`, leaving out `.gitignore`.
//!
//! `_zipdir` walks with `os.walk` (links not followed), skips every directory whose path
//! contains `.elasticbeanstalk` and editor backups ending in `~`, stores a symbolic link as a
//! link entry (a link to a directory too: its content is not zipped through it), and stops with
//! an error on a broken link (`os.stat`). The instance extracts the zip with
//! `/usr/bin/unzip -q -o app_source_bundle -d /var/app/staging/` (eb-engine.log,
//! `StageApplication`): Info-ZIP recreates the links and takes modes from Unix entries, and
//! gives others 0644 (umask 022). A link then resolves inside the extracted bundle: to a file
//! the zip holds, or to nothing.

mod ebignore;
pub mod zip;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use self::ebignore::EbIgnore;
use self::zip::ZipFile;
use crate::yaml;

/// The directories of a bundle that ebguard reads.
const BUNDLE_DIRS: [&str; 2] = [".ebextensions", ".platform"];

/// How deep the instance view follows directories (as `bundle::read` does).
const MAX_DEPTH: usize = 16;

/// Linux's limit on symbolic links followed while resolving one path (ELOOP).
const MAX_LINKS: usize = 40;

/// Where the uploaded content comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upload {
    /// `git archive HEAD`: committed files only.
    GitHead,
    /// `git write-tree` then `git archive`: the index (`eb deploy --staged`).
    GitIndex,
    /// The directory minus what `.ebignore` matches.
    EbIgnore,
    /// The directory as it is (no git, no `.ebignore`).
    Directory,
    /// `deploy: artifact:` in the EB CLI configuration.
    Artifact(PathBuf),
    /// A zip left in `.elasticbeanstalk/app_versions/` under the label given.
    Reused(PathBuf),
    /// `eb deploy --archive PATH`: a zip, or a directory zipped as it is.
    Archive(PathBuf),
}

impl Upload {
    pub fn describe(&self) -> String {
        match self {
            Upload::GitHead => {
                "the last commit (git archive HEAD); uncommitted changes are not deployed".into()
            }
            Upload::GitIndex => "the staged files (eb deploy --staged)".into(),
            Upload::EbIgnore => "the project directory minus .ebignore".into(),
            Upload::Directory => "the project directory".into(),
            Upload::Artifact(p) => format!(
                "the artifact {} (deploy: artifact: in .elasticbeanstalk/config.yml)",
                p.display()
            ),
            Upload::Reused(p) => format!(
                "{}, left by an earlier `eb deploy` with this label; the EB CLI uploads it again instead of zipping",
                p.display()
            ),
            Upload::Archive(p) => format!("{} (eb deploy --archive)", p.display()),
        }
    }

    /// Whether modes come from git's index (so EB200 tells how to fix them in git).
    pub fn git_modes(&self) -> bool {
        matches!(self, Upload::GitHead | Upload::GitIndex)
    }
}

/// What `eb deploy` is asked to do, as far as it changes what is uploaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `--staged`.
    pub staged: bool,
    /// `-l/--label`.
    pub label: Option<String>,
    /// `--archive PATH`, relative to the current directory.
    pub archive: Option<PathBuf>,
}

/// Where a file's bytes are.
#[derive(Clone, Debug)]
enum Content {
    Disk(PathBuf),
    /// Entry `.1` of zip `.0` (an index into [`Archive::zips`]).
    Zip(usize, usize),
}

#[derive(Clone, Debug)]
enum Entry {
    Dir,
    /// A regular file with the permission bits the instance gives it.
    File {
        perm: u32,
        content: Content,
    },
    /// A symbolic link and its target, as stored.
    Link(String),
}

/// The zip's entries by path, after `unzip -o` (a later entry replaces an earlier one).
#[derive(Debug, Default)]
struct Archive {
    entries: BTreeMap<String, Entry>,
    zips: Vec<ZipFile>,
    /// Per zip: appended from a submodule.
    appended: Vec<bool>,
}

/// One file an instance finds under `.ebextensions/` or `.platform/`, following links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Path inside the bundle, `/`-separated.
    pub path: String,
    /// The link stored at this very path, if any.
    pub link: Option<String>,
    pub state: State,
    /// The file comes from a git submodule (`include_git_submodules`), which the EB CLI
    /// writes with mode 0600 whatever git records.
    pub from_submodule: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// A regular file with these permission bits.
    File(u32),
    /// A link (at this path or on the way) whose target is not in the upload.
    Dangling,
    /// A link whose target is absolute or climbs out of the bundle: what it reaches on the
    /// instance is not in the upload, so ebguard cannot lint it.
    Outside,
    /// Links that loop.
    Loop,
}

impl Listed {
    /// `--list-files --format json`: `{"path", "state", "mode", "link", "from_submodule"}`.
    pub fn json(&self) -> serde_json::Value {
        let (state, mode) = match self.state {
            State::File(perm) => ("file", Some(format!("{perm:04o}"))),
            State::Dangling => ("dangling", None),
            State::Outside => ("outside", None),
            State::Loop => ("loop", None),
        };
        serde_json::json!({
            "path": self.path,
            "state": state,
            "mode": mode,
            "link": self.link,
            "from_submodule": self.from_submodule,
        })
    }

    /// `--list-files` line: `0755 .platform/hooks/predeploy/01.sh -> ../../../bin/m.sh`.
    pub fn line(&self) -> String {
        let state = match self.state {
            State::File(perm) => format!("{perm:04o}"),
            State::Dangling => "dangling".into(),
            State::Outside => "outside".into(),
            State::Loop => "loop".into(),
        };
        match &self.link {
            Some(target) => format!("{state} {} -> {target}", self.path),
            None => format!("{state} {}", self.path),
        }
    }
}

/// A private copy of what an instance finds, ready to lint.
#[derive(Debug)]
pub struct Shipped {
    pub upload: Upload,
    pub listed: Vec<Listed>,
    pub copy: TempDir,
}

/// The EB CLI's project root for `start`: the nearest directory holding `.elasticbeanstalk/`
/// (`fileoperations.ProjectRoot.traverse`); `None` when there is none, where every `eb`
/// command stops with "EB is not yet initialized".
pub fn project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(".elasticbeanstalk").is_dir())
        .map(Path::to_path_buf)
}

/// A configuration value as PyYAML (YAML 1.1) loads it, as far as the EB CLI tests it.
#[derive(Clone, Debug)]
struct Setting {
    /// The scalar's text; `None` for a mapping or sequence.
    text: Option<String>,
    /// Python truthiness of the loaded value.
    truthy: bool,
}

/// `fileoperations.get_config_setting(section, key)`: `config.yml` wins over
/// `config.global.yml`, both in the project's `.elasticbeanstalk/`.
fn config_setting(root: &Path, section: &str, key: &str) -> Option<Setting> {
    let mut value = None;
    for file in ["config.global.yml", "config.yml"] {
        let Ok(text) = fs::read_to_string(root.join(".elasticbeanstalk").join(file)) else {
            continue;
        };
        let Ok(doc) = yaml::parse(&text, yaml::Limits::default()) else {
            continue;
        };
        if let Some(node) = doc
            .root()
            .and_then(|r| r.get(section))
            .and_then(|s| s.get(key))
        {
            let plain =
                node.scalar_style() == Some(yaml::ScalarStyle::Plain) && node.tag().is_none();
            let text = node.as_str().map(str::to_string);
            let truthy = match text.as_deref() {
                None => !node.items().is_empty() || !node.entries().is_empty(),
                Some("") => false,
                Some(t) if plain => !matches!(
                    t,
                    "~" | "null"
                        | "Null"
                        | "NULL"
                        | "false"
                        | "False"
                        | "FALSE"
                        | "no"
                        | "No"
                        | "NO"
                        | "off"
                        | "Off"
                        | "OFF"
                        | "0"
                ),
                Some(_) => true,
            };
            value = Some(Setting { text, truthy });
        }
    }
    value
}

/// Builds the upload `eb deploy` would make when run in `cwd` (inside the project at `root`),
/// and the files an instance finds under `.ebextensions/` and `.platform/`, in a private copy.
pub fn materialise(root: &Path, cwd: &Path, request: &Request) -> Result<Shipped, String> {
    let work = tempfile::Builder::new()
        .prefix("ebguard-deploy-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let (upload, archive) = build(root, cwd, request, work.path())?;
    let listed = archive.instance_view();
    let copy = tempfile::Builder::new()
        .prefix("ebguard-bundle-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    archive.write(&listed, copy.path())?;
    Ok(Shipped {
        upload,
        listed,
        copy,
    })
}

fn build(
    root: &Path,
    cwd: &Path,
    request: &Request,
    work: &Path,
) -> Result<(Upload, Archive), String> {
    if let Some(path) = &request.archive {
        // `deploy.get_or_create_source_bundle`: a zip as it is, a directory zipped by
        // `zip_up_folder` without `.ebignore`.
        let path = cwd.join(path);
        let archive = if path.is_dir() {
            Archive::from_dir(&path, None)?
        } else {
            Archive::from_zip(&path)?
        };
        return Ok((Upload::Archive(path), archive));
    }
    if let Some(artifact) = config_setting(root, "deploy", "artifact").filter(|s| s.truthy) {
        let Some(artifact) = artifact.text.map(PathBuf::from) else {
            return Err("`deploy: artifact:` in .elasticbeanstalk/config.yml is not a path".into());
        };
        // `s3.upload_workspace_version` reads it from the project root.
        let path = root.join(&artifact);
        return Ok((Upload::Artifact(artifact), Archive::from_zip(&path)?));
    }
    if let Some(label) = &request.label {
        let reused = root
            .join(".elasticbeanstalk/app_versions")
            .join(format!("{label}.zip"));
        if reused.is_file() {
            return Ok((Upload::Reused(reused.clone()), Archive::from_zip(&reused)?));
        }
    }
    if root.join(".ebignore").is_file() {
        let text = fs::read(root.join(".ebignore"))
            .map_err(|e| format!(".ebignore: {e}"))
            .and_then(|b| String::from_utf8(b).map_err(|_| ".ebignore: not UTF-8".to_string()))?;
        let ignore = EbIgnore::parse(&text)?;
        return Ok((Upload::EbIgnore, Archive::from_dir(root, Some(&ignore))?));
    }
    // `SourceControl.get_source_control`: `sc` in the configuration, else `.git` in the
    // directory `eb` runs in (not the project root).
    let git =
        config_setting(root, "global", "sc").is_some_and(|v| v.truthy) || cwd.join(".git").is_dir();
    if git {
        let submodules =
            config_setting(root, "global", "include_git_submodules").is_some_and(|v| v.truthy);
        let archive = Archive::from_git(root, request.staged, submodules, work)?;
        let upload = if request.staged {
            Upload::GitIndex
        } else {
            Upload::GitHead
        };
        return Ok((upload, archive));
    }
    Ok((Upload::Directory, Archive::from_dir(root, None)?))
}

/// Unix permission bits the instance gives a zip entry: Info-ZIP `unzip` takes them from a
/// Unix entry's mode (without set-id bits), and gives entries without one 0666 minus the
/// umask (022 for the EB engine, which runs as root).
fn zip_entry(zip: usize, index: usize, e: &zip::ZipEntry, files: &[ZipFile]) -> Entry {
    if e.is_dir() {
        return Entry::Dir;
    }
    if e.is_symlink() {
        let target = files[zip]
            .read(index, 4096)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        return Entry::Link(target);
    }
    let perm = e.unix_mode.map_or(0o644, |m| m & 0o777);
    Entry::File {
        perm,
        content: Content::Zip(zip, index),
    }
}

/// An entry name as `unzip` places it: no leading `./` or `/`, no `..` (skipped).
fn clean_name(name: &str) -> Option<String> {
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

impl Archive {
    fn from_zip(path: &Path) -> Result<Archive, String> {
        let zip = ZipFile::open(path)?;
        // PowerShell's `Compress-Archive` (before PowerShell 7) writes `\` separators; the
        // engine's `unzip` then warns "appears to use backslashes as path separators", exits 1,
        // and EB fails the deployment.
        // Only entries made on Windows (FAT host) are read that way; on a Unix entry `\` is
        // an ordinary character.
        if let Some(e) = zip
            .entries
            .iter()
            .find(|e| e.name.contains('\\') && !e.unix_host)
        {
            return Err(format!(
                "{}: the entry `{}` uses backslashes as path separators; the EB engine's `unzip` exits with an error on it and the deployment fails; build the zip with `zip -r`, 7-Zip or `eb deploy` itself",
                path.display(),
                e.name
            ));
        }
        let mut archive = Archive::default();
        archive.add_zip(zip, false);
        Ok(archive)
    }

    /// Adds a zip's entries; `appended` entries (submodules) are rewritten as
    /// `fileoperations.zip_append_archive` does: `writestr(name, data)` makes every file 0600
    /// and a link a file holding its target.
    fn add_zip(&mut self, zip: ZipFile, appended: bool) {
        let n = self.zips.len();
        self.zips.push(zip);
        self.appended.push(appended);
        for (i, e) in self.zips[n].entries.iter().enumerate() {
            let Some(name) = clean_name(&e.name) else {
                continue;
            };
            let entry = if appended {
                if e.name.ends_with('/') {
                    Entry::Dir
                } else {
                    Entry::File {
                        perm: 0o600,
                        content: Content::Zip(n, i),
                    }
                }
            } else {
                zip_entry(n, i, e, &self.zips)
            };
            self.entries.insert(name, entry);
        }
    }

    /// `git archive --format=zip` as `Git.do_zip` runs it, then each submodule's.
    ///
    /// Archiving the whole tree reads every blob (2.6 s for 157 MB of source); only the bundle
    /// and what its links reach matter. So the tree is listed first (`git ls-tree`, names and
    /// modes only), the files an instance would reach are worked out on that listing, and
    /// `git archive` runs on those paths and every link: the same entries, modes,
    /// `export-ignore` and `export-subst` as the full archive, for what ebguard reads.
    fn from_git(
        root: &Path,
        staged: bool,
        submodules: bool,
        work: &Path,
    ) -> Result<Archive, String> {
        let tree = if staged {
            git(root, &["write-tree"])?
        } else {
            "HEAD".to_string()
        };
        let needed = Archive::from_ls_tree(root, &tree)?.reached();
        let mut archive = Archive::default();
        if !needed.is_empty() {
            let main = work.join("git.zip");
            git_archive(root, &tree, None, &needed, &main)?;
            archive.add_zip(ZipFile::open(&main)?, false);
        }
        if submodules {
            let out = git(root, &["submodule", "foreach", "--recursive"])?;
            for (n, line) in out.lines().enumerate() {
                // `line.split(' ')[1].strip("'")`, as the EB CLI reads `Entering 'dir'`.
                let Some(dir) = line.split(' ').nth(1).map(|d| d.trim_matches('\'')) else {
                    continue;
                };
                let sub = root.join(dir);
                let tree = if staged {
                    git(&sub, &["write-tree"])?
                } else {
                    "HEAD".to_string()
                };
                let zip = work.join(format!("sub{n}.zip"));
                git_archive(&sub, &tree, Some(dir), &[], &zip)?;
                archive.add_zip(ZipFile::open(&zip)?, true);
            }
        }
        Ok(archive)
    }

    /// The tree as `git ls-tree -r` lists it below the current directory: files without
    /// content, links with their targets (read in one `git cat-file --batch`), submodules as
    /// directories.
    fn from_ls_tree(root: &Path, tree: &str) -> Result<Archive, String> {
        let listing = git(root, &["ls-tree", "-r", "-z", tree])?;
        let mut archive = Archive::default();
        let mut links = Vec::new();
        for record in listing.split('\0').filter(|r| !r.is_empty()) {
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            let (mode, oid) = (meta.next().unwrap_or(""), meta.nth(1).unwrap_or(""));
            let entry = match mode {
                "120000" => {
                    links.push((path.to_string(), oid.to_string()));
                    continue;
                }
                "160000" => Entry::Dir,
                _ => Entry::File {
                    perm: 0,
                    content: Content::Disk(PathBuf::new()),
                },
            };
            archive.entries.insert(path.to_string(), entry);
        }
        let oids: Vec<&str> = links.iter().map(|(_, oid)| oid.as_str()).collect();
        for ((path, _), target) in links.iter().zip(cat_blobs(root, &oids)?) {
            archive.entries.insert(path.clone(), Entry::Link(target));
        }
        Ok(archive)
    }

    /// The entries an instance touches under `.ebextensions/` and `.platform/`: every file
    /// reached and every link (links are few, and any may be on the way).
    fn reached(&self) -> Vec<String> {
        let mut paths: BTreeSet<String> = self
            .entries
            .iter()
            .filter(|(_, e)| matches!(e, Entry::Link(_)))
            .map(|(p, _)| p.clone())
            .collect();
        for listed in self.instance_view() {
            if let Resolved::File(real) = self.resolve(&listed.path) {
                paths.insert(real);
            }
        }
        paths.into_iter().collect()
    }

    /// `fileoperations._zipdir` on `dir`, with `.ebignore` or, without one, leaving out only
    /// `./.gitignore` (its default `ignore_list`).
    fn from_dir(dir: &Path, ignore: Option<&EbIgnore>) -> Result<Archive, String> {
        let mut archive = Archive::default();
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let walk_root = if rel.is_empty() {
                "./".to_string()
            } else {
                format!("./{rel}")
            };
            if walk_root.contains(".elasticbeanstalk") {
                continue;
            }
            // `os.walk` ignores directories it cannot list.
            let Ok(read) = fs::read_dir(dir.join(&rel)) else {
                continue;
            };
            let mut children: Vec<_> = read.filter_map(Result::ok).collect();
            children.sort_by_key(|c| c.file_name());
            for child in children {
                let name = child.file_name().to_string_lossy().into_owned();
                let path = child.path();
                let child_rel = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                let ignored = match ignore {
                    Some(ignore) => child_rel == ".ebignore" || ignore.ignores(&child_rel),
                    None => child_rel == ".gitignore",
                };
                let Ok(kind) = child.file_type() else {
                    continue;
                };
                let followed = fs::metadata(&path);
                if kind.is_dir() {
                    stack.push(child_rel);
                    continue;
                }
                if kind.is_symlink() && followed.as_ref().is_ok_and(|m| m.is_dir()) {
                    // In `dirs`: zipped as a link unless `.ebignore` names it.
                    if ignore.is_some() {
                        check_no_loop(&path, &child_rel)?;
                    }
                    if !(ignore.is_some() && ignored) {
                        archive
                            .entries
                            .insert(child_rel, Entry::Link(read_link(&path)));
                    }
                    continue;
                }
                // In `files`.
                if name.ends_with('~') || ignored {
                    continue;
                }
                let meta = followed.map_err(|e| {
                    format!(
                        "`eb deploy` would stop: `{child_rel}` is a broken symbolic link ({e}), and the EB CLI's zipper (`os.stat` in `_validate_file_for_archive`) fails on it; remove it, or list it in .ebignore with a name ending in `~`"
                    )
                })?;
                if meta.file_type().is_socket() {
                    continue;
                }
                if kind.is_symlink() {
                    archive
                        .entries
                        .insert(child_rel, Entry::Link(read_link(&path)));
                } else if meta.file_type().is_fifo() {
                    return Err(format!("`eb deploy` would hang: `{child_rel}` is a FIFO, which the EB CLI's zipper reads to its end"));
                } else {
                    let perm = meta.permissions().mode() & 0o777;
                    archive.entries.insert(
                        child_rel,
                        Entry::File {
                            perm,
                            content: Content::Disk(path),
                        },
                    );
                }
            }
        }
        Ok(archive)
    }

    /// What `path` is in the extracted bundle, without following a link at `path` itself.
    fn node(&self, path: &str) -> Option<&Entry> {
        if path.is_empty() {
            return Some(&Entry::Dir);
        }
        if let Some(e) = self.entries.get(path) {
            return Some(e);
        }
        let prefix = format!("{path}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|_| &Entry::Dir)
    }

    /// Resolves `path` as the instance's file system would, following every link.
    fn resolve(&self, path: &str) -> Resolved {
        let mut todo: Vec<String> = path.split('/').rev().map(str::to_string).collect();
        let mut at: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = todo.pop() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    if at.pop().is_none() {
                        return Resolved::Outside;
                    }
                    continue;
                }
                _ => {}
            }
            let here = if at.is_empty() {
                part.clone()
            } else {
                format!("{}/{part}", at.join("/"))
            };
            match self.node(&here) {
                None => return Resolved::Missing,
                Some(Entry::Dir) => at.push(part),
                Some(Entry::File { .. }) if todo.is_empty() => return Resolved::File(here),
                Some(Entry::File { .. }) => return Resolved::Missing,
                Some(Entry::Link(target)) => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Resolved::Loop;
                    }
                    if target.starts_with('/') {
                        return Resolved::Outside;
                    }
                    todo.extend(target.split('/').rev().map(str::to_string));
                }
            }
        }
        Resolved::Dir(at.join("/"))
    }

    /// Names directly inside the directory `dir` of the extracted bundle.
    fn children(&self, dir: &str) -> BTreeSet<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| k[prefix.len()..].split('/').next())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Every file under `.ebextensions/` and `.platform/` as an instance finds it, following
    /// links as a walk of `/var/app/staging` does, in path order.
    fn instance_view(&self) -> Vec<Listed> {
        let mut out = Vec::new();
        for top in BUNDLE_DIRS {
            self.visit(top, &mut Vec::new(), &mut out);
        }
        out
    }

    fn visit(&self, path: &str, stack: &mut Vec<String>, out: &mut Vec<Listed>) {
        // The link stored at `path` itself: its parent resolved, then its own name.
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let link = match self.resolve(parent) {
            Resolved::Dir(p) => {
                let own = if p.is_empty() {
                    name.to_string()
                } else {
                    format!("{p}/{name}")
                };
                match self.entries.get(&own) {
                    Some(Entry::Link(t)) => Some(t.clone()),
                    _ => None,
                }
            }
            _ => None,
        };
        let state = match self.resolve(path) {
            Resolved::Dir(real) => {
                if stack.contains(&real) || stack.len() >= MAX_DEPTH {
                    if stack.contains(&real) {
                        out.push(Listed {
                            path: path.to_string(),
                            link,
                            state: State::Loop,
                            from_submodule: false,
                        });
                    }
                    return;
                }
                stack.push(real.clone());
                for child in self.children(&real) {
                    self.visit(&format!("{path}/{child}"), stack, out);
                }
                stack.pop();
                return;
            }
            Resolved::File(real) => match self.entries.get(&real) {
                Some(Entry::File { perm, content }) => {
                    let from_submodule = matches!(content, Content::Zip(z, _) if self.appended[*z]);
                    out.push(Listed {
                        path: path.to_string(),
                        link,
                        state: State::File(*perm),
                        from_submodule,
                    });
                    return;
                }
                _ => State::Dangling,
            },
            // A top-level directory that is not there is simply absent.
            Resolved::Missing if link.is_none() && !path.contains('/') => return,
            Resolved::Missing => State::Dangling,
            Resolved::Outside => State::Outside,
            Resolved::Loop => State::Loop,
        };
        out.push(Listed {
            path: path.to_string(),
            link,
            state,
            from_submodule: false,
        });
    }

    /// Writes the listed files into `dest` with their permission bits (plus owner-read, so
    /// ebguard can read what it lints); a file the instance cannot reach becomes a broken link
    /// whose target says why, which the reader reports as EB100. Links out of the bundle are
    /// left out: only the instance knows what they reach.
    fn write(&self, listed: &[Listed], dest: &Path) -> Result<(), String> {
        for item in listed {
            let target = dest.join(&item.path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            let shown = item.link.clone().unwrap_or_else(|| item.path.clone());
            let why = match &item.state {
                State::File(perm) => {
                    let real = match self.resolve(&item.path) {
                        Resolved::File(real) => real,
                        _ => unreachable!("listed as a file"),
                    };
                    let Some(Entry::File { content, .. }) = self.entries.get(&real) else {
                        unreachable!("resolved to a file");
                    };
                    let bytes = match content {
                        Content::Disk(p) => {
                            fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?
                        }
                        Content::Zip(z, i) => {
                            self.zips[*z].read(*i, crate::bundle::MAX_FILE_BYTES + 1)?
                        }
                    };
                    fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))?;
                    fs::set_permissions(&target, fs::Permissions::from_mode(perm | 0o400))
                        .map_err(|e| format!("{}: {e}", target.display()))?;
                    continue;
                }
                State::Dangling => format!("{shown} (not in the upload)"),
                // What an absolute or climbing link reaches exists only on the instance:
                // nothing to lint, and no reason to call it broken.
                State::Outside => continue,
                State::Loop => format!("{shown} (a loop of symbolic links)"),
            };
            // A relative target naming the reason: it exists nowhere, and the reader quotes it.
            std::os::unix::fs::symlink(why, &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
        Ok(())
    }
}

enum Resolved {
    Dir(String),
    File(String),
    Missing,
    Outside,
    Loop,
}

fn read_link(path: &Path) -> String {
    fs::read_link(path)
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// pathspec walks `.ebignore`'s tree following links and raises `RecursionError` on a loop,
/// which stops `eb deploy`.
fn check_no_loop(link: &Path, rel: &str) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(link).follow_links(true).max_depth(64) {
        if let Err(e) = entry {
            if e.loop_ancestor().is_some() {
                return Err(format!("`eb deploy` would stop: the symbolic link `{rel}` leads into a loop, and the EB CLI's .ebignore walk (pathspec) fails on it"));
            }
        }
    }
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        // Paths given to `git archive` are file names, never globs.
        .env("GIT_LITERAL_PATHSPECS", "1")
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

/// `git archive -v --format=zip [--prefix DIR/] -o ZIP <HEAD or the index's tree>` in `dir`,
/// as `Git.do_zip` and `do_zip_submodule` run it (in a subdirectory of the repository, git
/// archives only that directory), limited to `paths` when given (literally, not as globs).
/// `-0` stores instead of deflating: same entries, faster.
fn git_archive(
    dir: &Path,
    tree: &str,
    prefix: Option<&str>,
    paths: &[String],
    zip: &Path,
) -> Result<(), String> {
    let prefix = prefix.map(|p| format!("{}/", p.trim_end_matches('/')));
    let mut args = vec!["archive", "-0", "--format=zip"];
    if let Some(p) = &prefix {
        args.extend(["--prefix", p.as_str()]);
    }
    let zip = zip.to_string_lossy();
    args.extend(["-o", &zip, tree]);
    if !paths.is_empty() {
        args.push("--");
        args.extend(paths.iter().map(String::as_str));
    }
    git(dir, &args).map(|_| ())
}

/// The contents of blobs (link targets), by `git cat-file --batch`.
fn cat_blobs(dir: &Path, oids: &[&str]) -> Result<Vec<String>, String> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let input = oids.join("\n") + "\n";
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from a thread: git answers while it reads, and a full pipe would block both.
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(input.as_bytes())
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    let mut rest = out.stdout.as_slice();
    let mut blobs = Vec::new();
    for _ in oids {
        let header_end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("git cat-file: truncated output")?;
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("git cat-file: {header}"))?;
        let body = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or("git cat-file: truncated output")?;
        blobs.push(String::from_utf8_lossy(body).into_owned());
        rest = rest.get(header_end + 2 + size..).unwrap_or(&[]);
    }
    Ok(blobs)
}
