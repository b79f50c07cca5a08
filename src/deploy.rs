//! `ebguard deploy`: lint what `eb deploy` would upload (see [`crate::bundle::shipped`]).
//! The command line runs `eb` afterwards; this module only decides what is linted and how.

use std::path::{Component, Path, PathBuf};

use crate::bundle::shipped::{self, Listed, Request, Upload};
use crate::bundle::BundleRoot;
use crate::config::Config;
use crate::model::ModeOrigin;
use crate::{check_roots, Options, Outcome};

/// What was linted and what was found, for one project (or one module of `--modules`).
pub struct Linted {
    pub upload: Upload,
    /// The project root as shown: relative to the directory `ebguard` runs in.
    pub shown_root: String,
    /// The files an instance finds under `.ebextensions/` and `.platform/`.
    pub listed: Vec<Listed>,
    pub outcome: Outcome,
}

/// `to` relative to `from`, `/`-separated (`..` where needed); `.` when they are the same.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The EB project `eb` would work on from `dir`, or why there is none.
pub fn project_root(dir: &Path) -> Result<PathBuf, String> {
    shipped::project_root(dir).ok_or_else(|| {
        format!(
            "{} is not in an Elastic Beanstalk project: no .elasticbeanstalk/ directory here or above, so `eb deploy` would stop with \"EB is not yet initialized\"; run `eb init` first, or run ebguard from the project",
            dir.display()
        )
    })
}

/// Lints the upload `eb deploy` would make when run in `dir`; paths are shown relative to
/// `shown_from` (the directory ebguard runs in; `dir` differs for `--modules`).
/// `options.config` defaults to the project's `ebguard.toml`.
pub fn lint(
    dir: &Path,
    shown_from: &Path,
    request: &Request,
    mut options: Options,
) -> Result<Linted, String> {
    let root = project_root(dir)?;
    let shipped = shipped::materialise(&root, dir, request)?;
    if options.config.is_none() {
        options.config = Config::find(&root);
    }
    if shipped.upload.git_modes() {
        options.mode_origin = Some(ModeOrigin::GitIndex);
    }
    let shown_root = relative(shown_from, &root);
    let display = if shown_root == "." {
        String::new()
    } else {
        shown_root.clone()
    };
    let roots = [BundleRoot {
        dir: shipped.copy.path().to_path_buf(),
        display,
        // EB reads only the project root's bundle.
        enclosing: None,
    }];
    Ok(Linted {
        upload: shipped.upload,
        shown_root,
        listed: shipped.listed,
        outcome: check_roots(&roots, Vec::new(), &options),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a/b")), "..");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/m")), "m");
        assert_eq!(relative(Path::new("/a/x"), Path::new("/a/y/z")), "../y/z");
    }
}
