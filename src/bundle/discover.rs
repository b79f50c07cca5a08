//! Bundle roots: every directory holding `.ebextensions/` or `.platform/` (eb-facts §1.1).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::overlay::Overlay;

/// A bundle directory and how to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleRoot {
    pub dir: PathBuf,
    /// Forward-slash path as the user wrote it, joined with the way down to the bundle; empty
    /// when the bundle is the current directory given as `.`.
    pub display: String,
    /// The display path of another bundle root that contains this one, if any: deploying that
    /// one ships this directory's `.ebextensions`/`.platform` below its root, where EB never
    /// reads them (eb-facts §1.1, §7 #5).
    pub enclosing: Option<String>,
}

impl BundleRoot {
    /// The display path of a file inside the bundle.
    pub fn display_path(&self, rel: &str) -> String {
        crate::source::display_join(&self.display, rel)
    }
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub roots: Vec<BundleRoot>,
    /// Paths that could not be read, with the reason: each makes the run exit 2.
    pub errors: Vec<String>,
}

/// Directories that never hold a deployable bundle and can be huge: VCS data, installed
/// packages, virtualenvs, build output, caches.
pub fn skipped_dir(name: &str) -> bool {
    matches!(
        name,
        ".git"
            | ".hg"
            | ".svn"
            | "node_modules"
            | "bower_components"
            | "target"
            | "vendor"
            | "__pycache__"
            | ".tox"
            | ".venv"
            | "venv"
            | ".terraform"
            | ".elasticbeanstalk"
    )
}

fn is_bundle_root(dir: &Path) -> bool {
    dir.join(".ebextensions").is_dir() || dir.join(".platform").is_dir()
}

fn display_of(given: &Path, rel: &Path) -> String {
    let joined = given.join(rel);
    let text = joined.to_string_lossy().replace('\\', "/");
    let mut parts: Vec<&str> = text
        .split('/')
        .filter(|p| *p != "." && !p.is_empty())
        .collect();
    if text.starts_with('/') {
        parts.insert(0, "");
    }
    parts.join("/")
}

pub fn discover(paths: &[PathBuf]) -> Discovery {
    discover_overlaid(paths, &Overlay::default())
}

/// [`discover`] where a path `overlay` holds is a file even when it is not on disk yet.
pub fn discover_overlaid(paths: &[PathBuf], overlay: &Overlay) -> Discovery {
    let mut out = Discovery::default();
    for given in paths {
        match std::fs::metadata(given) {
            Err(_) if overlay.get(given).is_some() => match enclosing_root(given) {
                Some(root) => out.roots.push(root),
                None => out.errors.push(not_in_bundle(given)),
            },
            Err(e) => out.errors.push(format!("{}: {e}", given.display())),
            Ok(meta) if meta.is_dir() => walk(given, &mut out),
            // An `ebguard.toml` applies to every bundle at or below its directory (nearest
            // file wins), so naming it (as pre-commit does when only the configuration
            // changed) checks those bundles, even when the file sits above all of them.
            Ok(_) if given.file_name().is_some_and(|n| n == "ebguard.toml") => {
                let dir = given.parent().filter(|d| !d.as_os_str().is_empty());
                walk(dir.unwrap_or(Path::new(".")), &mut out)
            }
            Ok(_) => match enclosing_root(given) {
                Some(root) => out.roots.push(root),
                None => out.errors.push(not_in_bundle(given)),
            },
        }
    }
    out.roots.sort_by(|a, b| a.display.cmp(&b.display));
    out.roots.dedup_by(|a, b| a.dir == b.dir);
    mark_enclosed(&mut out.roots);
    out
}

fn not_in_bundle(given: &Path) -> String {
    format!(
        "{}: not inside a bundle (no ancestor directory holds .ebextensions/ or .platform/)",
        given.display()
    )
}

/// Sets `enclosing` to the nearest other root that is an ancestor directory. In path order
/// (component by component) every root comes right after its ancestors, so a stack of the
/// roots above the current one finds it in one pass; comparing every pair was quadratic and
/// took seconds in a monorepo of thousands of bundles (bench/run.sh).
fn mark_enclosed(roots: &mut [BundleRoot]) {
    let mut order: Vec<usize> = (0..roots.len()).collect();
    order.sort_by(|&a, &b| roots[a].dir.cmp(&roots[b].dir));
    let mut above: Vec<usize> = Vec::new();
    for i in order {
        while let Some(&top) = above.last() {
            if roots[i].dir != roots[top].dir && roots[i].dir.starts_with(&roots[top].dir) {
                break;
            }
            above.pop();
        }
        roots[i].enclosing = above.last().map(|&top| roots[top].display.clone());
        above.push(i);
    }
}

fn walk(given: &Path, out: &mut Discovery) {
    // Symlinked directories are not followed while looking for roots: a link back up the tree
    // would loop, and EB bundles are plain directories.
    let walker = WalkDir::new(given).follow_links(false).into_iter();
    let mut walker = walker.filter_entry(|e| {
        e.depth() == 0
            || !(e.file_type().is_dir()
                && (skipped_dir(&e.file_name().to_string_lossy())
                    || e.path().join("pyvenv.cfg").is_file()))
    });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.errors.push(e.to_string());
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && (name == ".ebextensions" || name == ".platform") {
            // Contents of a bundle, not places to look for more bundles.
            walker.skip_current_dir();
            continue;
        }
        if is_bundle_root(entry.path()) {
            let rel = entry.path().strip_prefix(given).unwrap_or(entry.path());
            out.roots.push(BundleRoot {
                dir: entry.path().to_path_buf(),
                display: display_of(given, rel),
                enclosing: None,
            });
        }
    }
}

/// For a file argument (pre-commit passes changed files): the bundle it belongs to.
fn enclosing_root(file: &Path) -> Option<BundleRoot> {
    let mut dir = file.parent()?.to_path_buf();
    loop {
        if dir.as_os_str().is_empty() {
            dir = PathBuf::from(".");
        }
        if is_bundle_root(&dir) {
            return Some(BundleRoot {
                display: display_of(&dir, Path::new("")),
                dir,
                enclosing: None,
            });
        }
        dir.file_name()?;
        dir = dir.parent()?.to_path_buf();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_dot_segments() {
        assert_eq!(display_of(Path::new("."), Path::new("")), "");
        assert_eq!(
            display_of(Path::new("./apps"), Path::new("web")),
            "apps/web"
        );
        assert_eq!(display_of(Path::new("/abs/x"), Path::new("")), "/abs/x");
    }

    #[test]
    fn nested_roots_know_the_nearest_enclosing_root() {
        let root = |dir: &str| BundleRoot {
            dir: PathBuf::from(dir),
            display: dir.to_string(),
            enclosing: None,
        };
        let mut roots = vec![
            root("repo"),
            root("repo/app"),
            root("repo/app/web"),
            root("other"),
        ];
        mark_enclosed(&mut roots);
        let enclosing: Vec<_> = roots.iter().map(|r| r.enclosing.as_deref()).collect();
        assert_eq!(enclosing, [None, Some("repo"), Some("repo/app"), None]);
    }
}
