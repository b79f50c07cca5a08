//! `check --fix`, `--unsafe-fixes` and `--diff` through the real binary, on every fixture
//! bundle and on the real-world corpus (`../shared/corpus`), each copied to a temporary
//! directory first. For every run:
//!
//! - `--diff` writes nothing, exits 1 exactly when it prints a diff, and its diff is a snapshot
//!   that `git apply` turns into exactly what `--fix` writes;
//! - the binary and the library (`ebguard::fix::write`, which logs every fix it applied) leave
//!   identical trees, and replaying that log on the original files gives the same bytes and
//!   modes: outside the edited ranges, nothing changed;
//! - every fix, applied alone to the text its round saw, leaves a file that parses to the same
//!   data plus changes only at the entries its edits touch (`yaml::data`), in the shape its
//!   rule promises (EB003: `timeout` removed or a key renamed; EB010: a boolean); a round's
//!   change is the sum of its fixes' changes;
//! - PyYAML (`tests/fix_pyyaml.py`, EB's side is Python) reads every changed file as
//!   `yaml::data` does, and its after-data is its before-data plus those changes;
//! - fixing again changes nothing and `--diff` is then empty;
//! - the fixed findings are gone and no new error appears.

mod common;

use std::collections::BTreeMap;
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_tree, ebguard, fixture_cases, shared, skip};
use ebguard::finding::Edit;
use ebguard::fix::Applied;
use ebguard::yaml::data::{self, describe, Change, Data};
use ebguard::yaml::{parse, Limits};

/// A file as these tests compare it: its bytes (a symbolic link's target) and mode bits.
#[derive(Clone, Debug, PartialEq, Eq)]
struct File {
    bytes: Vec<u8>,
    mode: u32,
}

/// Every file below a directory, by path relative to it.
type Tree = BTreeMap<String, File>;

fn read_tree(root: &Path) -> Tree {
    let mut tree = Tree::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.unwrap();
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy();
        let meta = entry.path().symlink_metadata().unwrap();
        let bytes = if entry.file_type().is_symlink() {
            std::fs::read_link(entry.path())
                .unwrap()
                .into_os_string()
                .into_encoded_bytes()
        } else {
            std::fs::read(entry.path()).unwrap()
        };
        tree.insert(
            rel.into_owned(),
            File {
                bytes,
                mode: meta.permissions().mode(),
            },
        );
    }
    tree
}

/// Names of the files that differ between two trees, for failure messages.
fn differing(a: &Tree, b: &Tree) -> Vec<String> {
    let mut names: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    names.dedup();
    names
}

/// What a fix run did, for the counts and for PyYAML.
#[derive(Default)]
struct Report {
    /// Fixes applied, by rule.
    fixed: BTreeMap<String, usize>,
    /// Files whose text changed.
    files: usize,
    /// Findings whose rule offers a fix but not here, by rule and reason.
    refused: BTreeMap<String, usize>,
    /// `.config` files the fixes changed: what PyYAML must read alike.
    pairs: Vec<Pair>,
}

struct Pair {
    name: String,
    before: String,
    after: String,
    changes: Vec<(data::Path, Change)>,
    before_data: Data,
    after_data: Data,
}

/// `--fix` or `--unsafe-fixes`.
fn fix_flag(unsafe_fixes: bool) -> &'static str {
    if unsafe_fixes {
        "--unsafe-fixes"
    } else {
        "--fix"
    }
}

fn diff_args(unsafe_fixes: bool) -> Vec<&'static str> {
    let mut args = vec!["check", "--diff"];
    if unsafe_fixes {
        args.push("--unsafe-fixes");
    }
    args
}

/// Findings of a `--format json` report as (rule, path below `name`, severity).
fn findings(json: &str, name: &str) -> Vec<(String, String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let rel = path
                .strip_prefix(&format!("{name}/"))
                .unwrap_or(path)
                .to_string();
            (
                f["rule"].as_str().unwrap().to_string(),
                rel,
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs every check of this file on a copy of `source/name`. Returns the `--diff` output and
/// what the run did.
fn verify(source: &Path, name: &str, unsafe_fixes: bool) -> (String, Report) {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for copy in [&a, &b] {
        copy_tree(&source.join(name), &copy.path().join(name));
        writable(&copy.path().join(name));
    }
    let root = a.path().join(name);
    let before = read_tree(&root);
    let mut report = Report::default();

    let json = ["check", "--format", "json", "--fail-on", "never", name];
    let found_before = ebguard(a.path(), &json);
    assert!(found_before.code == 0, "{}", found_before.stderr);
    let found_before = findings(&found_before.stdout, name);

    // `--diff` writes nothing and exits 1 exactly when it has a diff.
    let diff = ebguard(a.path(), &[&diff_args(unsafe_fixes)[..], &[name]].concat());
    assert_eq!(read_tree(&root), before, "--diff wrote files");
    let expected_code = if diff.stdout.is_empty() { 0 } else { 1 };
    assert_eq!(diff.code, expected_code, "{name}: {}", diff.stderr);
    assert!(!diff.stderr.contains("error:"), "{name}: {}", diff.stderr);

    // The binary fixes copy `a`, the library copy `b` with its log.
    let flag = fix_flag(unsafe_fixes);
    let fixed = ebguard(
        a.path(),
        &[
            "check",
            flag,
            "--format",
            "json",
            "--fail-on",
            "never",
            name,
        ],
    );
    assert_eq!(fixed.code, 0, "{name}: {}", fixed.stderr);
    assert!(!fixed.stderr.contains("error:"), "{name}: {}", fixed.stderr);
    let found_after = findings(&fixed.stdout, name);
    let library_root = b.path().join(name);
    let options = ebguard::Options::default();
    for finding in ebguard::check(std::slice::from_ref(&library_root), &options).findings {
        if let Some(why) = finding.no_fix {
            *report
                .refused
                .entry(format!("{}: {why}", finding.rule.id))
                .or_default() += 1;
        }
    }
    let written = ebguard::fix::write(std::slice::from_ref(&library_root), &options, unsafe_fixes);
    assert!(written.errors.is_empty(), "{name}: {:?}", written.errors);
    for note in &written.skipped {
        *report
            .refused
            .entry(format!("not applied: {note}"))
            .or_default() += 1;
    }
    let after = read_tree(&root);
    let library = read_tree(&library_root);
    assert!(
        after == library,
        "{name}: the binary and the library fixed differently: {:?}",
        differing(&after, &library)
    );
    let summary = format!("fixed {} finding", written.applied.len());
    assert!(
        written.applied.is_empty() || fixed.stderr.contains(&summary),
        "{name}: {}",
        fixed.stderr
    );

    // Replaying the log on the original files gives exactly what is on disk.
    let replayed = replay(&before, &written.applied, &library_root, name, &mut report);
    assert!(
        replayed == after,
        "{name}: the files differ from the logged fixes: {:?}",
        differing(&replayed, &after)
    );
    // `--diff` shows exactly what the fix does: `git apply` of it on a fresh copy gives the
    // same files and modes.
    let c = tempfile::tempdir().unwrap();
    copy_tree(&source.join(name), &c.path().join(name));
    writable(&c.path().join(name));
    if !diff.stdout.is_empty() {
        std::fs::write(c.path().join("fix.diff"), &diff.stdout).unwrap();
        let out = common::run(
            Command::new("git")
                .args(["apply", "--whitespace=nowarn", "fix.diff"])
                .current_dir(c.path()),
        );
        assert!(
            out.status.success(),
            "{name}: git apply: {}",
            common::text(&out)
        );
    }
    let patched = read_tree(&c.path().join(name));
    assert!(
        patched == after,
        "{name}: --diff and {flag} differ: {:?}",
        differing(&patched, &after)
    );
    report.files = after
        .iter()
        .filter(|(path, file)| before.get(*path).is_some_and(|old| old.bytes != file.bytes))
        .count()
        + written
            .applied
            .iter()
            .flat_map(|a| &a.fix.edits)
            .filter(|e| matches!(e, Edit::Rename { .. }))
            .count();

    // Idempotent: a second run changes nothing, and `--diff` has nothing left to show.
    let again = ebguard(a.path(), &["check", flag, "--fail-on", "never", name]);
    assert_eq!(again.code, 0, "{name}: {}", again.stderr);
    assert_eq!(
        read_tree(&root),
        after,
        "{name}: a second {flag} changed files"
    );
    let diff_again = ebguard(a.path(), &[&diff_args(unsafe_fixes)[..], &[name]].concat());
    assert_eq!(
        (diff_again.code, diff_again.stdout.as_str()),
        (0, ""),
        "{name}: --diff after {flag}: {}",
        diff_again.stderr
    );

    // The fixed findings are gone, and no new error appears (renamed files keep theirs).
    let renamed: BTreeMap<String, String> = written
        .applied
        .iter()
        .flat_map(|a| &a.fix.edits)
        .filter_map(|e| match e {
            Edit::Rename { from, to } => Some((rel(from, &library_root), rel(to, &library_root))),
            _ => None,
        })
        .collect();
    let count = |list: &[(String, String, String)], rule: &str, path: Option<&str>| {
        list.iter()
            .filter(|(r, p, _)| r == rule && path.is_none_or(|path| p == path))
            .count()
    };
    let mut per_rule = BTreeMap::<&str, usize>::new();
    for applied in &written.applied {
        *per_rule.entry(applied.rule).or_default() += 1;
    }
    for (rule, n) in per_rule {
        let (was, is) = (
            count(&found_before, rule, None),
            count(&found_after, rule, None),
        );
        assert!(
            // A rename may bring findings into view that the run then fixes.
            is <= was.saturating_sub(n),
            "{name}: {n} {rule} fixes applied, but {rule} went from {was} to {is} findings"
        );
        *report.fixed.entry(rule.to_string()).or_default() += n;
    }
    for (rule, path, severity) in &found_after {
        if severity != "error" {
            continue;
        }
        let old = renamed
            .iter()
            .find(|(_, to)| *to == path)
            .map_or(path.as_str(), |(from, _)| from.as_str());
        assert!(
            count(&found_after, rule, Some(path)) <= count(&found_before, rule, Some(old)),
            "{name}: {flag} brought a new {rule} error in {path}:\n{}",
            fixed.stdout
        );
    }
    (diff.stdout, report)
}

/// Adds the owner's write bit everywhere: `../shared` is read-only, and its copy is fixed.
fn writable(root: &Path) {
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.unwrap();
        if entry.file_type().is_symlink() {
            continue;
        }
        let mut mode = entry.metadata().unwrap().permissions();
        mode.set_mode(mode.mode() | 0o200);
        std::fs::set_permissions(entry.path(), mode).unwrap();
    }
}

/// A display path of the library run as a path below `root`.
fn rel(path: &str, root: &Path) -> String {
    Path::new(path)
        .strip_prefix(root)
        .unwrap_or_else(|_| panic!("{path} is outside {}", root.display()))
        .to_string_lossy()
        .into_owned()
}

/// Applies text edits to `text` the way the engine does: from the end backwards, and of two
/// insertions at one place the one listed first ends up first. Returns the new text and where
/// each edit's text landed in it, in the order given.
fn apply(text: &str, edits: &[(Range<usize>, &str)]) -> (String, Vec<Range<usize>>) {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(edits[i].0.start), std::cmp::Reverse(i)));
    let mut out = text.to_string();
    for &i in &order {
        out.replace_range(edits[i].0.clone(), edits[i].1);
    }
    let landed = edits
        .iter()
        .map(|(span, new)| {
            let shift: isize = edits
                .iter()
                .enumerate()
                .filter(|(_, (other, _))| other.start < span.start)
                .map(|(_, (other, text))| text.len() as isize - other.len() as isize)
                .sum();
            let start = (span.start as isize + shift) as usize;
            start..start + new.len()
        })
        .collect();
    (out, landed)
}

/// The log replayed on `before`, round by round. A file renamed in a round is edited under
/// its new name from the next round on, as the run saw it. Every fix's data change is
/// checked on the way.
fn replay(
    before: &Tree,
    applied: &[Applied],
    root: &Path,
    name: &str,
    report: &mut Report,
) -> Tree {
    let mut tree = before.clone();
    // Each renamed file's original name, to pair its first and last text.
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    let mut rounds: BTreeMap<usize, Vec<&Applied>> = BTreeMap::new();
    for fix in applied {
        rounds.entry(fix.round).or_default().push(fix);
    }
    for fixes in rounds.values() {
        let start = tree.clone();
        let mut by_file: BTreeMap<String, Vec<(Range<usize>, &str)>> = BTreeMap::new();
        let mut own_changes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for applied in fixes {
            let mut own: BTreeMap<String, Vec<(Range<usize>, &str)>> = BTreeMap::new();
            for edit in &applied.fix.edits {
                if let Edit::Replace { at, text } = edit {
                    let path = rel(&at.path, root);
                    own.entry(path.clone())
                        .or_default()
                        .push((at.span.clone(), text.as_str()));
                    by_file
                        .entry(path)
                        .or_default()
                        .push((at.span.clone(), text.as_str()));
                }
            }
            for (path, edits) in own {
                let text = text_of(&start, &path);
                let (after, landed) = apply(&text, &edits);
                if path.ends_with(".config") {
                    let changes = fix_changes(name, applied, &path, &text, &after, &edits, &landed);
                    own_changes.entry(path).or_default().extend(changes);
                }
            }
        }
        for (path, edits) in by_file {
            let text = text_of(&start, &path);
            let (after, _) = apply(&text, &edits);
            if let Some(mut own) = own_changes.remove(&path) {
                // The round's change is the sum of its fixes' changes.
                let mut all = describe(&data::diff(&load(&text, &path), &load(&after, &path)));
                all.sort();
                own.sort();
                assert_eq!(all, own, "{name}: {path}: the round's fixes interfere");
            }
            tree.get_mut(&path).unwrap().bytes = after.into_bytes();
        }
        for edit in fixes.iter().flat_map(|a| &a.fix.edits) {
            match edit {
                Edit::Rename { from, to } => {
                    let (from, to) = (rel(from, root), rel(to, root));
                    let file = tree.remove(&from).expect("renamed file exists");
                    tree.insert(to.clone(), file);
                    let first = origin.remove(&from).unwrap_or(from);
                    origin.insert(to, first);
                }
                Edit::MakeExecutable { path, .. } => {
                    let file = tree.get_mut(&rel(path, root)).unwrap();
                    file.mode |= (file.mode & 0o444) >> 2;
                }
                Edit::Replace { .. } => {}
            }
        }
    }
    for (path, file) in &tree {
        let was = origin.get(path).unwrap_or(path);
        let Some(old) = before.get(was) else { continue };
        if old.bytes == file.bytes || !path.ends_with(".config") {
            continue;
        }
        let (old_text, new_text) = (utf8(&old.bytes), utf8(&file.bytes));
        let (before_data, after_data) = (load(&old_text, was), load(&new_text, path));
        report.pairs.push(Pair {
            name: format!("{name}/{path}"),
            changes: data::diff(&before_data, &after_data),
            before: old_text,
            after: new_text,
            before_data,
            after_data,
        });
    }
    tree
}

fn utf8(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("a file with text edits is UTF-8")
}

fn text_of(tree: &Tree, path: &str) -> String {
    utf8(&tree.get(path).unwrap_or_else(|| panic!("no {path}")).bytes)
}

/// The data of a `.config` text; a fixed file must always parse.
fn load(text: &str, path: &str) -> Data {
    let doc = parse(text, Limits::default())
        .unwrap_or_else(|e| panic!("{path} does not parse ({e:?}):\n{text}"));
    data::of(&doc).unwrap_or(Data::Null)
}

/// Checks one fix applied alone to one file: the result parses, its data changes only at
/// entries the edits touch, in the shape the rule promises. Returns the change, described.
fn fix_changes(
    name: &str,
    applied: &Applied,
    path: &str,
    text: &str,
    after: &str,
    edits: &[(Range<usize>, &str)],
    landed: &[Range<usize>],
) -> Vec<String> {
    let what = format!("{name}: {path}: {} ({})", applied.fix.title, applied.rule);
    let before_doc = parse(text, Limits::default()).unwrap();
    let after_doc = parse(after, Limits::default())
        .unwrap_or_else(|e| panic!("{what} leaves a file that does not parse ({e:?}):\n{after}"));
    let (Some(old_root), Some(new_root)) = (before_doc.root(), after_doc.root()) else {
        panic!("{what}: a fix in a file without data");
    };
    let changes = data::diff(&data::data(old_root), &data::data(new_root));
    let touches = |spans: &[Range<usize>], at: Range<usize>| {
        spans.iter().any(|e| e.start <= at.end && at.start <= e.end)
    };
    for (at, change) in &changes {
        // Where the entry is: in the old text for what went or changed, the new for what came.
        let (root, spans): (_, Vec<Range<usize>>) = match change {
            Change::Added(_) => (new_root, landed.to_vec()),
            _ => (old_root, edits.iter().map(|(s, _)| s.clone()).collect()),
        };
        let (key, value) =
            data::node_at(root, at).unwrap_or_else(|| panic!("{what}: no node at {at:?}"));
        let range = key.map_or(value.span().start, |k| k.span().start)..value.span().end;
        assert!(
            touches(&spans, range),
            "{what} changed {} away from its edits",
            describe(&[(at.clone(), change.clone())])[0]
        );
    }
    let described = describe(&changes);
    let shape_ok = match applied.rule {
        // `leader_only` becomes the boolean it meant; to YAML 1.1 `yes` already was one.
        "EB010" => match &changes[..] {
            [] => true,
            [(at, Change::Changed(_, Data::Bool(_)))] => {
                at.last().is_some_and(|k| k == "leader_only")
            }
            _ => false,
        },
        // `timeout` goes, or one key is renamed keeping its value.
        "EB003" => match &changes[..] {
            [(at, Change::Removed(_))] => at.last().is_some_and(|k| k == "timeout"),
            [(from, Change::Removed(old)), (to, Change::Added(new))] => {
                old == new && from[..from.len() - 1] == to[..to.len() - 1]
            }
            _ => false,
        },
        // `leader_only: true` arrives (or `false` turns true), or the command gains the lock.
        "EB001" => match &changes[..] {
            [(at, Change::Added(Data::Bool(true)) | Change::Changed(_, Data::Bool(true)))] => {
                at.last().is_some_and(|k| k == "leader_only")
            }
            [(at, Change::Changed(Data::Str(old), Data::Str(new)))] => {
                at.last().is_some_and(|k| k == "command")
                    && new.contains("ebguard migrate -- ")
                    && new.replace("ebguard migrate -- ", "") == *old
            }
            _ => false,
        },
        // The deployment Timeout is set or raised: every change is under `option_settings`.
        "EB002" => {
            !changes.is_empty()
                && changes
                    .iter()
                    .all(|(at, _)| at.first().is_some_and(|k| k == "option_settings"))
        }
        // One top-level key renamed, its value kept.
        "EB101" => match &changes[..] {
            [(from, Change::Removed(old)), (to, Change::Added(new))]
            | [(to, Change::Added(new)), (from, Change::Removed(old))] => {
                old == new && from.len() == 1 && to.len() == 1
            }
            _ => false,
        },
        // `ignoreErrors` turns false.
        "EB008" => match &changes[..] {
            [(at, Change::Changed(_, Data::Bool(false)) | Change::Added(Data::Bool(false)))] => {
                at.last().is_some_and(|k| k == "ignoreErrors")
            }
            _ => false,
        },
        // A suppression comment is no data.
        "EB900" => changes.is_empty(),
        _ => !changes.is_empty(),
    };
    assert!(shape_ok, "{what}: unexpected change {described:?}");
    described
}

/// Every fixture bundle under `--unsafe-fixes` (diff snapshots) and `--fix`.
fn fixtures(unsafe_fixes: bool) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut fixed = 0;
    for case in fixture_cases() {
        let (diff, report) = verify(&case.parent, &case.name(), unsafe_fixes);
        if unsafe_fixes && !diff.is_empty() {
            insta::assert_snapshot!(format!("{}__{}", case.rule_dir(), case.name()), diff);
        }
        fixed += report.fixed.values().sum::<usize>();
        pairs.extend(report.pairs);
    }
    assert!(fixed > 0, "no fixture had a fix");
    pairs
}

#[test]
fn unsafe_fixes_on_every_fixture() {
    let mut pairs = fixtures(true);
    pairs.extend(unchanged(
        &common::testdata().join(".."),
        "testdata",
        &pairs,
    ));
    pyyaml_agrees(&pairs);
}

/// Every `.config` file below `root/name` that parses and is not in `changed`, as a pair of
/// itself: PyYAML must read it as `yaml::data` does, so the data comparisons of this file are
/// PyYAML's on every kind of file the fixtures and the corpus hold.
fn unchanged(root: &Path, name: &str, changed: &[Pair]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (path, file) in read_tree(&root.join(name)) {
        let name = format!("{name}/{path}");
        let Ok(text) = String::from_utf8(file.bytes) else {
            continue;
        };
        if !path.ends_with(".config") || changed.iter().any(|p| p.name == name) {
            continue;
        }
        let Ok(doc) = parse(&text, Limits::default()) else {
            continue;
        };
        let value = data::of(&doc).unwrap_or(Data::Null);
        pairs.push(Pair {
            name,
            before: text.clone(),
            after: text,
            changes: Vec::new(),
            before_data: value.clone(),
            after_data: value,
        });
    }
    pairs
}

#[test]
fn safe_fixes_on_every_fixture() {
    pyyaml_agrees(&fixtures(false));
}

#[test]
fn every_fix_over_the_corpus() {
    let Some(shared) = shared() else {
        return;
    };
    let started = std::time::Instant::now();
    let source = shared.join("corpus");
    let (_, report) = verify(&source, "files", true);
    let files = read_tree(&source.join("files"))
        .keys()
        .filter(|p| p.ends_with(".config"))
        .count();
    eprintln!(
        "corpus: {files} .config files; {} changed by {} fixes in {:.1} s",
        report.files,
        report.fixed.values().sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    for (rule, n) in &report.fixed {
        eprintln!("  applied {rule}: {n}");
    }
    for (why, n) in &report.refused {
        eprintln!("  refused {n}x {why}");
    }
    let mut pairs = report.pairs;
    pairs.extend(unchanged(&source, "files", &pairs));
    pyyaml_agrees(&pairs);
}

/// Runs tests/fix_pyyaml.py on every pair: PyYAML must read each file as `yaml::data` does,
/// and the fixed file as the original plus exactly the changes.
fn pyyaml_agrees(pairs: &[Pair]) {
    let python = std::env::var_os("EBGUARD_TEST_DJANGO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let has_yaml = Command::new(&python)
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_yaml {
        skip(&format!(
            "{} cannot import yaml (PyYAML, .ci/python/base.txt); set EBGUARD_TEST_DJANGO_PYTHON",
            python.display()
        ));
        return;
    }
    if pairs.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let manifest: Vec<serde_json::Value> = pairs
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            let (before, after) = (
                dir.path().join(format!("{i}.before")),
                dir.path().join(format!("{i}.after")),
            );
            std::fs::write(&before, &pair.before).unwrap();
            std::fs::write(&after, &pair.after).unwrap();
            let changes: Vec<serde_json::Value> = pair
                .changes
                .iter()
                .map(|(path, change)| match change {
                    Change::Added(new) => {
                        serde_json::json!({"path": path, "op": "added", "value": new.json()})
                    }
                    Change::Removed(_) => serde_json::json!({"path": path, "op": "removed"}),
                    Change::Changed(_, new) => {
                        serde_json::json!({"path": path, "op": "changed", "value": new.json()})
                    }
                })
                .collect();
            serde_json::json!({
                "name": pair.name,
                "before": before,
                "after": after,
                "before_data": pair.before_data.json(),
                "after_data": pair.after_data.json(),
                "changes": changes,
            })
        })
        .collect();
    let manifest_path = dir.path().join("pairs.json");
    std::fs::write(&manifest_path, serde_json::to_string(&manifest).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix_pyyaml.py");
    let out = common::run(Command::new(&python).arg(script).arg(&manifest_path));
    let text = common::text(&out);
    assert!(out.status.success(), "{text}");
    eprintln!("{}", text.trim_end());
}

/// A bundle with a safe fix in each of two files: a `timeout:` on a command that does not
/// migrate (on a migration, EB002 still needs the number).
fn two_timeouts(dir: &Path) {
    for name in ["01_a.config", "02_b.config"] {
        common::write(
            &dir.join("app/.ebextensions").join(name),
            "container_commands:\n  01_static:\n    command: \"python manage.py collectstatic --noinput\"\n    timeout: 900\n",
        );
    }
}

#[test]
fn a_named_file_is_the_only_one_fixed() {
    let dir = tempfile::tempdir().unwrap();
    two_timeouts(dir.path());
    let file = "app/.ebextensions/01_a.config";
    let diff = ebguard(dir.path(), &["check", "--diff", file]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff.stdout.contains("+++ b/app/.ebextensions/01_a.config"));
    assert!(!diff.stdout.contains("02_b"), "{}", diff.stdout);
    assert!(
        diff.stderr.contains("would fix 1 finding in 1 file"),
        "{}",
        diff.stderr
    );
    let untouched = std::fs::read(dir.path().join("app/.ebextensions/02_b.config")).unwrap();
    let fixed = ebguard(dir.path(), &["check", "--fix", file]);
    assert!(
        fixed.stderr.contains("fixed 1 finding in 1 file"),
        "{}",
        fixed.stderr
    );
    assert!(!std::fs::read_to_string(dir.path().join(file))
        .unwrap()
        .contains("\n    timeout:"));
    assert_eq!(
        std::fs::read(dir.path().join("app/.ebextensions/02_b.config")).unwrap(),
        untouched
    );
    // The whole bundle: the other file now.
    let rest = ebguard(dir.path(), &["check", "--diff", "app"]);
    assert_eq!(rest.code, 1);
    assert!(
        rest.stdout.contains("02_b") && !rest.stdout.contains("01_a"),
        "{}",
        rest.stdout
    );
}

#[test]
fn diff_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    two_timeouts(dir.path());
    assert_eq!(ebguard(dir.path(), &["check", "--diff", "app"]).code, 1);
    let missing = ebguard(dir.path(), &["check", "--diff", "app", "missing"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("missing"), "{}", missing.stderr);
    assert_eq!(ebguard(dir.path(), &["check", "--fix", "app"]).code, 0);
    let clean = ebguard(dir.path(), &["check", "--diff", "app"]);
    assert_eq!(
        (clean.code, clean.stdout.as_str()),
        (0, ""),
        "{}",
        clean.stderr
    );
    assert!(clean.stderr.contains("nothing to fix"), "{}", clean.stderr);
}
