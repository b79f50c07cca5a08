//! Finding bundle roots under the paths given on the command line, and reading the files EB
//! would read from each: `.ebextensions/*` and `.platform/{hooks,confighooks}/**`.

mod discover;
mod files;
mod git;
mod read;
pub mod shipped;

pub use discover::{discover, BundleRoot, Discovery};
pub use git::GitIndex;
pub use read::{in_memory, load, load_with, MAX_FILE_BYTES};
