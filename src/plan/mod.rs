//! `ebguard plan`: what each instance runs, in which order, in each kind of deployment.
//!
//! The plan is built from the same model and asks the same questions as the rules
//! (`rules::common::{leader_only, migrations}` and the shell recogniser), so its verdicts agree
//! with `ebguard check` by construction. Renderers (`text`, `json`, `mermaid`) only read it.

mod failing;
mod json;
mod mermaid;
mod steps;
mod text;
mod verdict;

pub use json::render as json;
pub use mermaid::render as mermaid;
pub use text::render as text;

use crate::model::{Bundle, HookKind, HookPhase};
use crate::rules::{Settings, DEFAULT_DEPLOY_TIMEOUT};
use crate::source::Location;
use steps::{default, effective, scale_to_zero, unread_files, Parts};

/// Seconds EB adds to the command `Timeout` before it gives up on an instance (eb-facts §3.1).
pub const EB_ADDED_SECONDS: u32 = 240;
/// EB's default `DeploymentPolicy` (eb-facts §3.1).
pub const DEFAULT_DEPLOYMENT_POLICY: &str = "AllAtOnce";
/// EB's default batch: 100 percent of the instances (eb-facts §3.1).
pub const DEFAULT_BATCH_SIZE: &str = "100";
pub const DEFAULT_BATCH_SIZE_TYPE: &str = "Percentage";
const COMMAND_NAMESPACE: &str = "aws:elasticbeanstalk:command";
/// Where the bundle is unzipped and built; `get-config platformconfig` AppStagingDir
/// (eb-facts §2.1, §6.1).
const STAGING_DIR: &str = "/var/app/staging";
/// Where the application runs after the flip; AppDeployDir (eb-facts §6.1).
const CURRENT_DIR: &str = "/var/app/current";

/// The four situations in which EB runs a bundle's customisations on an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// `app-deploy` on the instance `cfn-elect-cmd-leader` elected (eb-facts §4.1).
    LeaderDeployment,
    /// `app-deploy` on every other instance of the deployment.
    OtherDeployment,
    /// `self-startup`: scale-out, instance replacement, scale from zero (eb-facts §4.2, §6.3).
    ScalingLaunch,
    /// A configuration deployment: environment properties and the like (eb-facts §2.1, §6.1).
    ConfigurationUpdate,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::LeaderDeployment,
        Scenario::OtherDeployment,
        Scenario::ScalingLaunch,
        Scenario::ConfigurationUpdate,
    ];

    pub fn number(self) -> usize {
        match self {
            Scenario::LeaderDeployment => 1,
            Scenario::OtherDeployment => 2,
            Scenario::ScalingLaunch => 3,
            Scenario::ConfigurationUpdate => 4,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Scenario::LeaderDeployment => "app-deploy-leader",
            Scenario::OtherDeployment => "app-deploy-other",
            Scenario::ScalingLaunch => "scaling-launch",
            Scenario::ConfigurationUpdate => "configuration-update",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Scenario::LeaderDeployment => "Application deployment, the leader instance",
            Scenario::OtherDeployment => "Application deployment, any other instance",
            Scenario::ScalingLaunch => {
                "Instance launched by scaling (scale-out, replacement, scale from zero)"
            }
            Scenario::ConfigurationUpdate => {
                "Configuration-only update (environment properties and the like)"
            }
        }
    }
}

/// Where in EB's instance workflow a step runs (eb-facts §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `commands`: cfn-init `Infra-EmbeddedPreBuild`, before the bundle is unzipped.
    Commands,
    /// `StageApplication`: the bundle is unzipped to the staging directory.
    Extract,
    Hooks(HookKind, HookPhase),
    /// `Buildfile` and the platform's own build (pip, bundler, composer, npm).
    Build,
    /// `container_commands`: cfn-init `Infra-EmbeddedPostBuild`, in the staging directory.
    ContainerCommands,
    /// `FlipApplication`: the staging directory becomes the current one, `Procfile`
    /// processes and the proxy (re)start.
    Flip,
    /// A configuration deployment restarts the application and proxy with the new settings.
    Restart,
}

impl Phase {
    pub fn name(self) -> String {
        match self {
            Phase::Commands => "commands".into(),
            Phase::Extract => "extract".into(),
            Phase::Hooks(kind, phase) => format!("{} {}", phase.dir(), kind.dir()),
            Phase::Build => "build".into(),
            Phase::ContainerCommands => "container_commands".into(),
            Phase::Flip => "flip".into(),
            Phase::Restart => "restart".into(),
        }
    }
}

/// How a migration is kept from running concurrently on several instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationGuard {
    /// `leader_only: true`: one instance per deployment, never on scaling (eb-facts §2.3).
    LeaderOnly,
    /// `ebguard migrate -- …`: every instance runs it under a database lock.
    EbguardMigrate,
    /// The script tests `EB_IS_COMMAND_LEADER`, which EB does not document on AL2 (§4.4).
    LeaderVariable,
    /// `leader_only` is not a boolean, so whether EB honours it is undocumented (EB010).
    AmbiguousLeaderOnly,
    None,
}

impl MigrationGuard {
    pub fn id(self) -> &'static str {
        match self {
            MigrationGuard::LeaderOnly => "leader-only",
            MigrationGuard::EbguardMigrate => "ebguard-migrate",
            MigrationGuard::LeaderVariable => "eb-is-command-leader",
            MigrationGuard::AmbiguousLeaderOnly => "ambiguous-leader-only",
            MigrationGuard::None => "none",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            MigrationGuard::LeaderOnly => "leader_only",
            MigrationGuard::EbguardMigrate => "ebguard migrate",
            MigrationGuard::LeaderVariable => "EB_IS_COMMAND_LEADER test",
            MigrationGuard::AmbiguousLeaderOnly => "leader_only (not a boolean)",
            MigrationGuard::None => "no guard",
        }
    }
}

/// One migration a step applies.
#[derive(Clone, Debug)]
pub struct Migration {
    pub tool: &'static str,
    pub guard: MigrationGuard,
    pub location: Location,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// EB's own work (unzip, build, flip): nothing in the bundle names it.
    Platform,
    Command,
    ContainerCommand,
    Hook,
}

impl StepKind {
    pub fn id(self) -> &'static str {
        match self {
            StepKind::Platform => "platform",
            StepKind::Command => "command",
            StepKind::ContainerCommand => "container_command",
            StepKind::Hook => "hook",
        }
    }
}

/// One thing an instance runs.
#[derive(Clone, Debug)]
pub struct Step {
    pub phase: Phase,
    pub kind: StepKind,
    /// The command name, the hook's path inside the bundle, or what EB does.
    pub name: String,
    /// The command key or hook file; `None` for EB's own steps.
    pub source: Option<Location>,
    /// The working directory; `None` for EB's own steps.
    pub cwd: Option<String>,
    pub leader_only: bool,
    pub migrations: Vec<Migration>,
    /// Why this step does not run in this scenario; `None` when it runs.
    pub skipped: Option<String>,
    /// Conditions and caveats: `test`, `ignoreErrors`, a hook that is not executable, ...
    pub notes: Vec<String>,
}

impl Step {
    fn platform(phase: Phase, name: &str) -> Step {
        Step {
            phase,
            kind: StepKind::Platform,
            name: name.into(),
            source: None,
            cwd: None,
            leader_only: false,
            migrations: Vec::new(),
            skipped: None,
            notes: Vec::new(),
        }
    }

    /// The name as renderers show it: leader-only commands say so.
    pub fn title(&self) -> String {
        if self.leader_only {
            format!("{} (leader_only)", self.name)
        } else {
            self.name.clone()
        }
    }

    pub fn runs(&self) -> bool {
        self.skipped.is_none()
    }
}

/// The per-scenario answer to "how often do migrations run?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictKind {
    ExactlyOnce,
    EveryInstance,
    /// Every instance runs the migration, but `ebguard migrate` holds a database lock, so the
    /// first applies it and the others find nothing to do.
    EveryInstanceSerialised,
    Never,
    Unknown,
}

impl VerdictKind {
    pub fn id(self) -> &'static str {
        match self {
            VerdictKind::ExactlyOnce => "exactly-once",
            VerdictKind::EveryInstance => "every-instance",
            VerdictKind::EveryInstanceSerialised => "every-instance-serialised",
            VerdictKind::Never => "never",
            VerdictKind::Unknown => "unknown",
        }
    }

    pub fn headline(self) -> &'static str {
        match self {
            VerdictKind::ExactlyOnce => "migrations run exactly once",
            VerdictKind::EveryInstance => "migrations run on every instance",
            VerdictKind::EveryInstanceSerialised => {
                "migrations run on every instance, serialised by ebguard migrate (applied once)"
            }
            VerdictKind::Never => "migrations never run",
            VerdictKind::Unknown => "whether migrations run is unknown",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct ScenarioPlan {
    pub scenario: Scenario,
    pub steps: Vec<Step>,
    pub notes: Vec<String>,
    pub verdict: Verdict,
}

/// An option's effective value and where it comes from (`None`: EB's default).
#[derive(Clone, Debug)]
pub struct Effective {
    pub value: String,
    pub source: Option<Location>,
}

/// A scheduled action that takes the environment down to zero instances (eb-facts §4.3).
#[derive(Clone, Debug)]
pub struct ScaleToZero {
    /// The scheduled action's resource name.
    pub action: String,
    /// Which of `MinSize`, `MaxSize`, `DesiredCapacity` it sets to 0.
    pub options: Vec<String>,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub root: String,
    /// `aws:elasticbeanstalk:command` `Timeout`, in seconds as written.
    pub timeout: Effective,
    /// `Timeout` plus the 240 s EB adds, when `Timeout` is a number.
    pub effective_timeout: Option<u32>,
    pub deployment_policy: Effective,
    /// `BatchSize` and `BatchSizeType`: how many instances a rolling deployment updates at
    /// once, which is how many run an unguarded migration concurrently (eb-facts §3.1).
    pub batch_size: Effective,
    pub batch_size_type: Effective,
    pub scale_to_zero: Vec<ScaleToZero>,
    /// The EB platform, when the project names it (`.elasticbeanstalk/config.yml` or
    /// `platform` in `ebguard.toml`).
    pub platform: Option<crate::model::Platform>,
    pub scenarios: Vec<ScenarioPlan>,
    /// Bundle-wide facts: files EB rejects, ignores or never reads.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn build(bundle: &Bundle, settings: &Settings) -> Plan {
        let timeout = effective(bundle, COMMAND_NAMESPACE, "Timeout")
            .unwrap_or_else(|| default(DEFAULT_DEPLOY_TIMEOUT.to_string()));
        let effective_timeout = timeout
            .value
            .trim()
            .parse::<u32>()
            .ok()
            .map(|t| t.saturating_add(EB_ADDED_SECONDS));
        let deployment_policy = effective(bundle, COMMAND_NAMESPACE, "DeploymentPolicy")
            .unwrap_or_else(|| default(DEFAULT_DEPLOYMENT_POLICY.into()));
        let batch_size = effective(bundle, COMMAND_NAMESPACE, "BatchSize")
            .unwrap_or_else(|| default(DEFAULT_BATCH_SIZE.into()));
        let batch_size_type = effective(bundle, COMMAND_NAMESPACE, "BatchSizeType")
            .unwrap_or_else(|| default(DEFAULT_BATCH_SIZE_TYPE.into()));
        let mut plan = Plan {
            root: bundle.root.clone(),
            timeout,
            effective_timeout,
            deployment_policy,
            batch_size,
            batch_size_type,
            scale_to_zero: scale_to_zero(bundle),
            platform: bundle.platform.clone(),
            scenarios: Vec::new(),
            notes: unread_files(bundle),
        };
        let parts = Parts::of(bundle, settings);
        plan.scenarios = Scenario::ALL
            .into_iter()
            .map(|s| plan.scenario(s, &parts))
            .collect();
        plan
    }

    /// Whether the deployment updates instances in batches, so `BatchSize` matters.
    pub fn rolling(&self) -> bool {
        matches!(
            self.deployment_policy.value.as_str(),
            "Rolling" | "RollingWithAdditionalBatch"
        )
    }

    /// Spelled exactly as EB's value list has it, as EB009 reads it.
    fn traffic_splitting(&self) -> bool {
        self.deployment_policy.value == "TrafficSplitting"
    }

    fn scenario(&self, scenario: Scenario, parts: &Parts) -> ScenarioPlan {
        let mut steps = Vec::new();
        let mut notes = Vec::new();
        if scenario == Scenario::ConfigurationUpdate {
            // Configuration deployments run only `.platform/confighooks`, at the same points as
            // application hooks; no `commands` or `container_commands` (eb-facts §2.1, §6.1).
            for phase in HookPhase::ALL {
                if phase == HookPhase::Postdeploy {
                    steps.push(Step::platform(
                        Phase::Restart,
                        "EB applies the new configuration and restarts the application",
                    ));
                }
                steps.extend(parts.hooks(HookKind::ConfigHooks, phase));
            }
            notes.push(
                "`commands`, `container_commands` and `.platform/hooks` do not run on a configuration-only update".into(),
            );
            // Work done only in `.platform/hooks` is skipped by configuration deployments,
            // which restage the application (eb-facts §7 #18).
            let unmirrored = parts.unmirrored_hooks();
            if !unmirrored.is_empty() {
                notes.push(format!(
                    "not mirrored in .platform/confighooks, so skipped here: {}",
                    unmirrored.join(", ")
                ));
            }
        } else {
            steps.extend(parts.commands.iter().cloned());
            steps.push(Step::platform(
                Phase::Extract,
                "EB unzips the bundle to /var/app/staging",
            ));
            steps.extend(parts.hooks(HookKind::Hooks, HookPhase::Prebuild));
            steps.push(Step::platform(
                Phase::Build,
                "Buildfile, then the platform installs dependencies",
            ));
            steps.extend(
                parts
                    .container_commands
                    .iter()
                    .map(|s| self.container_command(scenario, s)),
            );
            steps.extend(parts.hooks(HookKind::Hooks, HookPhase::Predeploy));
            steps.push(Step::platform(
                Phase::Flip,
                "/var/app/staging becomes /var/app/current; Procfile and proxy start",
            ));
            steps.extend(parts.hooks(HookKind::Hooks, HookPhase::Postdeploy));
            // "Leader-only container commands are run before other container commands", in
            // AWS's words; unverified on AL2 (eb-facts §2.3, open question 4).
            if scenario == Scenario::LeaderDeployment
                && parts.container_commands.iter().any(|s| s.leader_only)
            {
                notes.push("AWS documents that leader-only container commands run before the others; not verified on Amazon Linux 2".into());
            }
        }
        if scenario == Scenario::ScalingLaunch {
            notes.extend(self.scale_to_zero_notes(parts));
        }
        let verdict = self.verdict(scenario, &steps, parts);
        ScenarioPlan {
            scenario,
            steps,
            notes,
            verdict,
        }
    }

    /// A container command as it stands in `scenario`: leader-only ones run only on the leader
    /// of an application deployment (eb-facts §2.3, §4.2).
    fn container_command(&self, scenario: Scenario, step: &Step) -> Step {
        let mut step = step.clone();
        if !step.leader_only || !step.runs() {
            return step;
        }
        step.skipped = match scenario {
            Scenario::LeaderDeployment if self.traffic_splitting() => Some(
                "leader_only commands do not run in TrafficSplitting deployments (EB009)".into(),
            ),
            Scenario::LeaderDeployment => None,
            Scenario::OtherDeployment => Some("only the leader runs leader_only commands".into()),
            Scenario::ScalingLaunch => {
                Some("leader_only commands never run on instances launched by scaling".into())
            }
            Scenario::ConfigurationUpdate => {
                Some("container_commands do not run on configuration updates".into())
            }
        };
        step
    }

    /// After a scale to zero every instance comes up through `self-startup`, where no
    /// leader-only command runs (eb-facts §4.2, §4.3).
    fn scale_to_zero_notes(&self, parts: &Parts) -> Vec<String> {
        let leader_only: Vec<&str> = parts
            .container_commands
            .iter()
            .filter(|s| s.leader_only)
            .map(|s| s.name.as_str())
            .collect();
        if leader_only.is_empty() {
            return Vec::new();
        }
        self.scale_to_zero
            .iter()
            .map(|z| {
                format!(
                    "scheduled action `{}` sets {} to 0 ({}): every instance after it is launched by scaling, so no instance runs the leader_only commands {} until the next deployment",
                    z.action,
                    z.options.join(", "),
                    at(&z.location),
                    backticked(&leader_only)
                )
            })
            .collect()
    }
}

/// How a verdict names a step, e.g. container_commands `01_migrate`.
fn describe(step: &Step) -> String {
    match step.phase {
        Phase::Hooks(HookKind::Hooks, phase) => format!("{} hook `{}`", phase.dir(), step.name),
        Phase::Hooks(HookKind::ConfigHooks, phase) => {
            format!("{} confighook `{}`", phase.dir(), step.name)
        }
        phase => format!("{} `{}`", phase.name(), step.name),
    }
}

/// The bundle as every renderer names it: `.` when it is the current directory.
pub fn bundle_name(plan: &Plan) -> &str {
    if plan.root.is_empty() {
        "."
    } else {
        &plan.root
    }
}

/// `path:line`, the way every renderer names a place.
pub fn at(location: &Location) -> String {
    format!("{}:{}", location.path, location.start.line)
}

/// Where a step comes from: `path:line` for a command, the path for a hook (a whole file).
pub fn origin_of(step: &Step) -> Option<String> {
    let source = step.source.as_ref()?;
    Some(match step.kind {
        StepKind::Hook => source.path.clone(),
        _ => at(source),
    })
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
