//! Hook-script analysis: the shell recogniser on a script and on an argv, then every rule on a
//! bundle whose predeploy hook is that script, and the text report that quotes it.
//!
//! Besides not panicking, every range the recogniser returns must lie inside the script on
//! character boundaries: findings slice the script with them.
#![no_main]

use ebguard::rules::{self, Settings};
use ebguard::yaml::Limits;
use ebguard::{bundle, shell};
use libfuzzer_sys::fuzz_target;

fn assert_in_bounds(script: &str, range: &std::ops::Range<usize>) {
    assert!(
        range.start <= range.end
            && range.end <= script.len()
            && script.is_char_boundary(range.start)
            && script.is_char_boundary(range.end),
        "range {range:?} is not a slice of the {}-byte script",
        script.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let script = String::from_utf8_lossy(data);
    let settings = Settings::default();
    for call in settings.recognizer.find_migrations(&script) {
        assert_in_bounds(&script, &call.range);
    }
    for range in shell::leader_variable_uses(&script) {
        assert_in_bounds(&script, &range);
    }
    let argv: Vec<&str> = script.split_whitespace().collect();
    settings.recognizer.find_migrations_argv(&argv);

    let files = [(".platform/hooks/predeploy/01_migrate.sh", Some(0o755), data)];
    let bundle = bundle::in_memory("app", &files, Limits::default());
    if let Some(error) = bundle.internal_errors.first() {
        panic!("{}: {}", error.path, error.message);
    }
    let findings = rules::check(&bundle, &settings);
    if let Some(f) = findings.iter().find(|f| f.rule.id == "EB000") {
        panic!("{}", f.message);
    }
    let outcome = ebguard::Outcome {
        bundles: vec![bundle],
        findings,
        input_errors: Vec::new(),
    };
    ebguard::report::text(&outcome);
});
