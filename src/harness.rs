//! The fuzz targets' bodies (fuzz/fuzz_targets/), shared with the stable test that replays
//! their seeds and every crash they found (tests/fuzz_regressions.rs), so a fixed crash stays
//! fixed in CI, where no nightly toolchain runs.
//!
//! ebguard's panic guards would turn a crash into an EB000 finding; here that finding is
//! itself the failure, so the fuzzer sees every bug the guards would hide.

use std::ops::Range;

use crate::finding::Finding;
use crate::model::Bundle;
use crate::rules::{self, Settings};
use crate::yaml::Limits;
use crate::{bundle, report, shell, Outcome};

/// Where [`check_bundle`] puts the parts of its input, with the mode each file gets.
const PLACES: [(&str, Option<u32>); 4] = [
    (".ebextensions/01_app.config", None),
    (".ebextensions/02_migrate.config", None),
    (".platform/hooks/predeploy/01_migrate.sh", Some(0o755)),
    (".platform/confighooks/postdeploy/02_reload.sh", Some(0o644)),
];

/// YAML/JSON parse + EB model + every rule + both reports, on an in-memory bundle. The input
/// is up to four files separated by 0xFF bytes (never valid in UTF-8 text, so a separator
/// never changes what a file means): two `.config` files, an executable predeploy hook and a
/// non-executable confighook.
pub fn check_bundle(data: &[u8]) {
    let files: Vec<(&str, Option<u32>, &[u8])> = data
        .split(|&b| b == 0xFF)
        .zip(PLACES)
        .map(|(bytes, (path, mode))| (path, mode, bytes))
        .collect();
    let outcome = checked(bundle::in_memory("app", &files, Limits::default()));
    report::text(&outcome);
    report::json(&outcome);
}

/// Hook-script analysis: the shell recogniser on a script and on its words as an argv, then
/// every rule on a bundle whose predeploy hook is that script, and the text report quoting it.
/// Every range the recogniser returns must be a slice of the script: findings cut it there.
pub fn hook_script(data: &[u8]) {
    let script = String::from_utf8_lossy(data);
    let recognizer = shell::Recognizer::default();
    for call in recognizer.find_migrations(&script) {
        assert_slice_of(&script, &call.range);
    }
    for range in shell::leader_variable_uses(&script) {
        assert_slice_of(&script, &range);
    }
    let argv: Vec<&str> = script.split_whitespace().collect();
    recognizer.find_migrations_argv(&argv);
    let files = [(PLACES[2].0, PLACES[2].1, data)];
    report::text(&checked(bundle::in_memory(
        "app",
        &files,
        Limits::default(),
    )));
}

/// Runs every rule; panics with the guard's message if a file or a rule panicked.
fn checked(bundle: Bundle) -> Outcome {
    if let Some(error) = bundle.internal_errors.first() {
        panic!("{}: {}", error.path, error.message);
    }
    let findings: Vec<Finding> = rules::check(&bundle, &Settings::default());
    if let Some(f) = findings.iter().find(|f| f.rule.id == "EB000") {
        panic!("{}", f.message);
    }
    Outcome {
        bundles: vec![bundle],
        findings,
        ..Outcome::default()
    }
}

fn assert_slice_of(script: &str, range: &Range<usize>) {
    assert!(
        range.start <= range.end
            && range.end <= script.len()
            && script.is_char_boundary(range.start)
            && script.is_char_boundary(range.end),
        "range {range:?} is not a slice of the {}-byte script",
        script.len()
    );
}
