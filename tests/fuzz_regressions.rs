//! Replays the fuzz targets' committed seeds and every crash input they found, on stable Rust,
//! so CI keeps them fixed. Crash inputs go to `fuzz/regressions/<target>/`, named after what
//! they broke; `cargo +nightly fuzz run <target>` is the way to find new ones (README).

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = fs::read(&path).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
                std::panic::resume_unwind(Box::new(format!(
                    "{} fails again: {:?}",
                    path.display(),
                    panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                )));
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs for {target} under fuzz/");
}

#[test]
fn check_bundle_inputs_stay_fixed() {
    replay("check_bundle", ebguard::harness::check_bundle);
}

#[test]
fn hook_script_inputs_stay_fixed() {
    replay("hook_script", ebguard::harness::hook_script);
}
