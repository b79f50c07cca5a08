//! The engine's bookkeeping on files in a temporary directory: a fix is applied whole or not
//! at all, undo restores every file a fix touched, and `--diff` renders renames with edits.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;
use crate::source::SourceFile;

fn replace(path: &Path, text: &str, span: std::ops::Range<usize>, new: &str) -> Edit {
    let file = SourceFile::new(path.display().to_string(), text.to_string());
    Edit::Replace {
        at: file.location(span),
        text: new.to_string(),
    }
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Files { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn edit(&self, name: &str, span: std::ops::Range<usize>, new: &str) -> Edit {
        let path = self.dir.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        replace(&path, &text, span, new)
    }
}

/// Applies `fixes` as one round, as `run` does.
fn round(run: &mut FixRun, number: usize, fixes: &[(&'static str, Fix)]) {
    run.workspace.begin_round();
    for (rule, fix) in fixes {
        run.workspace.apply(fix).unwrap();
        run.applied.push(Applied {
            rule,
            round: number,
            fix: fix.clone(),
        });
    }
    run.workspace.end_round();
}

#[test]
fn undo_takes_back_a_fix_in_every_file_it_edits() {
    let files = Files::new(&[("a", "aaaa\n"), ("b", "bbbb\n"), ("c", "cccc\n")]);
    let two_files = Fix::unsafe_(
        "two",
        vec![files.edit("a", 0..1, "A"), files.edit("b", 0..1, "B")],
    );
    let same_file = Fix::safe("b only", vec![files.edit("b", 3..4, "!")]);
    let elsewhere = Fix::safe("c only", vec![files.edit("c", 0..1, "C")]);
    let earlier = Fix::safe("earlier", vec![files.edit("a", 3..4, "?")]);
    let mut run = FixRun::default();
    round(&mut run, 0, &[("EB001", earlier.clone())]);
    round(
        &mut run,
        1,
        &[
            ("EB001", two_files.clone()),
            ("EB002", same_file),
            ("EB003", elsewhere.clone()),
        ],
    );
    assert_eq!(run.workspace.text(&files.path("a")), Some("Aaa?\n"));
    assert_eq!(run.workspace.text(&files.path("b")), Some("Bbb!\n"));
    let mut judged = Judged::default();
    undo(&mut run, 1, &[syntax_error(&files.path("a"))], &mut judged);
    // `a` goes back to after round 0, `b` to its original (the innocent fix there is undone
    // too, and tried again next round), `c` keeps its fix.
    assert_eq!(run.workspace.text(&files.path("a")), Some("aaa?\n"));
    assert_eq!(run.workspace.text(&files.path("b")), None);
    assert_eq!(run.workspace.text(&files.path("c")), Some("Cccc\n"));
    assert_eq!(judged.rejected, vec![("EB001", two_files)]);
    assert!(judged.serial.is_empty());
    let left: Vec<_> = run.applied.iter().map(|a| a.fix.title.as_str()).collect();
    assert_eq!(left, ["earlier", "c only"]);
    assert_eq!(run.errors.len(), 1, "{:?}", run.errors);
    assert!(
        run.errors[0].contains("\"two\" (EB001)"),
        "{:?}",
        run.errors
    );
    let changed: Vec<_> = run.workspace.changes().map(|c| c.path.clone()).collect();
    assert_eq!(changed, [files.path("a"), files.path("c")]);
}

fn syntax_error(path: &str) -> Harm {
    Harm {
        path: path.to_string(),
        rule: "EB100",
        message: "invalid YAML".into(),
    }
}

#[test]
fn fixes_that_harm_together_are_judged_one_by_one() {
    let files = Files::new(&[("a", "aaaa\n")]);
    let first = Fix::unsafe_("first", vec![files.edit("a", 0..1, "A")]);
    let second = Fix::unsafe_("second", vec![files.edit("a", 2..3, "A")]);
    let mut run = FixRun::default();
    round(&mut run, 0, &[("EB001", first), ("EB003", second)]);
    let mut judged = Judged::default();
    let harm = Harm {
        path: files.path("a"),
        rule: "EB102",
        message: "duplicate key".into(),
    };
    undo(&mut run, 0, &[harm], &mut judged);
    assert!(run.workspace.is_empty());
    assert!(judged.rejected.is_empty());
    assert_eq!(judged.serial, BTreeSet::from([files.path("a")]));
    // Alone, the fix that harms is rejected, and said so without calling it a bug.
    let second = Fix::unsafe_("second", vec![files.edit("a", 2..3, "A")]);
    round(&mut run, 1, &[("EB003", second.clone())]);
    let harm = Harm {
        path: files.path("a"),
        rule: "EB102",
        message: "duplicate key".into(),
    };
    undo(&mut run, 1, &[harm], &mut judged);
    assert_eq!(judged.rejected, vec![("EB003", second)]);
    assert!(run.errors.is_empty());
    assert_eq!(run.skipped.len(), 1);
    assert!(
        run.skipped[0].contains("would bring EB102"),
        "{:?}",
        run.skipped
    );
}

#[test]
fn undo_takes_back_renames_and_executable_bits() {
    let files = Files::new(&[("a.yml", "x: 1\n"), ("hook.sh", "#!/bin/sh\n")]);
    let fix = Fix::unsafe_(
        "rename and edit",
        vec![
            Edit::Rename {
                from: files.path("a.yml"),
                to: files.path("a.config"),
            },
            files.edit("a.yml", 3..4, "2"),
            Edit::MakeExecutable {
                path: files.path("hook.sh"),
                git: false,
            },
        ],
    );
    let mut run = FixRun::default();
    round(&mut run, 0, &[("EB104", fix)]);
    assert_eq!(run.workspace.changes().count(), 2);
    undo(
        &mut run,
        0,
        &[syntax_error(&files.path("a.yml"))],
        &mut Judged::default(),
    );
    assert!(
        run.workspace.is_empty(),
        "{:?}",
        run.workspace.changes().collect::<Vec<_>>()
    );
    assert!(run.applied.is_empty());
}

#[test]
fn a_fix_that_does_not_fit_the_text_is_refused_whole() {
    let files = Files::new(&[("a", "aaaa\n"), ("b", "bé\n")]);
    let mut workspace = Workspace::default();
    let fix = Fix::safe(
        "bad",
        vec![files.edit("a", 0..1, "A"), {
            let path = files.dir.path().join("b");
            // Inside `é`: not a character boundary.
            replace(&path, "bé\n", 2..3, "e")
        }],
    );
    workspace.begin_round();
    let err = workspace.apply(&fix).unwrap_err();
    assert!(err.contains("outside the text"), "{err}");
    workspace.end_round();
    assert!(workspace.is_empty());
    let long = Fix::safe(
        "long",
        vec![files.edit("a", 0..1, "A"), {
            let path = files.dir.path().join("b");
            replace(&path, "bé\nmore", 4..7, "")
        }],
    );
    workspace.begin_round();
    assert!(workspace.apply(&long).is_err());
}

#[test]
fn insertions_at_one_place_keep_the_fix_order() {
    let files = Files::new(&[("a", "ab")]);
    let fix = Fix::safe(
        "two inserts",
        vec![
            files.edit("a", 1..1, "1"),
            files.edit("a", 1..1, "2"),
            files.edit("a", 0..0, "<"),
        ],
    );
    let mut run = FixRun::default();
    round(&mut run, 0, &[("EB001", fix)]);
    assert_eq!(run.workspace.text(&files.path("a")), Some("<a12b"));
}

#[test]
fn diff_shows_a_rename_with_its_edits_and_a_mode_change() {
    let files = Files::new(&[("01.yml", "a: 1\nb: 2\n"), ("hook.sh", "#!/bin/sh\n")]);
    std::fs::set_permissions(
        files.dir.path().join("hook.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let mut run = FixRun::default();
    round(
        &mut run,
        0,
        &[
            (
                "EB104",
                Fix::unsafe_(
                    "rename",
                    vec![Edit::Rename {
                        from: files.path("01.yml"),
                        to: files.path("01.config"),
                    }],
                ),
            ),
            (
                "EB200",
                Fix::safe(
                    "chmod",
                    vec![Edit::MakeExecutable {
                        path: files.path("hook.sh"),
                        git: false,
                    }],
                ),
            ),
        ],
    );
    // The next round's check sees the file under its new name only, and edits it there.
    let overlay = run.workspace.overlay();
    assert!(overlay.is_hidden(Path::new(&files.path("01.yml"))));
    assert_eq!(
        overlay.get(Path::new(&files.path("01.config"))),
        Some("a: 1\nb: 2\n")
    );
    let renamed = files.dir.path().join("01.config");
    let edit = replace(&renamed, "a: 1\nb: 2\n", 8..9, "3");
    round(&mut run, 1, &[("EB003", Fix::safe("edit", vec![edit]))]);
    let (a, b, hook) = (
        files.path("01.yml"),
        files.path("01.config"),
        files.path("hook.sh"),
    );
    assert_eq!(
        diff(&run.workspace),
        format!(
            "diff --git {a} {b}\nrename from {a}\nrename to {b}\n--- {a}\n+++ {b}\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n\
             diff --git {hook} {hook}\nold mode 100644\nnew mode 100755\n"
        )
    );
    // Written: the text goes to the old name, which is then renamed.
    assert!(run.workspace.write().is_empty());
    assert!(!Path::new(&a).exists());
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "a: 1\nb: 3\n");
    let mode = std::fs::metadata(&hook).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o755
    );
}

#[test]
fn scope_is_the_named_files_and_directories() {
    let files = Files::new(&[("a", ""), ("b", "")]);
    std::fs::create_dir(files.dir.path().join("d")).unwrap();
    let scope = Scope::new(&[files.dir.path().join("a"), files.dir.path().join("d")]);
    assert!(scope.contains(&files.path("a")));
    assert!(!scope.contains(&files.path("b")));
    assert!(scope.contains(&files.path("d/x/y.config")));
    assert!(scope.contains(&format!("{}/d/../a", files.dir.path().display())));
    let all: BTreeSet<_> = ["a", "b"]
        .iter()
        .filter(|n| Scope::new(&[files.dir.path().to_path_buf()]).contains(&files.path(n)))
        .collect();
    assert_eq!(all.len(), 2);
}

#[test]
fn a_rename_that_turns_on_a_broken_file_is_undone() {
    let files = Files::new(&[("a.yml", "a: [\n")]);
    let rename = Fix::unsafe_(
        "rename",
        vec![Edit::Rename {
            from: files.path("a.yml"),
            to: files.path("a.config"),
        }],
    );
    let mut run = FixRun::default();
    round(&mut run, 0, &[("EB104", rename.clone())]);
    // The check reports the syntax error under the new name.
    assert!(run.workspace.changed_this_round(&files.path("a.config")));
    let mut judged = Judged::default();
    undo(
        &mut run,
        0,
        &[syntax_error(&files.path("a.config"))],
        &mut judged,
    );
    assert!(run.workspace.is_empty());
    assert!(run.workspace.overlay().is_empty());
    assert_eq!(judged.rejected, vec![("EB104", rename)]);
    assert!(run.errors[0].contains("unreadable"), "{:?}", run.errors);
}
