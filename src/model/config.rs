//! One `.ebextensions/*.config` file: its sections, option settings and commands.

use std::ops::Range;

use super::command::{self, Command};
use super::option::{self, OptionSetting};
use super::Located;
use crate::source::SourceFile;
use crate::yaml::{self, Document, NodeId, NodeRef};

/// Why a file could not be read as configuration. EB rejects such a file (eb-facts §1.1, §7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub message: String,
    pub span: Range<usize>,
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
                let problem = FileProblem {
                    message: format!("invalid YAML/JSON: {}", e.message),
                    span: e.span,
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
                return Some(FileProblem {
                    message: "the file is empty; EB expects a mapping of configuration keys".into(),
                    span: 0..0,
                })
            }
            Some(root) if root.is_null() => return Some(FileProblem {
                message:
                    "the file holds no configuration; EB expects a mapping of configuration keys"
                        .into(),
                span: root.span(),
            }),
            Some(root) => root,
        };
        if !root.is_mapping() {
            return Some(FileProblem {
                message: "the top level is not a mapping; EB expects keys such as `option_settings` or `container_commands`".into(),
                span: root.span(),
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
}
