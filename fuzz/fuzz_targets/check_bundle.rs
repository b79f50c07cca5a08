//! YAML/JSON parse + EB model + every rule + both reports; see `ebguard::harness::check_bundle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebguard::harness::check_bundle(data));
