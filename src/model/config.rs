//! One `.ebextensions/*.config` file: its sections, option settings and commands.

use std::ops::Range;

use super::command::{self, Command};
use super::option::{self, OptionSetting};
use super::Located;
use crate::source::SourceFile;
use crate::yaml::{self, Document, NodeId, NodeRef};

/// The top-level keys EB accepts in a `.config` file (eb-facts §1.3 and its corpus addendum):
/// option settings, the instance-customisation keys, and the CloudFormation template keys.
/// Likelier typo targets come first, for "did you mean" ties.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "option_settings",
    "container_commands",
    "commands",
    "files",
    "packages",
    "sources",
    "services",
    "users",
    "groups",
    "Resources",
    "Parameters",
    "Outputs",
    "Mappings",
    "Conditions",
];

/// A file in `.ebextensions/` that EB does not read: not `*.config`, or in a subfolder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredFile {
    /// Path relative to the bundle root.
    pub rel_path: String,
    /// Whether it holds EB configuration keys (so it was meant to be read), rather than data
    /// a command copies into place (`wsgi.conf`, a script).
    pub looks_like_config: bool,
    /// For one that looks like configuration: why EB could not read it under a `.config`
    /// name (what EB100 would say then), so no fix renames it into EB's view as it is.
    pub unreadable: Option<String>,
}

impl IgnoredFile {
    pub fn new(rel_path: String, text: &str) -> Self {
        // A YAML key at the start of a line, or a JSON key anywhere.
        let looks_like_config = TOP_LEVEL_KEYS.iter().any(|key| {
            text.contains(&format!("\"{key}\""))
                || text.lines().any(|line| {
                    line.strip_prefix(key)
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
        });
        IgnoredFile {
            rel_path,
            looks_like_config,
            unreadable: None,
        }
    }
}

/// Why a file could not be read as configuration. EB rejects such a file (eb-facts §1.1, §7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub message: String,
    pub span: Range<usize>,
    /// The file parses but holds no configuration at all (empty, only comments, `null`). EB's
    /// handling of such a file is undocumented; it is not a syntax error.
    pub empty: bool,
}

/// A top-level key of a config file (`option_settings`, `container_commands`, ...).
#[derive(Clone, Debug)]
pub struct Section {
    pub name: String,
    pub key: NodeId,
    pub value: NodeId,
}

#[derive(Debug)]
pub struct ConfigFile {
    pub source: SourceFile,
    /// The file name, which decides EB's processing order.
    pub file_name: String,
    pub doc: Document,
    /// Set when the file is not a usable YAML/JSON mapping; the model is then empty.
    pub problem: Option<FileProblem>,
    pub sections: Vec<Section>,
    pub option_settings: Vec<OptionSetting>,
    pub commands: Vec<Command>,
}

impl Located for ConfigFile {
    fn source(&self) -> &SourceFile {
        &self.source
    }
}

impl ConfigFile {
    /// A file whose bytes could not become a document (unreadable, binary, too large, ...).
    pub fn unusable(source: SourceFile, file_name: String, problem: FileProblem) -> Self {
        ConfigFile {
            source,
            file_name,
            doc: Document::default(),
            problem: Some(problem),
            sections: Vec::new(),
            option_settings: Vec::new(),
            commands: Vec::new(),
        }
    }

    pub fn parse(source: SourceFile, file_name: String, limits: yaml::Limits) -> Self {
        let doc = match yaml::parse(&source.text, limits) {
            Ok(doc) => doc,
            Err(e) => {
                // The parser's wording for a tab is about "contexts"; users need to hear that
                // YAML indentation must be spaces (eb-facts §1.1).
                let message = if source.text.get(e.span.clone()) == Some("\t") {
                    "invalid YAML: this line is indented with a tab; YAML indentation must be spaces".to_string()
                } else {
                    e.message
                };
                let problem = FileProblem {
                    message,
                    span: e.span,
                    empty: false,
                };
                return ConfigFile::unusable(source, file_name, problem);
            }
        };
        let mut file = ConfigFile {
            source,
            file_name,
            doc,
            problem: None,
            sections: Vec::new(),
            option_settings: Vec::new(),
            commands: Vec::new(),
        };
        file.problem = file.read_model();
        file
    }

    fn read_model(&mut self) -> Option<FileProblem> {
        let root = match self.doc.root() {
            None => {
                let what = if self.source.text.trim().is_empty() {
                    "the file is empty"
                } else {
                    "the file holds only comments"
                };
                return Some(FileProblem {
                    message: format!("{what}, so EB has no configuration to apply from it"),
                    span: 0..0,
                    empty: true,
                });
            }
            Some(root) if root.is_null() => return Some(FileProblem {
                message:
                    "the file holds only a null value, so EB has no configuration to apply from it"
                        .into(),
                span: root.span(),
                empty: true,
            }),
            Some(root) => root,
        };
        if !root.is_mapping() {
            return Some(FileProblem {
                message: "the top level is not a mapping; EB expects keys such as `option_settings` or `container_commands`".into(),
                span: root.span(),
                empty: false,
            });
        }
        let entries = root.entries();
        self.sections = entries
            .iter()
            .filter_map(|(k, v)| {
                Some(Section {
                    name: k.as_str()?.to_string(),
                    key: k.id(),
                    value: v.id(),
                })
            })
            .collect();
        let mut options = Vec::new();
        let mut commands = Vec::new();
        for (key, value) in entries {
            match key.as_str() {
                Some("option_settings") => options.extend(option::read(value)),
                Some(name) => {
                    if let Some(section) = command::section_named(name) {
                        commands.extend(command::read(section, value));
                    }
                }
                None => {}
            }
        }
        self.option_settings = options;
        self.commands = commands;
        None
    }

    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        self.doc.node(id)
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// A top-level key EB does not know. EB validates the file first and then skips all of
    /// it, commands and option settings included (eb-facts §1.4, §7 #8): EB101.
    pub fn unknown_top_level_key(&self) -> Option<&str> {
        self.sections
            .iter()
            .map(|s| s.name.as_str())
            .find(|name| !TOP_LEVEL_KEYS.contains(name))
    }

    /// Whether EB applies this file at all (see [`ConfigFile::unknown_top_level_key`]).
    pub fn applied(&self) -> bool {
        self.unknown_top_level_key().is_none()
    }
}
