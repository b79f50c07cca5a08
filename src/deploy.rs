//! `ebguard deploy`: lint what `eb deploy` would upload (see [`crate::bundle::shipped`]).
//! The command line runs `eb` afterwards; this module only decides what is linted and how.

use std::path::Path;

use crate::bundle::shipped::{self, Upload};
use crate::bundle::BundleRoot;
use crate::config::Config;
use crate::model::ModeOrigin;
use crate::{check_roots, Options, Outcome};

/// What was linted and what was found.
pub struct Linted {
    pub upload: Upload,
    pub outcome: Outcome,
}

/// `../..` for a project root `depth` directories above the current one; empty for `.`.
fn up(depth: usize) -> String {
    vec![".."; depth].join("/")
}

/// Lints the upload `eb deploy` (with `--staged` when `staged`) would make from `cwd`.
/// `options.config` defaults to the project's `ebguard.toml`; display paths are relative to
/// `cwd`, so they name the real files, not the temporary copy that is read.
pub fn lint(cwd: &Path, staged: bool, mut options: Options) -> Result<Linted, String> {
    let root = shipped::project_root(cwd);
    let shipped = shipped::materialise(&root, staged)?;
    if options.config.is_none() {
        options.config = Config::find(&root);
    }
    if matches!(shipped.upload, Upload::GitHead | Upload::GitIndex) {
        options.mode_origin = Some(ModeOrigin::GitIndex);
    }
    let depth = cwd.components().count() - root.components().count();
    let roots = [BundleRoot {
        dir: shipped.copy.path().to_path_buf(),
        display: up(depth),
        // EB reads only the project root's bundle.
        enclosing: None,
    }];
    Ok(Linted {
        upload: shipped.upload,
        outcome: check_roots(&roots, Vec::new(), &options),
    })
}
