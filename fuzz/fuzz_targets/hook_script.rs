//! The shell recogniser and the hook rules; see `ebguard::harness::hook_script`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ebguard::harness::hook_script(data));
