//! The bundle's own steps, read from the model once, in EB's order, before any scenario
//! decides which of them run.

use super::{
    Effective, Migration, MigrationGuard, Phase, ScaleToZero, Step, StepKind, CURRENT_DIR,
    STAGING_DIR,
};
use crate::model::{
    Bundle, Command, CommandSection, ConfigFile, EffectiveOption, Hook, HookContent, HookKind,
    HookPhase, Known, LeaderOnly, Located, OptionSetting, RunsAt,
};
use crate::rules::common::{hook_migrations, migrations};
use crate::rules::Settings;
use crate::shell::{self, Guard};
use crate::source::Location;

/// The user-written steps of a bundle, in EB's order, before any scenario applies.
pub(super) struct Parts {
    pub commands: Vec<Step>,
    /// Leader-only first, each group in EB's order (eb-facts §2.3).
    pub container_commands: Vec<Step>,
    hooks: Vec<(HookKind, HookPhase, Step)>,
}

impl Parts {
    pub fn of(bundle: &Bundle, settings: &Settings) -> Parts {
        let mut commands = Vec::new();
        let mut container_commands = Vec::new();
        for file in &bundle.configs {
            let ignored = file.unknown_top_level_key().map(|key| {
                format!("EB ignores every key of this file: `{key}` is not a top-level key EB knows (EB101)")
            });
            // cfn-init runs each file's commands sorted by name, in code-point order; files in
            // alphabetical order of file name (eb-facts §1.2, §2.5). `bundle.configs` is in
            // that order already; `String`'s `Ord` is code-point order.
            let mut cmds: Vec<&Command> = file.commands.iter().collect();
            cmds.sort_by(|a, b| a.name.cmp(&b.name));
            for cmd in cmds {
                let mut step = command_step(bundle, file, cmd, settings);
                step.skipped.clone_from(&ignored);
                match cmd.section {
                    CommandSection::Commands => commands.push(step),
                    CommandSection::ContainerCommands => container_commands.push(step),
                }
            }
        }
        // A stable sort keeps EB's order within each group.
        container_commands.sort_by_key(|s| !s.leader_only);
        let mut hooks: Vec<(HookKind, HookPhase, Step)> = bundle
            .hooks
            .iter()
            .filter_map(|h| {
                let (kind, phase) = (h.kind?, h.phase?);
                Some((kind, phase, hook_step(bundle, h, kind, phase, settings)))
            })
            .collect();
        // Hooks run in lexicographic order of file name (eb-facts §6.1).
        hooks.sort_by(|a, b| (a.1, &a.2.name).cmp(&(b.1, &b.2.name)));
        Parts {
            commands,
            container_commands,
            hooks,
        }
    }

    pub fn hooks(&self, kind: HookKind, phase: HookPhase) -> impl Iterator<Item = Step> + '_ {
        self.hooks
            .iter()
            .filter(move |(k, p, _)| *k == kind && *p == phase)
            .map(|(_, _, s)| s.clone())
    }

    /// `.platform/hooks` files with no `.platform/confighooks` file of the same phase and name,
    /// as `phase/name`.
    pub fn unmirrored_hooks(&self) -> Vec<String> {
        let has = |kind: HookKind, phase: HookPhase, name: &str| {
            self.hooks
                .iter()
                .any(|(k, p, s)| *k == kind && *p == phase && s.name == name)
        };
        self.hooks
            .iter()
            .filter(|(k, p, s)| *k == HookKind::Hooks && !has(HookKind::ConfigHooks, *p, &s.name))
            .map(|(_, p, s)| format!("{}/{}", p.dir(), s.name))
            .collect()
    }

    pub fn migrates(&self) -> bool {
        self.commands
            .iter()
            .chain(&self.container_commands)
            .chain(self.hooks.iter().map(|(_, _, s)| s))
            .any(|s| !s.migrations.is_empty())
    }
}

/// What EB never applies, bundle-wide: files it rejects or never reads (EB100, EB101, EB104).
pub(super) fn unread_files(bundle: &Bundle) -> Vec<String> {
    let mut notes = Vec::new();
    for file in &bundle.configs {
        if let Some(problem) = file.problem.as_ref().filter(|p| !p.empty) {
            notes.push(format!(
                "EB rejects {}: {} (EB100)",
                file.source.path, problem.message
            ));
        }
        if let Some(key) = file.unknown_top_level_key() {
            notes.push(format!(
                "EB ignores every key of {}, its commands and option settings included: `{key}` is not a top-level key EB knows (EB101)",
                file.source.path
            ));
        }
    }
    for ignored in bundle
        .ignored_ebextensions
        .iter()
        .filter(|i| i.looks_like_config)
    {
        let path = if bundle.root.is_empty() {
            ignored.rel_path.clone()
        } else {
            format!("{}/{}", bundle.root, ignored.rel_path)
        };
        notes.push(format!(
            "EB never reads {path}: only `.config` files directly inside .ebextensions/ count (EB104)"
        ));
    }
    notes
}

fn command_step(bundle: &Bundle, file: &ConfigFile, cmd: &Command, settings: &Settings) -> Step {
    let text = |key: &str| {
        cmd.value(key)
            .and_then(|id| file.node(id).as_str())
            .map(str::to_string)
    };
    let (phase, kind, default_cwd) = match cmd.section {
        CommandSection::Commands => (Phase::Commands, StepKind::Command, "/"),
        CommandSection::ContainerCommands => (
            Phase::ContainerCommands,
            StepKind::ContainerCommand,
            STAGING_DIR,
        ),
    };
    // `leader_only` means something only under `container_commands` (eb-facts §2.2).
    let leader = cmd.leader_only(file);
    let location = file.location(file.node(cmd.key).span());
    let migrations = migrations(bundle, file, cmd, settings)
        .into_iter()
        .map(|call| Migration {
            tool: call.tool,
            guard: match (leader, call.guard) {
                (LeaderOnly::True, _) => MigrationGuard::LeaderOnly,
                (LeaderOnly::Ambiguous, _) => MigrationGuard::AmbiguousLeaderOnly,
                (_, guard) => guard_of(guard),
            },
            location: location.clone(),
        })
        .collect();
    let mut notes = Vec::new();
    if let Some(test) = text("test") {
        notes.push(format!(
            "runs only if `test` succeeds: {}",
            first_line(&test)
        ));
    }
    if cmd.ignores_errors(file) {
        notes.push("ignoreErrors: a failure does not stop the deployment".into());
    }
    if leader == LeaderOnly::Ambiguous {
        notes.push(
            "`leader_only` is not a boolean: whether EB runs this on one instance or all is undocumented (EB010)"
                .into(),
        );
    }
    // `leader_only` is a `container_commands` key; under `commands` EB ignores it (eb-facts
    // §2.2, corpus addenda).
    if cmd.section == CommandSection::Commands && cmd.value("leader_only").is_some() {
        notes.push("`leader_only` has no effect under `commands`: every instance runs this".into());
    }
    // cfn-init passes `env` as the entire process environment (eb-facts §2.2).
    if cmd.value("env").is_some() {
        notes.push("`env` replaces the whole environment, PATH included".into());
    }
    Step {
        phase,
        kind,
        name: cmd.name.clone(),
        source: Some(location),
        cwd: Some(text("cwd").unwrap_or_else(|| default_cwd.into())),
        leader_only: leader == LeaderOnly::True,
        migrations,
        skipped: None,
        notes,
    }
}

fn hook_step(
    bundle: &Bundle,
    hook: &Hook,
    kind: HookKind,
    phase: HookPhase,
    settings: &Settings,
) -> Step {
    let cwd = match phase {
        HookPhase::Prebuild | HookPhase::Predeploy => STAGING_DIR,
        HookPhase::Postdeploy => CURRENT_DIR,
    };
    let mut notes = Vec::new();
    let migrations = match (&hook.content, hook.script()) {
        (_, Some(_)) => hook_migrations(bundle, hook, settings)
            .into_iter()
            .map(|call| Migration {
                tool: call.tool,
                guard: guard_of(call.guard),
                location: hook.location(call.range),
            })
            .collect(),
        (HookContent::Binary, _) => {
            notes.push("a binary: ebguard cannot tell what it runs".into());
            Vec::new()
        }
        (HookContent::Unreadable(why), _) => {
            notes.push(format!("unreadable ({why})"));
            Vec::new()
        }
        (HookContent::Script, None) => Vec::new(),
    };
    if hook
        .script()
        .is_some_and(|s| !shell::leader_variable_uses(s).is_empty() && migrations.is_empty())
    {
        notes.push(
            "tests EB_IS_COMMAND_LEADER, which EB does not document on Amazon Linux 2 (EB011)"
                .into(),
        );
    }
    // EB executes hooks directly: a missing exec bit, a `#!` line ending in a carriage return
    // or no `#!` line at all fails the deployment at this step (eb-facts §6.1, §7 #1, #3).
    // Platform versions released since 2022-04-29 make hook files executable and, since
    // 2022-12-29, convert CRLF line endings (AWS *Platform hooks*): then only a pinned older
    // platform fails here; a `chmod` by an earlier step fixes it on any platform.
    if hook.is_executable() == Some(false)
        && !matches!(hook.content, HookContent::Unreadable(_))
        && bundle
            .chmod_before(
                &hook.rel_path,
                RunsAt::Hook(kind, phase),
                &settings.recognizer,
            )
            .is_none()
    {
        notes.push(match bundle.grants_exec_bit() {
            Known::No => "not executable, and the pinned platform predates 2022-04-29: EB fails the deployment here with `permission denied` (EB200)".into(),
            _ => "not executable: EB makes hooks executable on platform versions since 2022-04-29; older ones fail here (EB200)".into(),
        });
    }
    if let Some(script) = hook.script() {
        let first_line = script.split('\n').next().unwrap_or_default();
        if !script.starts_with("#!") {
            notes.push(
                "no `#!` line: EB fails the deployment here with `exec format error` (EB202)"
                    .into(),
            );
        } else if first_line.ends_with('\r') {
            notes.push(match bundle.converts_crlf() {
                Known::No => "Windows line endings, and the pinned platform predates 2022-12-29: the `#!` interpreter ends in a carriage return, so EB fails the deployment here (EB201)".into(),
                _ => "Windows line endings: EB converts them on platform versions since 2022-12-29; older ones fail here (EB201)".into(),
            });
        }
    }
    Step {
        phase: Phase::Hooks(kind, phase),
        kind: StepKind::Hook,
        name: hook
            .rel_path
            .rsplit('/')
            .next()
            .unwrap_or(&hook.rel_path)
            .to_string(),
        source: Some(hook.location(0..0)),
        cwd: Some(cwd.into()),
        leader_only: false,
        migrations,
        skipped: None,
        notes,
    }
}

fn guard_of(guard: Guard) -> MigrationGuard {
    match guard {
        Guard::None => MigrationGuard::None,
        Guard::EbguardMigrate => MigrationGuard::EbguardMigrate,
        Guard::LeaderVariable => MigrationGuard::LeaderVariable,
    }
}

fn value_location(file: &ConfigFile, setting: &OptionSetting) -> Location {
    file.location(file.node(setting.value_node.unwrap_or(setting.at)).span())
}

pub(super) fn effective(bundle: &Bundle, namespace: &str, option: &str) -> Option<Effective> {
    // The model merges only the files EB applies (EB101 files set nothing).
    let applied = bundle.effective_options();
    let EffectiveOption { file, setting } = applied.into_iter().find(|e| {
        e.setting.namespace == namespace
            && e.setting.option_name == option
            && e.setting.resource_name.is_none()
    })?;
    Some(Effective {
        value: setting.value.clone()?,
        source: Some(value_location(file, setting)),
    })
}

pub(super) fn default(value: String) -> Effective {
    Effective {
        value,
        source: None,
    }
}

/// Scheduled actions whose `MinSize`, `MaxSize` or `DesiredCapacity` is 0, as option settings
/// or `AWS::AutoScaling::ScheduledAction` resources (eb-facts §4.3, §5.1), one per action,
/// pointing at its first size set to 0.
pub(super) fn scale_to_zero(bundle: &Bundle) -> Vec<ScaleToZero> {
    bundle
        .scale_to_zero()
        .into_iter()
        .map(|z| ScaleToZero {
            location: z.file.location(z.file.node(z.value).span()),
            action: z.action,
            options: z.options,
        })
        .collect()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}
