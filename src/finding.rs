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
        }
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
