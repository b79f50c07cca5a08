//! The EB model of a bundle: what Elastic Beanstalk will read from it, in EB's own terms.
//! Built once from the span tree; rules ask it questions and point back into the tree through
//! the `NodeId`s it keeps.

mod command;
mod config;
mod files;
mod hook;
mod option;
mod platform;
mod scaling;

pub use command::{cfn_truthy, Command, CommandSection, LeaderOnly};
pub use config::{ConfigFile, FileProblem, IgnoredFile, Section, TOP_LEVEL_KEYS};
pub use files::{BundleFiles, FileSource, MigrationSource, RunsAt};
pub use hook::{Hook, HookContent, HookKind, HookPhase, ModeOrigin};
pub use option::{
    effective as merge_options, integer_value, EffectiveOption, OptionForm, OptionSetting,
};
pub use platform::{
    from_eb_cli_config, Branch, Date, Known, Platform, PlatformSource, CRLF_FIXED_SINCE,
    EXEC_BIT_SINCE,
};
pub use scaling::{ScaleToZero, ZeroSource};

use crate::source::{Location, SourceFile};

/// One application source bundle: a directory holding `.ebextensions/` or `.platform/`.
#[derive(Debug)]
pub struct Bundle {
    /// The bundle directory as shown to users (forward slashes, no leading `./`).
    pub root: String,
    /// `.ebextensions/*.config` files, in the order EB applies them: alphabetical by file
    /// name (eb-facts §1.2), which is byte order, as in cfn-init's `sorted()` (§2.5).
    pub configs: Vec<ConfigFile>,
    /// Everything under `.platform/hooks`, `.platform/confighooks` (and their misspellings).
    pub hooks: Vec<Hook>,
    /// Files inside `.ebextensions/` that EB never reads as configuration: other extensions,
    /// nested directories.
    pub ignored_ebextensions: Vec<IgnoredFile>,
    /// Another bundle root (display path) that holds this directory: when that one is
    /// deployed, this bundle's `.ebextensions`/`.platform` are not at the bundle root.
    pub enclosing_root: Option<String>,
    /// Which of `.ebextensions` and `.platform` the bundle root holds.
    pub eb_dirs: Vec<&'static str>,
    /// Files ebguard could not model because of a bug in ebguard (a caught panic): EB000.
    pub internal_errors: Vec<InternalError>,
    /// The app's own migration files (Django, Alembic, Rails, Laravel), read only for the
    /// frameworks the bundle migrates with (see `graph`); empty until then.
    pub migrations: crate::graph::Migrations,
    /// The EB platform the project deploys to, when it says (`.elasticbeanstalk/config.yml`
    /// or `platform` in `ebguard.toml`).
    pub platform: Option<Platform>,
    /// The bundle's other files, read when a command runs them, and the analyses of its
    /// commands and hooks.
    pub files: BundleFiles,
}

/// A bug in ebguard met while reading one file; the file is left out of the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalError {
    /// The file's display path.
    pub path: String,
    /// The panic message and where in ebguard it happened.
    pub message: String,
}

impl Bundle {
    /// The display path of a file inside the bundle, given relative to the bundle root.
    pub fn display_path(&self, rel: &str) -> String {
        crate::source::display_join(&self.root, rel)
    }

    /// Every file of the bundle the model holds text for: configuration files, hooks,
    /// migration files and the scripts its commands were followed into.
    pub fn sources(&self) -> impl Iterator<Item = &crate::source::SourceFile> {
        self.configs
            .iter()
            .map(|c| &c.source)
            .chain(self.hooks.iter().map(|h| &h.source))
            .chain(self.migrations.sources())
            .chain(self.files.read_files())
    }

    /// The file with display path `path`, among [`Bundle::sources`].
    pub fn source(&self, path: &str) -> Option<&crate::source::SourceFile> {
        self.sources().find(|s| s.path == path)
    }

    /// Every container command or command, with its file, in EB's order.
    pub fn commands(&self) -> impl Iterator<Item = (&ConfigFile, &Command)> {
        self.configs
            .iter()
            .flat_map(|c| c.commands.iter().map(move |cmd| (c, cmd)))
    }

    pub fn container_commands(&self) -> impl Iterator<Item = (&ConfigFile, &Command)> {
        self.commands()
            .filter(|(_, c)| c.section == CommandSection::ContainerCommands)
    }

    /// The files EB applies: every config file but those an unknown top-level key makes EB
    /// skip whole (EB101), in EB's order.
    pub fn applied_configs(&self) -> impl Iterator<Item = &ConfigFile> {
        self.configs.iter().filter(|f| f.applied())
    }

    /// The container commands of the files EB applies, in EB's order of files.
    pub fn applied_container_commands(&self) -> impl Iterator<Item = (&ConfigFile, &Command)> {
        self.applied_configs().flat_map(|c| {
            c.commands
                .iter()
                .filter(|cmd| cmd.section == CommandSection::ContainerCommands)
                .map(move |cmd| (c, cmd))
        })
    }

    /// The option settings EB ends up with after applying every file in order: a later file
    /// overrides an earlier one, per namespace, option name and resource name (eb-facts §1.2).
    /// Files EB skips whole (EB101) set nothing.
    pub fn effective_options(&self) -> Vec<EffectiveOption<'_>> {
        option::effective(self.applied_configs())
    }

    /// The effective value of one option (without a resource name).
    pub fn effective_option(
        &self,
        namespace: &str,
        option_name: &str,
    ) -> Option<EffectiveOption<'_>> {
        self.effective_options().into_iter().find(|e| {
            e.setting.namespace == namespace
                && e.setting.option_name == option_name
                && e.setting.resource_name.is_none()
        })
    }
}

/// Something a finding can point into.
pub trait Located {
    fn source(&self) -> &SourceFile;

    fn location(&self, span: std::ops::Range<usize>) -> Location {
        self.source().location(span)
    }
}

#[cfg(test)]
mod tests;
