//! Reading a bundle's files into the model, without ever blocking or reading without bound:
//! only regular files are opened (a FIFO would block), and sizes are checked first.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use walkdir::WalkDir;

use super::discover::BundleRoot;
use super::files::{eb_cli_platform, DiskFiles, MemoryFiles};
use super::git;
use super::overlay::Overlay;
use crate::guard;
use crate::model::{
    Bundle, BundleFiles, ConfigFile, FileProblem, Hook, HookContent, HookKind, HookPhase,
    IgnoredFile, InternalError, ModeOrigin, Platform,
};
use crate::source::SourceFile;
use crate::yaml::Limits;

/// The largest file ebguard reads. Real `.config` files are a few KB; hook binaries (such as
/// ebguard itself) are a few MB, but only their first bytes matter.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How deep to look inside `.ebextensions/` and `.platform/`.
const MAX_DEPTH: usize = 16;

enum Bytes {
    Read(Vec<u8>),
    /// The file's first bytes; it is larger than the limit.
    TooLarge(Vec<u8>, u64),
    Problem(String),
}

/// The file's first bytes (at most the limit) and its Unix permission bits.
fn read_limited(path: &Path) -> (Bytes, Option<u32>) {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if fs::symlink_metadata(path).is_ok() => {
            let reason = format!("broken or looping symbolic link: {e}");
            return (Bytes::Problem(reason), None);
        }
        Err(e) => return (Bytes::Problem(format!("cannot read: {e}")), None),
    };
    let mode = Some(meta.permissions().mode() & 0o7777);
    if !meta.is_file() {
        let reason =
            "not a regular file (a FIFO, socket or device); EB can only ship regular files";
        return (Bytes::Problem(reason.into()), mode);
    }
    // Sized from the metadata, so a file is read in one go rather than in growing chunks.
    let mut buf = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize + 1);
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return (Bytes::Problem(format!("cannot read: {e}")), mode),
    };
    if let Err(e) = file.take(MAX_FILE_BYTES).read_to_end(&mut buf) {
        return (Bytes::Problem(format!("cannot read: {e}")), mode);
    }
    if meta.len() > MAX_FILE_BYTES {
        (Bytes::TooLarge(buf, meta.len()), mode)
    } else {
        (Bytes::Read(buf), mode)
    }
}

/// Lists the files below `dir` (following links, with loop detection), relative to `root`.
/// A directory named like a configuration file is listed too, as an error: the user surely
/// meant a file, and EB applies nothing from it.
fn files_below(root: &Path, dir: &Path) -> Vec<(String, Result<(), String>)> {
    let mut out = Vec::new();
    for entry in WalkDir::new(dir)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if e.file_type().is_dir() => {
                if e.depth() == 1 && e.file_name().to_string_lossy().ends_with(".config") {
                    let reason = "a directory, not a file; EB reads only files named `*.config` directly inside .ebextensions/".to_string();
                    out.push((rel_path(root, e.path()), Err(reason)));
                }
            }
            Ok(e) => out.push((rel_path(root, e.path()), Ok(()))),
            Err(e) => {
                let path = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                out.push((path, Err(walk_error(root, &e))));
            }
        }
    }
    out
}

/// Says what is wrong in the user's terms: a broken link names its target, a loop its ancestor.
fn walk_error(root: &Path, e: &walkdir::Error) -> String {
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "symbolic link loop: it points back to `{}`, which contains it",
            rel_path(root, ancestor)
        );
    }
    let target = e.path().and_then(|p| fs::read_link(p).ok());
    match (target, e.io_error()) {
        (Some(target), Some(io)) if io.kind() == std::io::ErrorKind::NotFound => format!(
            "broken symbolic link: its target `{}` does not exist",
            target.display()
        ),
        (_, Some(io)) => format!("cannot read: {io}"),
        _ => format!("cannot read: {e}"),
    }
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Where a file of the bundle goes in the model, by its path relative to the bundle root.
enum Place {
    /// `.ebextensions/<file_name>.config`: configuration EB applies (eb-facts §1.1).
    Config(String),
    /// Anything else under `.ebextensions/`: EB never reads it as configuration.
    IgnoredEbextension,
    Hook(Option<HookKind>, Option<HookPhase>),
    /// Under `.platform/` but not a hook directory (`.platform/nginx/`, ...).
    Elsewhere,
}

fn place_of(rel: &str) -> Place {
    if let Some(inside) = rel.strip_prefix(".ebextensions/") {
        return if inside.contains('/') || !inside.ends_with(".config") {
            Place::IgnoredEbextension
        } else {
            Place::Config(inside.to_string())
        };
    }
    let mut parts = rel.split('/').skip(1);
    let kind = match parts.next() {
        Some("hooks") => Some(HookKind::Hooks),
        Some("confighooks") => Some(HookKind::ConfigHooks),
        // Misspellings, kept so EB203 can say where the files belong.
        Some("hook" | "confighook" | "Hooks" | "ConfigHooks" | "config-hooks" | "config_hooks") => {
            None
        }
        _ => return Place::Elsewhere,
    };
    let rest: Vec<&str> = parts.collect();
    let phase = match rest.as_slice() {
        [dir, _file] => HookPhase::from_dir(dir),
        _ => None,
    };
    Place::Hook(kind, phase)
}

pub fn load(root: &BundleRoot, limits: Limits) -> Bundle {
    load_with(root, limits, &git::GitIndex::default())
}

/// [`load`] with git modes read through `git`, shared by every bundle of one run.
pub fn load_with(root: &BundleRoot, limits: Limits, git: &git::GitIndex) -> Bundle {
    load_overlaid(root, limits, git, &Overlay::default())
}

/// [`load_with`] where the files `overlay` holds are read from it instead of the disk, and
/// overlaid files that are not on disk yet (a buffer never saved) are part of the bundle.
pub fn load_overlaid(
    root: &BundleRoot,
    limits: Limits,
    git: &git::GitIndex,
    overlay: &Overlay,
) -> Bundle {
    let mut listed = Vec::new();
    for dir in [".ebextensions", ".platform"] {
        let dir = root.dir.join(dir);
        if dir.is_dir() {
            listed.extend(files_below(&root.dir, &dir));
        }
    }
    listed.retain(|(rel, _)| !overlay.is_hidden(&root.dir.join(rel)));
    for rel in overlay.below(&root.dir) {
        let in_bundle = rel.starts_with(".ebextensions/") || rel.starts_with(".platform/");
        if in_bundle && !listed.iter().any(|(listed, _)| *listed == rel) {
            listed.push((rel, Ok(())));
        }
    }
    let git_modes = git.modes(&root.dir);
    let shipped = Shipped {
        files: BundleFiles::new(Box::new(DiskFiles {
            root: root.dir.clone(),
            platform_modes: git_modes.clone(),
            other_modes: Default::default(),
        })),
        platform: eb_cli_platform(&root.dir, &root.display),
        git_modes,
        eb_dirs: [".ebextensions", ".platform"]
            .into_iter()
            .filter(|d| root.dir.join(d).is_dir())
            .collect(),
    };
    assemble(root, listed, limits, shipped, |rel, listed| {
        let path = root.dir.join(rel);
        match (overlay.get(&path), listed) {
            (Some(text), _) => {
                // The mode still comes from the disk: an editor buffer has none. A file a fix
                // renames has the mode it will have under its new name.
                let mode = overlay.mode(&path).or_else(|| {
                    fs::metadata(&path)
                        .ok()
                        .map(|m| m.permissions().mode() & 0o7777)
                });
                (limited(text.as_bytes()), mode)
            }
            (None, Ok(())) => read_limited(&path),
            (None, Err(reason)) => (Bytes::Problem(reason), None),
        }
    })
}

/// What decides how a bundle is shipped, beyond its files' bytes.
struct Shipped {
    /// Git's index modes by path inside the bundle, when the bundle is in a git work tree:
    /// `eb deploy` zips `git archive`, so those are the modes EB sees (eb-facts §7 #4).
    git_modes: Option<HashMap<String, u32>>,
    /// Which of `.ebextensions` and `.platform` the bundle root holds.
    eb_dirs: Vec<&'static str>,
    /// The bundle's other files, read on demand.
    files: BundleFiles,
    /// The platform its EB CLI project names.
    platform: Option<Platform>,
}

/// A bundle from files held in memory, as `(path inside the bundle, mode, bytes)`: the same
/// model `load` builds from disk, for fuzzing and tests. Paths use forward slashes.
pub fn in_memory(root: &str, files: &[(&str, Option<u32>, &[u8])], limits: Limits) -> Bundle {
    let listed = files
        .iter()
        .map(|&(rel, mode, bytes)| (rel.to_string(), (mode, bytes)));
    let shipped = Shipped {
        git_modes: None,
        files: BundleFiles::new(Box::new(MemoryFiles(
            files
                .iter()
                .map(|&(rel, mode, bytes)| (rel.to_string(), (mode, bytes.to_vec())))
                .collect(),
        ))),
        platform: None,
        eb_dirs: [".ebextensions", ".platform"]
            .into_iter()
            .filter(|d| {
                files
                    .iter()
                    .any(|(rel, _, _)| rel.starts_with(&format!("{d}/")))
            })
            .collect(),
    };
    let root = BundleRoot {
        dir: root.into(),
        display: root.to_string(),
        enclosing: None,
    };
    assemble(
        &root,
        listed.collect(),
        limits,
        shipped,
        |_, (mode, bytes)| (limited(bytes), mode),
    )
}

/// Bytes held in memory, cut at the limit as a file on disk would be.
fn limited(bytes: &[u8]) -> Bytes {
    let len = bytes.len() as u64;
    if len > MAX_FILE_BYTES {
        Bytes::TooLarge(bytes[..MAX_FILE_BYTES as usize].to_vec(), len)
    } else {
        Bytes::Read(bytes.to_vec())
    }
}

/// Builds the model of one bundle from its listed files; `fetch` reads a file's bytes and mode.
/// Each file is modelled under its own panic guard, so a bug costs one file, not the run.
fn assemble<L>(
    root: &BundleRoot,
    listed: Vec<(String, L)>,
    limits: Limits,
    shipped: Shipped,
    fetch: impl Fn(&str, L) -> (Bytes, Option<u32>),
) -> Bundle {
    let mut bundle = Bundle {
        root: root.display.clone(),
        configs: Vec::new(),
        hooks: Vec::new(),
        ignored_ebextensions: Vec::new(),
        enclosing_root: root.enclosing.clone(),
        eb_dirs: shipped.eb_dirs,
        internal_errors: Vec::new(),
        migrations: Default::default(),
        platform: shipped.platform,
        files: shipped.files,
    };
    for (rel, listed) in listed {
        let path = root.display_path(&rel);
        let modelled = match place_of(&rel) {
            Place::IgnoredEbextension => {
                // EB104 reads the text to tell misnamed configuration from helper files.
                let bytes = fetch(&rel, listed).0;
                let text = match &bytes {
                    Bytes::Read(bytes) | Bytes::TooLarge(bytes, _) => {
                        String::from_utf8_lossy(bytes).into_owned()
                    }
                    Bytes::Problem(_) => String::new(),
                };
                let mut file = IgnoredFile::new(rel, &text);
                if file.looks_like_config {
                    // Read as EB would read it once renamed to `.config` (eb-facts §1.1).
                    let name = file
                        .rel_path
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    file.unreadable = guard::catch(|| config_from_bytes(bytes, path, name, limits))
                        .map_or_else(Some, |config| config.problem.map(|p| p.message));
                }
                bundle.ignored_ebextensions.push(file);
                continue;
            }
            Place::Elsewhere => continue,
            Place::Config(file_name) => {
                let (bytes, _) = fetch(&rel, listed);
                guard::catch(|| config_from_bytes(bytes, path.clone(), file_name, limits))
                    .map(|config| bundle.configs.push(config))
            }
            Place::Hook(kind, phase) => {
                let (bytes, fs_mode) = fetch(&rel, listed);
                // A file git does not track is zipped from the file system.
                let (mode, mode_origin) = match shipped.git_modes.as_ref().and_then(|m| m.get(&rel))
                {
                    Some(&mode) => (Some(mode), ModeOrigin::GitIndex),
                    None => (fs_mode, ModeOrigin::FileSystem),
                };
                guard::catch(|| hook_from_bytes(bytes, path.clone())).map(|(source, content)| {
                    bundle.hooks.push(Hook {
                        source,
                        rel_path: rel,
                        kind,
                        phase,
                        content,
                        mode,
                        mode_origin,
                    })
                })
            }
        };
        if let Err(message) = modelled {
            bundle.internal_errors.push(InternalError { path, message });
        }
    }
    bundle.configs.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    bundle
}

fn problem_config(path: String, file_name: String, message: String) -> ConfigFile {
    let problem = FileProblem {
        message,
        span: 0..0,
        empty: false,
    };
    ConfigFile::unusable(SourceFile::new(path, String::new()), file_name, problem)
}

/// A configuration file from its bytes: checked for size, binary content and UTF-8, then parsed.
fn config_from_bytes(bytes: Bytes, path: String, file_name: String, limits: Limits) -> ConfigFile {
    let bytes = match bytes {
        Bytes::Read(bytes) => bytes,
        Bytes::TooLarge(_, len) => {
            return problem_config(
                path,
                file_name,
                format!("the file is {len} bytes, over ebguard's limit of {MAX_FILE_BYTES}; EB configuration files are a few kilobytes"),
            )
        }
        Bytes::Problem(reason) => return problem_config(path, file_name, reason),
    };
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let problem = FileProblem {
            message: "the file is binary (a NUL byte here); EB expects YAML or JSON text".into(),
            span: text.len()..text.len(),
            empty: false,
        };
        return ConfigFile::unusable(SourceFile::new(path, text), file_name, problem);
    }
    match String::from_utf8(bytes) {
        Ok(text) => ConfigFile::parse(SourceFile::new(path, text), file_name, limits),
        Err(e) => {
            // The text before the bad byte is the same in the lossy copy, so positions agree.
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let problem = FileProblem {
                message: "the file is not valid UTF-8; EB reads configuration files as UTF-8 YAML or JSON".into(),
                span: at..end,
                empty: false,
            };
            ConfigFile::unusable(SourceFile::new(path, text), file_name, problem)
        }
    }
}

fn hook_from_bytes(bytes: Bytes, path: String) -> (SourceFile, HookContent) {
    let bytes = match bytes {
        Bytes::Read(bytes) | Bytes::TooLarge(bytes, _) => bytes,
        Bytes::Problem(reason) => {
            return (
                SourceFile::new(path, String::new()),
                HookContent::Unreadable(reason),
            )
        }
    };
    if bytes.starts_with(b"\x7fELF") || bytes.contains(&0) {
        return (SourceFile::new(path, String::new()), HookContent::Binary);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (SourceFile::new(path, text), HookContent::Script)
}
