//! Findings are built by rules and only read by reporters.

use serde::{Deserialize, Serialize};

use crate::rules::Rule;
use crate::source::Location;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary place that explains the finding ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// A short annotation shown under the primary span in code frames.
    pub label: String,
    pub related: Vec<Related>,
    /// How to fix it.
    pub help: String,
    /// Repairs ebguard can make itself, preferred first (`check --fix`, editors' quick fixes).
    pub fixes: Vec<Fix>,
    /// Why no repair is offered although the rule has one (an edit through a YAML alias
    /// would change every place that shares the anchor).
    pub no_fix: Option<String>,
}

/// Whether a fix can change what EB runs beyond undoing the defect itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Undoes the defect and nothing else: `check --fix` applies it.
    Safe,
    /// Changes which commands run, on which instances, or which configuration takes effect:
    /// only `check --unsafe-fixes` applies it, because the user must want that change.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One repair: every edit is applied, or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in EB's words ("add `leader_only: true`").
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
}

/// A change to one file. Paths are display paths, which name the real file (relative to the
/// current directory, or absolute).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the bytes of `at.span` in `at.path` with `text`; an empty span inserts.
    Replace { at: Location, text: String },
    /// Rename (or move) a file; missing parent directories are created.
    Rename { from: String, to: String },
    /// Set the executable bit on disk, and in git's index when `git` (what `eb deploy` ships
    /// from a git work tree is the index mode: eb-facts §7 #4).
    MakeExecutable { path: String, git: bool },
}

impl Edit {
    /// The file the edit changes (its old name for a rename).
    pub fn path(&self) -> &str {
        match self {
            Edit::Replace { at, .. } => &at.path,
            Edit::Rename { from, .. } => from,
            Edit::MakeExecutable { path, .. } => path,
        }
    }
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &'static Rule, location: Location, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            location,
            label: String::new(),
            related: Vec::new(),
            help: String::new(),
            fixes: Vec::new(),
            no_fix: None,
        }
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Offers `fix`, or says why there is none.
    pub fn fix_or_why(self, fix: Result<Fix, String>) -> Self {
        match fix {
            Ok(fix) => self.fix(fix),
            Err(why) => self.no_fix(why),
        }
    }

    pub fn no_fix(mut self, why: impl Into<String>) -> Self {
        self.no_fix = Some(why.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn related(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            label: label.into(),
        });
        self
    }

    /// Ordering for every output: by file, then position, then rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (
            &self.location.path,
            self.location.start.line,
            self.location.start.column,
            self.rule.id,
        )
    }
}
