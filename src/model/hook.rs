//! Platform hooks: executables under `.platform/hooks/<phase>/` and
//! `.platform/confighooks/<phase>/` (eb-facts §6.1).

use super::Located;
use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    /// `.platform/hooks`: application deployments and new instances.
    Hooks,
    /// `.platform/confighooks`: configuration-only deployments (eb-facts §6.1).
    ConfigHooks,
}

impl HookKind {
    pub fn dir(self) -> &'static str {
        match self {
            HookKind::Hooks => "hooks",
            HookKind::ConfigHooks => "confighooks",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HookPhase {
    Prebuild,
    Predeploy,
    Postdeploy,
}

impl HookPhase {
    pub const ALL: [HookPhase; 3] = [
        HookPhase::Prebuild,
        HookPhase::Predeploy,
        HookPhase::Postdeploy,
    ];

    pub fn dir(self) -> &'static str {
        match self {
            HookPhase::Prebuild => "prebuild",
            HookPhase::Predeploy => "predeploy",
            HookPhase::Postdeploy => "postdeploy",
        }
    }

    pub fn from_dir(dir: &str) -> Option<HookPhase> {
        HookPhase::ALL.into_iter().find(|p| p.dir() == dir)
    }
}

/// Where a hook's file mode comes from: what `eb deploy` ships is git's index mode when the
/// bundle is in a git work tree (eb-facts §7 #4), else the file system's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeOrigin {
    FileSystem,
    GitIndex,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookContent {
    /// A text script (possibly with CRLF line endings: `text` keeps them).
    Script,
    /// A compiled executable (ELF); EB runs binaries directly (crates.md §F).
    Binary,
    /// Could not be read: the reason.
    Unreadable(String),
}

#[derive(Clone, Debug)]
pub struct Hook {
    pub source: SourceFile,
    /// Path relative to the bundle root, e.g. `.platform/hooks/predeploy/01_migrate.sh`.
    pub rel_path: String,
    /// `None` for directories EB does not know (`.platform/hook/`, ...).
    pub kind: Option<HookKind>,
    /// `None` when the file is not directly inside a phase directory EB knows.
    pub phase: Option<HookPhase>,
    pub content: HookContent,
    /// Unix permission bits, when known.
    pub mode: Option<u32>,
    pub mode_origin: ModeOrigin,
}

impl Located for Hook {
    fn source(&self) -> &SourceFile {
        &self.source
    }
}

impl Hook {
    /// The script text when the hook is a readable text script.
    pub fn script(&self) -> Option<&str> {
        (self.content == HookContent::Script).then_some(self.source.text.as_str())
    }

    pub fn is_executable(&self) -> Option<bool> {
        self.mode.map(|m| m & 0o111 != 0)
    }
}
