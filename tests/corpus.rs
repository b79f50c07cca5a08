//! The real-world corpus (`../shared/corpus/`, 477 files from 86 repositories): `check` never
//! crashes on it, and EB100 reports exactly the files that are not usable configuration.

mod common;

use common::{copy_tree, ebguard, shared};

/// Every `.config` file of the corpus that EB100 reports: path, severity, and a word of the
/// message. Reviewed by hand and against PyYAML's `safe_load`, which agrees on all eight: it
/// raises on the two errors (a double-quoted `command:` followed by more text on the same
/// line; a tab in the indentation) and returns `None`, no mapping, for the six warnings.
const EB100_REVIEWED: &[(&str, &str, &str)] = &[
    (
        "Gor96git__test-basic-yii/.ebextensions/migrate.config",
        "error",
        "trailing content after double-quoted scalar",
    ),
    (
        "heftybyte__tokens-api/.ebextensions/migrate.config",
        "error",
        "indented with a tab",
    ),
    (
        "CERTCC__VINCE/.ebextensions/02_settings.config",
        "warning",
        "empty",
    ),
    (
        "CERTCC__VINCE/.ebextensions/03_python.config",
        "warning",
        "empty",
    ),
    (
        "gaadimech__GaadiMech-CRM-Backend/.ebextensions/02_database.config",
        "warning",
        "only comments",
    ),
    (
        "hankehly__ebcustom/.ebextensions/commands.config",
        "warning",
        "only comments",
    ),
    (
        "hankehly__ebcustom/.ebextensions/elasticache.config",
        "warning",
        "only comments",
    ),
    (
        "hankehly__ebcustom/.ebextensions/options.config",
        "warning",
        "only comments",
    ),
];

#[test]
fn corpus_never_crashes_and_eb100_only_where_reviewed() {
    let Some(shared) = shared() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&shared.join("corpus/files"), &corpus);

    let run = ebguard(tmp.path(), &["check", "--format", "json", "corpus"]);
    // 0 or 1: findings are fine, a crash (101) or an input error (2) is not.
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert!(doc["summary"]["bundles"].as_u64().unwrap() >= 86);

    let mut eb100: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "EB100")
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (
                path.strip_prefix("corpus/").unwrap_or(path).to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    eb100.sort();
    let mut expected: Vec<_> = EB100_REVIEWED.to_vec();
    expected.sort();
    assert_eq!(eb100.len(), expected.len(), "{eb100:#?}");
    for ((path, severity, message), (want_path, want_severity, reason)) in
        eb100.iter().zip(&expected)
    {
        assert_eq!(
            (path.as_str(), severity.as_str()),
            (*want_path, *want_severity)
        );
        assert!(message.contains(reason), "{path}: {message}");
    }
}
