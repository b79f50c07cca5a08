//! Finding bundle roots under the paths given on the command line, and reading the files EB
//! would read from each: `.ebextensions/*` and `.platform/{hooks,confighooks}/**`.

mod discover;
mod files;
mod git;
mod overlay;
mod read;
pub mod shipped;

pub use discover::{discover, discover_overlaid, skipped_dir, BundleRoot, Discovery};
pub use git::GitIndex;
pub use overlay::{clean, normalize, Overlay};
pub use read::{in_memory, load, load_overlaid, load_with, MAX_FILE_BYTES};
