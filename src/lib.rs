//! ebguard: stops Elastic Beanstalk deployments from breaking databases.
//!
//! Data flows one way: files ([`bundle`]) -> span tree ([`yaml`]) -> model ([`model`]) ->
//! rules ([`rules`]) -> findings ([`finding`]) -> reports ([`report`]).

pub mod baseline;
pub mod bundle;
pub mod config;
pub mod deploy;
pub mod finding;
pub mod fix;
pub mod graph;
pub mod guard;
#[doc(hidden)]
pub mod harness;
pub mod migrate;
pub mod model;
mod parallel;
pub mod plan;
pub mod report;
pub mod rules;
pub mod server;
pub mod shell;
pub mod source;
pub mod suppress;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bundle::BundleRoot;
use config::Config;
use finding::{Finding, Severity};
use model::{Bundle, ModeOrigin};
use shell::Recognizer;

/// The result of checking some paths.
#[derive(Debug, Default)]
pub struct Outcome {
    pub bundles: Vec<Bundle>,
    pub findings: Vec<Finding>,
    /// Findings silenced by inline suppressions, with their reasons.
    pub suppressed: Vec<suppress::Suppressed>,
    /// Findings a `--baseline` already knows: not reported as new, kept for SARIF's
    /// `baselineState`.
    pub baselined: Vec<Finding>,
    /// Whether a baseline was applied, so the findings left are new ones.
    pub baseline_applied: bool,
    /// Paths or configuration files that could not be read (exit code 2).
    pub input_errors: Vec<String>,
}

impl Outcome {
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether ebguard hit a bug of its own (EB000): the report is incomplete (exit code 2).
    pub fn has_internal_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| *f.rule == rules::eb000_internal_error::RULE)
    }
}

/// How a check runs, from the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--config`: one configuration for every bundle instead of each bundle's `ebguard.toml`.
    pub config: Option<PathBuf>,
    /// `--min-timeout`, which wins over the configuration's `min-deploy-timeout`.
    pub min_deploy_timeout: Option<u32>,
    /// `--no-ignores`: inline suppressions are not applied.
    pub no_ignores: bool,
    /// Where hook modes come from when not from the file system: `ebguard deploy` lints a
    /// copy of git's tree, whose modes are git's.
    pub mode_origin: Option<ModeOrigin>,
    /// `--parse-only`: read and model every file but run no rule (the benchmark's baseline).
    pub parse_only: bool,
    /// Unsaved texts read instead of the files on disk (`--stdin-filename`, `ebguard server`).
    pub overlay: bundle::Overlay,
    /// `--select`, `--extend-select`, `--ignore`: applied on top of every configuration.
    pub selection: config::Selection,
}

/// Configurations read so far, by file, so each is read (and its errors reported) once.
#[derive(Default)]
struct Configs {
    loaded: Vec<Config>,
    by_path: HashMap<Option<PathBuf>, Option<usize>>,
}

impl Configs {
    /// The index in `loaded` of the configuration at `path` (the default when `None`), or
    /// `None` when it could not be read (the error is recorded once).
    fn index(
        &mut self,
        path: Option<PathBuf>,
        overlay: &bundle::Overlay,
        errors: &mut Vec<String>,
    ) -> Option<usize> {
        if !self.by_path.contains_key(&path) {
            let read = match &path {
                None => Ok(Config::default()),
                Some(p) => Config::load_text(p, overlay.get(p)),
            };
            let index = match read {
                Ok(config) => {
                    self.loaded.push(config);
                    Some(self.loaded.len() - 1)
                }
                Err(e) => {
                    errors.push(format!("invalid configuration: {e}"));
                    None
                }
            };
            self.by_path.insert(path.clone(), index);
        }
        self.by_path[&path]
    }
}

/// Finds every bundle under `paths`, models it and runs the rules its configuration enables,
/// then applies `exclude`, per-rule severities and inline suppressions.
pub fn check(paths: &[PathBuf], options: &Options) -> Outcome {
    let mut discovery = bundle::discover_overlaid(paths, &options.overlay);
    // A directory with no bundle is a mistyped path or the wrong directory, not a clean run.
    for given in paths.iter().filter(|p| p.is_dir()) {
        if !discovery.roots.iter().any(|r| r.dir.starts_with(given)) {
            discovery.errors.push(format!(
                "{}: no bundle here (no directory holds .ebextensions/ or .platform/)",
                given.display()
            ));
        }
    }
    check_roots(&discovery.roots, discovery.errors, options)
}

/// Checks `text` as if it were the file at `path` inside its bundle, the rest of the bundle
/// read from disk (`ebguard check --stdin-filename PATH -`). Only findings in that file are
/// kept: an editor or formatter shows them on its buffer.
pub fn check_text(path: &Path, text: String, options: Options) -> Outcome {
    let mut options = options;
    options.overlay.insert(path, text);
    let mut outcome = check(&[path.to_path_buf()], &options);
    let target = bundle::normalize(path);
    let here = |f: &Finding| bundle::normalize(Path::new(&f.location.path)) == target;
    outcome.findings.retain(|f| here(f));
    outcome.suppressed.retain(|s| here(&s.finding));
    outcome
}

/// [`check`] for bundle roots already found; `errors` are carried into the outcome.
///
/// Configurations are resolved first, in order, so each is read and its errors reported once.
/// Then bundles, which are independent, are loaded and checked on every core; results are put
/// back in discovery order, so the output never depends on which thread finished first.
pub fn check_roots(roots: &[BundleRoot], errors: Vec<String>, options: &Options) -> Outcome {
    let mut outcome = Outcome {
        input_errors: errors,
        ..Outcome::default()
    };
    let (configs, jobs) = configure(roots, options, &mut outcome.input_errors);
    let git = bundle::GitIndex::default();
    let checked = parallel::map(&jobs, |&(root, index)| {
        check_bundle(root, &configs[index], options, &git)
    });
    for (bundle, findings, suppressed) in checked {
        outcome.findings.extend(findings);
        outcome.suppressed.extend(suppressed);
        outcome.bundles.push(bundle);
    }
    outcome
}

/// The plan of every bundle under `paths` (`ebguard plan`), with the same configuration
/// `check` uses for each bundle, so custom migration patterns count in both and their verdicts
/// agree. Returns the plans and the paths or configurations that could not be read.
pub fn plan(paths: &[PathBuf], options: &Options) -> (Vec<plan::Plan>, Vec<String>) {
    let discovery = bundle::discover(paths);
    let mut errors = discovery.errors;
    let (configs, jobs) = configure(&discovery.roots, options, &mut errors);
    let git = bundle::GitIndex::default();
    let plans = parallel::map(&jobs, |&(root, index)| {
        let mut bundle = bundle::load_with(root, yaml::Limits::default(), &git);
        configure_platform(&mut bundle, &configs[index]);
        let settings = settings(&configs[index], options);
        let graph_rules: Vec<&rules::Rule> = rules::migration_graph::RULES
            .iter()
            .copied()
            .filter(|r| configs[index].enabled(r))
            .collect();
        read_migrations(&mut bundle, root, &configs[index], &settings, &graph_rules);
        let mut plan = plan::Plan::build(&bundle, &settings);
        plan.note_failing_migrations(&rules::check_with(&bundle, &settings, &graph_rules));
        plan
    });
    (plans, errors)
}

/// Resolves each root's configuration, reading each file once (its errors recorded once), and
/// drops the roots their configuration excludes. Returns the configurations and, per kept
/// root, the index of its configuration.
fn configure<'r>(
    roots: &'r [BundleRoot],
    options: &Options,
    errors: &mut Vec<String>,
) -> (Vec<Config>, Vec<(&'r BundleRoot, usize)>) {
    let mut configs = Configs::default();
    let mut jobs = Vec::new();
    for root in roots {
        let path = match &options.config {
            Some(p) => Some(p.clone()),
            None => Config::find(&root.dir),
        };
        if let Some(index) = configs.index(path, &options.overlay, errors) {
            jobs.push((root, index));
        }
    }
    let mut configs = configs.loaded;
    for config in &mut configs {
        config.select_from_cli(&options.selection);
    }
    jobs.retain(|(root, index)| !configs[*index].excluded(&root.dir));
    (configs, jobs)
}

/// The rule settings a configuration and the command line give.
fn settings(config: &Config, options: &Options) -> rules::Settings {
    rules::Settings {
        recognizer: Recognizer::with_patterns(config.migration_patterns.clone()),
        min_deploy_timeout: options.min_deploy_timeout.or(config.min_deploy_timeout),
    }
}

/// Reads the app's migration files for the EB3xx rules among `enabled`: those of the
/// frameworks the bundle's commands and hooks migrate with, or of every framework when the
/// configuration says `migration-graph = "always"`. A bug in the readers costs the graph
/// rules (EB000), never the rest of the report.
fn read_migrations(
    bundle: &mut Bundle,
    root: &BundleRoot,
    config: &Config,
    settings: &rules::Settings,
    enabled: &[&rules::Rule],
) {
    if !enabled
        .iter()
        .any(|r| rules::migration_graph::RULES.contains(r))
    {
        return;
    }
    let wanted = match config.migration_graph {
        config::MigrationGraph::Never => return,
        config::MigrationGraph::Always => graph::Frameworks::ALL,
        config::MigrationGraph::Auto => {
            rules::migration_graph::migrating_frameworks(bundle, settings)
        }
    };
    if !wanted.any() {
        return;
    }
    match guard::catch(|| graph::scan(&root.dir, &root.display, wanted)) {
        Ok(migrations) => bundle.migrations = migrations,
        Err(message) => bundle.internal_errors.push(model::InternalError {
            path: root.display_path("(migration files)"),
            message,
        }),
    }
}

/// `platform` in `ebguard.toml` wins over the EB CLI project's `default_platform`.
fn configure_platform(bundle: &mut Bundle, config: &Config) {
    if let Some(platform) = &config.platform {
        bundle.platform = Some(platform.clone());
    }
}

/// Loads one bundle and runs the rules its configuration enables, then applies `exclude`,
/// inline suppressions and per-rule severities. Returns the bundle, its findings and the
/// findings suppressions silenced.
fn check_bundle(
    root: &BundleRoot,
    config: &Config,
    options: &Options,
    git: &bundle::GitIndex,
) -> (Bundle, Vec<Finding>, Vec<suppress::Suppressed>) {
    let mut bundle = bundle::load_overlaid(root, yaml::Limits::default(), git, &options.overlay);
    configure_platform(&mut bundle, config);
    if let Some(origin) = options.mode_origin {
        for hook in &mut bundle.hooks {
            hook.mode_origin = origin;
        }
    }
    let settings = settings(config, options);
    let enabled: Vec<&rules::Rule> = if options.parse_only {
        Vec::new()
    } else {
        rules::ALL
            .iter()
            .copied()
            .filter(|r| config.enabled(r))
            .collect()
    };
    read_migrations(&mut bundle, root, config, &settings, &enabled);
    let mut findings = rules::check_with(&bundle, &settings, &enabled);
    // Findings may point into scripts the rules followed; reports show them from here.
    bundle.files.freeze();
    // Display paths are relative to the current directory (or absolute), so they name the
    // real file even when the bundle was read from a copy (`ebguard deploy`).
    findings.retain(|f| !config.excluded(Path::new(&f.location.path)));
    let mut suppressed = Vec::new();
    if !options.no_ignores {
        let applied = suppress::apply(&bundle, findings, &|r| config.enabled(r));
        findings = applied.findings;
        suppressed = applied.suppressed;
    }
    let silenced = suppressed.iter_mut().map(|s| &mut s.finding);
    for f in findings.iter_mut().chain(silenced) {
        if let Some(severity) = config.severity(f.rule) {
            f.severity = severity;
        }
    }
    (bundle, findings, suppressed)
}
