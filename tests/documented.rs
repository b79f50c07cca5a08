//! Bundles written the way AWS documents them must pass without a single finding: a linter
//! that cries wolf on the documented setup teaches users to ignore it.

mod common;

use common::{ebguard, testdata};

#[test]
fn aws_documented_bundles_have_no_findings() {
    let dir = testdata().join("aws-documented");
    for app in ["django", "rails", "laravel"] {
        let run = ebguard(
            &dir,
            &["check", "--format", "json", "--fail-on", "info", app],
        );
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            doc["findings"],
            serde_json::json!([]),
            "{app}: {}",
            run.stdout
        );
        assert_eq!(doc["summary"]["bundles"], 1, "{app}");
        assert_eq!(run.code, 0, "{app}");
    }
}
