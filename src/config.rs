//! `ebguard.toml`: which rules run, at what severity, extra migration patterns, EB002's timeout
//! floor and paths to skip. Found next to the bundle or in a directory above it, up to the
//! root of the git work tree, or given with `--config`. Unknown keys are errors with their
//! position, so a typo never silently turns a setting off.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::rules::{self, Rule};
use crate::source::LineIndex;

pub const FILE_NAME: &str = "ebguard.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RawRule>,
    #[serde(default)]
    migration_patterns: Vec<Spanned<String>>,
    min_deploy_timeout: Option<u32>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    platform: Option<Spanned<String>>,
    #[serde(default)]
    migration_graph: MigrationGraph,
}

/// `migration-graph`: when the app's migration files are read for EB300-EB305.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationGraph {
    /// Only the frameworks whose migrations the bundle's commands or hooks run.
    #[default]
    Auto,
    /// Every framework's migrations, whatever the bundle runs (in-house migrate scripts).
    Always,
    Never,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    severity: Severity,
}

/// A configuration file that cannot be used, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

/// A selector (`EB0`, `EB001`, or a rule name) as read, with how specific it is.
#[derive(Debug, Clone)]
struct Selector {
    prefix: String,
}

impl Selector {
    /// A rule ID, an ID prefix (`EB0`) or a rule name, as `select`/`ignore` accept them.
    fn parse(value: &str) -> Result<Selector, String> {
        if let Some(rule) = rules::ALL.iter().find(|r| r.name == value) {
            return Ok(Selector {
                prefix: rule.id.to_string(),
            });
        }
        if value.len() >= 2 && rules::ALL.iter().any(|r| r.id.starts_with(value)) {
            Ok(Selector {
                prefix: value.to_string(),
            })
        } else {
            Err(format!("`{value}` is neither a rule ID, an ID prefix such as `EB0`, nor a rule name; `ebguard rules` lists them"))
        }
    }

    fn matches(&self, rule: &Rule) -> bool {
        rule.id.starts_with(&self.prefix)
    }
}

/// `--select`, `--extend-select` and `--ignore` from the command line, applied on top of each
/// bundle's configuration (ruff's model): `--select` replaces the file's `select` and `ignore`,
/// `--extend-select` adds to `select`, `--ignore` adds to `ignore`; the most specific selector
/// still decides.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    select: Option<Vec<Selector>>,
    extend_select: Vec<Selector>,
    ignore: Vec<Selector>,
}

impl Selection {
    /// Checks every value as `ebguard.toml` does; the error names the flag and the value.
    pub fn parse(
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Selection, String> {
        let list = |flag: &str, values: &[String]| -> Result<Vec<Selector>, String> {
            values
                .iter()
                .map(|v| Selector::parse(v.trim()).map_err(|e| format!("--{flag}: {e}")))
                .collect()
        };
        Ok(Selection {
            select: select.map(|s| list("select", s)).transpose()?,
            extend_select: list("extend-select", extend_select)?,
            ignore: list("ignore", ignore)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.select.is_none() && self.extend_select.is_empty() && self.ignore.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct Config {
    /// The file it was read from; `None` for the defaults.
    pub path: Option<PathBuf>,
    select: Option<Vec<Selector>>,
    ignore: Vec<Selector>,
    severities: BTreeMap<&'static str, Severity>,
    pub migration_patterns: Vec<Regex>,
    pub min_deploy_timeout: Option<u32>,
    exclude: GlobSet,
    pub migration_graph: MigrationGraph,
    /// `platform = "..."`: the EB platform the bundles deploy to, which wins over the EB CLI
    /// project's `default_platform`.
    pub platform: Option<crate::model::Platform>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_text(path, None)
    }

    /// [`Config::load`], with `text` (an editor's unsaved buffer) instead of the file's
    /// contents when given.
    pub fn load_text(path: &Path, text: Option<&str>) -> Result<Config, ConfigError> {
        // A file found above the bundle has an absolute path; shown from here it is shorter.
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = path
            .strip_prefix(&cwd)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = text
            .map(str::to_string)
            .map_or_else(|| std::fs::read_to_string(path), Ok);
        let text = text.map_err(|e| ConfigError {
            path: shown.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        let mut config = Config::parse(&text, &shown)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses `text`; `shown` names the file in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let error = |span: Option<Range<usize>>, message: String| {
            let at = span.map_or(crate::source::Position { line: 0, column: 0 }, |s| {
                lines.position(text, s.start)
            });
            ConfigError {
                path: shown.to_string(),
                line: at.line,
                column: at.column,
                message,
            }
        };
        let raw: Raw = toml::from_str(text)
            .map_err(|e| error(e.span(), e.message().trim_end().to_string()))?;
        let selector = |s: &Spanned<String>| -> Result<Selector, ConfigError> {
            Selector::parse(s.get_ref()).map_err(|message| error(Some(s.span()), message))
        };
        let select = match &raw.select {
            Some(list) => Some(list.iter().map(selector).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        let ignore = raw.ignore.iter().map(selector).collect::<Result<_, _>>()?;
        let mut severities = BTreeMap::new();
        for (id, rule) in &raw.rules {
            let Some(known) = rules::ALL.iter().find(|r| r.id == id.get_ref()) else {
                return Err(error(
                    Some(id.span()),
                    format!(
                        "`[rules.{}]`: no rule has this ID; `ebguard rules` lists them",
                        id.get_ref()
                    ),
                ));
            };
            severities.insert(known.id, rule.severity);
        }
        let migration_patterns = raw
            .migration_patterns
            .iter()
            .map(|p| {
                Regex::new(p.get_ref())
                    .map_err(|e| error(Some(p.span()), format!("invalid regular expression: {e}")))
            })
            .collect::<Result<_, _>>()?;
        let mut exclude = GlobSetBuilder::new();
        for glob in &raw.exclude {
            let compiled = GlobBuilder::new(glob.get_ref().trim_end_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|e| error(Some(glob.span()), format!("invalid glob: {e}")))?;
            exclude.add(compiled);
        }
        let exclude = exclude
            .build()
            .map_err(|e| error(None, format!("invalid `exclude`: {e}")))?;
        let platform = raw.platform.as_ref().map(|p| {
            crate::model::Platform::parse(
                p.get_ref(),
                crate::model::PlatformSource {
                    path: shown.to_string(),
                    line: lines.position(text, p.span().start).line,
                },
            )
        });
        Ok(Config {
            platform,
            path: None,
            select,
            ignore,
            severities,
            migration_patterns,
            min_deploy_timeout: raw.min_deploy_timeout,
            exclude,
            migration_graph: raw.migration_graph,
        })
    }

    /// Applies the command line's rule selection on top of this file's.
    pub fn select_from_cli(&mut self, cli: &Selection) {
        if let Some(select) = &cli.select {
            // A fresh selection, as in ruff: the file's `ignore` went with its `select`.
            self.select = Some(select.clone());
            self.ignore.clear();
        }
        if !cli.extend_select.is_empty() {
            // With no `select`, every rule already runs; extending keeps that.
            if let Some(select) = &mut self.select {
                select.extend(cli.extend_select.iter().cloned());
            }
        }
        self.ignore.extend(cli.ignore.iter().cloned());
    }

    /// Whether `rule` runs. The most specific matching selector decides (`ignore = ["EB0"]`
    /// with `select = ["EB001"]` keeps EB001); at equal length `ignore` wins.
    pub fn enabled(&self, rule: &Rule) -> bool {
        let best = |list: &[Selector]| {
            list.iter()
                .filter(|s| s.matches(rule))
                .map(|s| s.prefix.len())
                .max()
        };
        let selected = match &self.select {
            None => Some(0),
            Some(list) => best(list),
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity `[rules.<ID>] severity` sets for `rule`, if any. Without one, a finding
    /// keeps the severity its rule gave it (EB100 reports an empty file as a warning).
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.severities.get(rule.id).copied()
    }

    /// The directory `exclude` globs are relative to.
    fn base(&self) -> Option<PathBuf> {
        let parent = self.path.as_ref()?.parent()?;
        std::path::absolute(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        })
        .ok()
    }

    /// Whether `path` or a directory above it matches an `exclude` glob.
    pub fn excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let (Some(base), Ok(path)) = (self.base(), std::path::absolute(path)) else {
            return false;
        };
        let Ok(rel) = path.strip_prefix(&base) else {
            return false;
        };
        rel.ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| self.exclude.is_match(p))
    }

    /// The `ebguard.toml` for a bundle: in its directory or one above it, stopping at the root
    /// of the git work tree (the directory holding `.git`).
    pub fn find(bundle_dir: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(bundle_dir).ok()?;
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str) -> &'static Rule {
        rules::by_id(id).unwrap()
    }

    #[test]
    fn unknown_keys_are_errors_with_their_position() {
        let err = Config::parse(
            "select = [\"EB001\"]\nignroe = [\"EB008\"]\n",
            "ebguard.toml",
        )
        .err()
        .unwrap();
        assert_eq!((err.line, err.column), (2, 1), "{err}");
        assert!(err.message.contains("ignroe"), "{err}");
        let err = Config::parse("[rules.EB001]\nseverity = \"error\"\nlevel = 1\n", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
    }

    #[test]
    fn unknown_rules_and_bad_patterns_point_at_the_value() {
        let err = Config::parse("ignore = [\"EB001\", \"XY9\"]\n", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.column), (1, 20), "{err}");
        let err = Config::parse("migration-patterns = [\"(\"]\n", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.column), (1, 23), "{err}");
        let err = Config::parse("[rules.EB999]\nseverity = \"info\"\n", "x")
            .err()
            .unwrap();
        assert_eq!(err.line, 1, "{err}");
        let err = Config::parse("[rules.EB001]\nseverity = \"fatal\"\n", "x")
            .err()
            .unwrap();
        assert_eq!(err.line, 2, "{err}");
    }

    #[test]
    fn the_most_specific_selector_decides() {
        let config = Config::parse("select = [\"EB001\"]\nignore = [\"EB0\"]\n", "x").unwrap();
        assert!(config.enabled(rule("EB001")));
        assert!(!config.enabled(rule("EB008")));
        let config = Config::parse("ignore = [\"migration-ignore-errors\"]\n", "x").unwrap();
        assert!(config.enabled(rule("EB001")));
        assert!(!config.enabled(rule("EB008")));
        assert!(Config::default().enabled(rule("EB008")));
    }

    #[test]
    fn the_command_line_selects_on_top_of_the_file() {
        let mut config = Config::parse("select = [\"EB0\"]\n", "x").unwrap();
        let cli = Selection::parse(None, &["EB1".into()], &["EB001".into()]).unwrap();
        config.select_from_cli(&cli);
        assert!(config.enabled(rule("EB100")));
        assert!(config.enabled(rule("EB008")));
        assert!(!config.enabled(rule("EB001")));
        let mut config = Config::parse("ignore = [\"EB001\"]\n", "x").unwrap();
        config.select_from_cli(&Selection::parse(Some(&["EB0".into()]), &[], &[]).unwrap());
        assert!(config.enabled(rule("EB001")), "--select starts afresh");
        assert!(!config.enabled(rule("EB100")), "--select replaces");
        let cli = Selection::parse(Some(&["EB001".into()]), &[], &["EB001".into()]).unwrap();
        config.select_from_cli(&cli);
        assert!(
            !config.enabled(rule("EB001")),
            "equal specificity: ignore wins"
        );
        let err = Selection::parse(None, &[], &["EB9999".into()]).unwrap_err();
        assert!(err.starts_with("--ignore: `EB9999`"), "{err}");
    }

    #[test]
    fn migration_graph_takes_three_values() {
        let config = Config::parse("migration-graph = \"always\"\n", "x").unwrap();
        assert_eq!(config.migration_graph, MigrationGraph::Always);
        assert_eq!(Config::default().migration_graph, MigrationGraph::Auto);
        let err = Config::parse("migration-graph = \"sometimes\"\n", "x")
            .err()
            .unwrap();
        assert_eq!((err.line, err.column), (1, 19), "{err}");
    }

    #[test]
    fn severities_are_per_rule() {
        let config = Config::parse("[rules.EB008]\nseverity = \"error\"\n", "x").unwrap();
        assert_eq!(config.severity(rule("EB008")), Some(Severity::Error));
        assert_eq!(config.severity(rule("EB001")), None);
    }
}
