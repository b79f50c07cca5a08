//! Reading a bundle's files into the model, without ever blocking or reading without bound:
//! only regular files are opened (a FIFO would block), and sizes are checked first.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use walkdir::WalkDir;

use super::discover::BundleRoot;
use super::git;
use crate::model::{
    Bundle, ConfigFile, FileProblem, Hook, HookContent, HookKind, HookPhase, IgnoredFile,
    ModeOrigin,
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

fn read_limited(path: &Path) -> Bytes {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if fs::symlink_metadata(path).is_ok() => {
            return Bytes::Problem(format!("broken or looping symbolic link: {e}"))
        }
        Err(e) => return Bytes::Problem(format!("cannot read: {e}")),
    };
    if !meta.is_file() {
        return Bytes::Problem(
            "not a regular file (a FIFO, socket or device); EB can only ship regular files".into(),
        );
    }
    let mut buf = Vec::new();
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return Bytes::Problem(format!("cannot read: {e}")),
    };
    if let Err(e) = file.take(MAX_FILE_BYTES).read_to_end(&mut buf) {
        return Bytes::Problem(format!("cannot read: {e}"));
    }
    if meta.len() > MAX_FILE_BYTES {
        Bytes::TooLarge(buf, meta.len())
    } else {
        Bytes::Read(buf)
    }
}

fn mode_of(path: &Path) -> Option<u32> {
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

/// Lists the files below `dir` (following links, with loop detection), relative to `root`.
fn files_below(root: &Path, dir: &Path) -> Vec<(String, Result<(), String>)> {
    let mut out = Vec::new();
    for entry in WalkDir::new(dir)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
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

pub fn load(root: &BundleRoot, limits: Limits) -> Bundle {
    let mut configs = Vec::new();
    let mut ignored = Vec::new();
    let ebextensions = root.dir.join(".ebextensions");
    if ebextensions.is_dir() {
        for (rel, listed) in files_below(&root.dir, &ebextensions) {
            let inside = rel.trim_start_matches(".ebextensions/");
            // EB reads only `.ebextensions/*.config` (eb-facts §1.1).
            if inside.contains('/') || !inside.ends_with(".config") {
                let text = match read_limited(&root.dir.join(&rel)) {
                    Bytes::Read(bytes) | Bytes::TooLarge(bytes, _) => {
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                    Bytes::Problem(_) => String::new(),
                };
                ignored.push(IgnoredFile::new(rel, &text));
                continue;
            }
            let path = root.display_path(&rel);
            let file_name = inside.to_string();
            let config = match listed {
                Err(e) => problem_config(path, file_name, e),
                Ok(()) => read_config(&root.dir.join(&rel), path, file_name, limits),
            };
            configs.push(config);
        }
    }
    configs.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    let mut hooks = Vec::new();
    let platform = root.dir.join(".platform");
    if platform.is_dir() {
        let git_modes = git::index_modes(&root.dir);
        for (rel, listed) in files_below(&root.dir, &platform) {
            let mut parts = rel.split('/').skip(1);
            let kind = match parts.next() {
                Some("hooks") => Some(HookKind::Hooks),
                Some("confighooks") => Some(HookKind::ConfigHooks),
                // Misspellings, kept so EB203 can say where the files belong.
                Some(
                    "hook" | "confighook" | "Hooks" | "ConfigHooks" | "config-hooks"
                    | "config_hooks",
                ) => None,
                _ => continue,
            };
            let rest: Vec<&str> = parts.collect();
            let phase = match rest.as_slice() {
                [dir, _file] => HookPhase::from_dir(dir),
                _ => None,
            };
            let path = root.display_path(&rel);
            let full = root.dir.join(&rel);
            let (source, content) = match listed {
                Err(e) => (
                    SourceFile::new(path, String::new()),
                    HookContent::Unreadable(e),
                ),
                Ok(()) => read_hook(&full, path),
            };
            // A file git does not track is zipped from the file system.
            let (mode, mode_origin) = match git_modes.as_ref().and_then(|m| m.get(&rel)) {
                Some(&mode) => (Some(mode), ModeOrigin::GitIndex),
                None => (mode_of(&full), ModeOrigin::FileSystem),
            };
            hooks.push(Hook {
                source,
                rel_path: rel,
                kind,
                phase,
                content,
                mode,
                mode_origin,
            });
        }
    }
    Bundle {
        root: root.display.clone(),
        configs,
        hooks,
        ignored_ebextensions: ignored,
        enclosing_root: root.enclosing.clone(),
        eb_dirs: [".ebextensions", ".platform"]
            .into_iter()
            .filter(|d| root.dir.join(d).is_dir())
            .collect(),
    }
}

fn problem_config(path: String, file_name: String, message: String) -> ConfigFile {
    let problem = FileProblem {
        message,
        span: 0..0,
        empty: false,
    };
    ConfigFile::unusable(SourceFile::new(path, String::new()), file_name, problem)
}

fn read_config(full: &Path, path: String, file_name: String, limits: Limits) -> ConfigFile {
    let bytes = match read_limited(full) {
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

fn read_hook(full: &Path, path: String) -> (SourceFile, HookContent) {
    let bytes = match read_limited(full) {
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
