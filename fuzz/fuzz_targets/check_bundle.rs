//! YAML/JSON parse + EB model + every rule + both reports, on an in-memory bundle.
//!
//! The input is up to four files separated by 0xFF bytes (never valid in UTF-8 text, so a
//! separator never changes what a file means): two `.config` files, an executable predeploy
//! hook and a non-executable confighook. ebguard's own panic guards would turn a crash into an
//! EB000 finding; here that finding is itself the crash, so the fuzzer sees every bug.
#![no_main]

use ebguard::bundle;
use ebguard::rules::{self, Settings};
use ebguard::yaml::Limits;
use libfuzzer_sys::fuzz_target;

const PLACES: [(&str, Option<u32>); 4] = [
    (".ebextensions/01_app.config", None),
    (".ebextensions/02_migrate.config", None),
    (".platform/hooks/predeploy/01_migrate.sh", Some(0o755)),
    (".platform/confighooks/postdeploy/02_reload.sh", Some(0o644)),
];

fuzz_target!(|data: &[u8]| {
    let files: Vec<(&str, Option<u32>, &[u8])> = data
        .split(|&b| b == 0xFF)
        .zip(PLACES)
        .map(|(bytes, (path, mode))| (path, mode, bytes))
        .collect();
    let bundle = bundle::in_memory("app", &files, Limits::default());
    if let Some(error) = bundle.internal_errors.first() {
        panic!("{}: {}", error.path, error.message);
    }
    let findings = rules::check(&bundle, &Settings::default());
    if let Some(f) = findings.iter().find(|f| f.rule.id == "EB000") {
        panic!("{}", f.message);
    }
    let outcome = ebguard::Outcome {
        bundles: vec![bundle],
        findings,
        input_errors: Vec::new(),
    };
    ebguard::report::text(&outcome);
    ebguard::report::json(&outcome);
});
