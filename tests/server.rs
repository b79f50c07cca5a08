//! `ebguard server` driven end to end as an editor drives it: JSON-RPC with `Content-Length`
//! framing over the built binary's stdin/stdout, no library shortcut. A second, independent
//! client (pytest-lsp) runs from tests/server_pytest_lsp.rs.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A language client speaking to `ebguard server`.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for something else.
    seen: Vec<Value>,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ebguard"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ebguard server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = Some(n.parse::<usize>().unwrap());
                }
            }
            let mut body = vec![0; length.expect("every message has a Content-Length")];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            seen: Vec::new(),
        };
        let uri = uri(root);
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "w"}],
                "capabilities": {"workspace": {"configuration": false}},
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "ebguard");
        assert_eq!(init["capabilities"]["hoverProvider"], true);
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    /// The next message matching `wanted`, within 20 s.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&wanted) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("timed out; messages so far: {:#?}", self.seen));
            if wanted(&message) {
                return message;
            }
            self.seen.push(message);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit after shutdown is exit code 0");
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const MIGRATE: &str =
    "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate --noinput\n";
const GUARDED: &str = "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate --noinput\n    leader_only: true\n";

/// A bundle in a temporary directory: `.ebextensions/01_django.config` holds `config`.
fn bundle(config: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".ebextensions")).unwrap();
    std::fs::write(root.join(".ebextensions/01_django.config"), config).unwrap();
    (dir, root)
}

#[test]
fn diagnostics_follow_unsaved_edits_with_hover_and_a_suppression_that_works() {
    let (_dir, root) = bundle(GUARDED);
    let mut client = Client::start(&root);
    let file = uri(&root.join(".ebextensions/01_django.config"));
    // The editor's buffer differs from the disk: the unsaved text is what counts.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "yaml", "version": 1, "text": MIGRATE}}),
    );
    let diagnostics = client.diagnostics(&file);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "EB001");
    assert_eq!(d["source"], "ebguard");
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["range"],
        json!({"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 12}})
    );
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("rules/EB001-migration-not-leader-only.md"));
    assert!(d["message"].as_str().unwrap().contains("help: "));

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": {"line": 1, "character": 5}}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with("**EB001 `migration-not-leader-only`**"),
        "{shown}"
    );
    assert!(
        shown.contains("# EB001"),
        "the rule's documentation: {shown}"
    );
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": {"line": 2, "character": 30}}),
    );
    assert_eq!(nothing, Value::Null, "no hover away from findings");

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file},
            "range": d["range"],
            "context": {"diagnostics": [d]},
        }),
    );
    // A finding's own fixes come first; the suppression is the one that names the rule.
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress EB001"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "EB001");
    let edit = &action["edit"]["changes"][&file][0];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}})
    );
    let comment = edit["newText"].as_str().unwrap();
    assert!(
        comment.starts_with("  # ebguard: ignore[EB001] "),
        "{comment:?}"
    );

    // Applying the suggested edit (an incremental change) silences the finding.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": file, "version": 2},
            "contentChanges": [{"range": edit["range"], "text": comment}],
        }),
    );
    let after = client.diagnostics(&file);
    assert!(after.is_empty(), "{after:#?}");

    // An edit that fixes the problem (full text) clears it as well; a new one brings it back.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file, "version": 3}, "contentChanges": [{"text": MIGRATE}]}),
    );
    assert_eq!(client.diagnostics(&file).len(), 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file, "version": 4}, "contentChanges": [{"text": GUARDED}]}),
    );
    let message = client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == file.as_str()
    });
    assert_eq!(message["params"]["diagnostics"], json!([]));
    assert_eq!(message["params"]["version"], 4);
    client.shutdown();
}

#[test]
fn findings_in_other_files_of_the_bundle_and_the_configuration() {
    // The deployment Timeout lives in another file: EB002 points there, and is published
    // for that file when the open one makes the bundle migrate.
    let (_dir, root) =
        bundle("option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 60\n");
    let mut client = Client::start(&root);
    let other = uri(&root.join(".ebextensions/01_django.config"));
    let open = uri(&root.join(".ebextensions/02_migrate.config"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": open, "languageId": "yaml", "version": 1, "text": GUARDED}}),
    );
    let there = client.diagnostics(&other);
    assert!(
        there.iter().any(|d| d["code"] == "EB002"),
        "EB002 on the file that sets Timeout: {there:#?}"
    );

    // A broken ebguard.toml is shown on that file, at its line; fixing it (unsaved) applies.
    let toml = uri(&root.join("ebguard.toml"));
    std::fs::write(root.join("ebguard.toml"), "").unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": toml, "languageId": "toml", "version": 1, "text": "select = [\"EB001\"]\nmin-timeout = 5\n"}}),
    );
    let problems = client.diagnostics(&toml);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["range"]["start"]["line"], 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": toml, "version": 2}, "contentChanges": [{"text": "ignore = [\"EB002\"]\n"}]}),
    );
    // The ignored rule disappears from the other file.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = client.diagnostics(&other);
        if !now.iter().any(|d| d["code"] == "EB002") {
            break;
        }
        assert!(Instant::now() < deadline, "EB002 still shown: {now:#?}");
    }

    // minSeverity hides what is below it.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ebguard": {"minSeverity": "error"}}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": open, "version": 2}, "contentChanges": [{"text": "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n    leader_only: \"true\"\n"}]}),
    );
    // EB010 (a warning: `leader_only` is a string) is hidden at minSeverity error.
    let checked = client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == open.as_str()
            && m["params"]["version"] == 2
    });
    assert_eq!(checked["params"]["diagnostics"], json!([]));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ebguard": {"minSeverity": "info"}}}),
    );
    client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == open.as_str()
            && m["params"]["diagnostics"][0]["code"] == "EB010"
    });
    client.shutdown();
}

#[test]
fn hooks_get_diagnostics_and_a_suppression_below_the_shebang() {
    let (_dir, root) = bundle(GUARDED);
    let hooks = root.join(".platform/hooks/predeploy");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("01_migrate.sh");
    std::fs::write(&hook, "#!/bin/bash\necho hi\n").unwrap();
    let mut client = Client::start(&root);
    let file = uri(&hook);
    // Never saved with CRLF; the buffer has them: EB201 on line 1.
    let text = "#!/bin/bash\r\necho hi\r\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "shellscript", "version": 1, "text": text}}),
    );
    let d = client.diagnostics(&file);
    let crlf = d
        .iter()
        .find(|d| d["code"] == "EB201")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(crlf["range"]["start"]["line"], 0);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file}, "range": crlf["range"], "context": {"diagnostics": [crlf]}}),
    );
    let suppress = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("EB201"))
        .unwrap();
    let edit = &suppress["edit"]["changes"][&file][0];
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 0}));
    assert!(edit["newText"]
        .as_str()
        .unwrap()
        .starts_with("# ebguard: ignore[EB201] "));
    client.shutdown();
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let (_dir, root) = bundle(GUARDED);
    let mut client = Client::start(&root);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn related_places_and_files_ebguard_does_not_read_as_configuration() {
    let (_dir, root) = bundle(GUARDED);
    let mut client = Client::start(&root);
    // EB102: the second `01_migrate` replaces the first, which is the related place.
    let file = uri(&root.join(".ebextensions/02_dup.config"));
    let text = "container_commands:\n  01_migrate:\n    command: echo one\n  01_migrate:\n    command: echo two\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let d = client.diagnostics(&file);
    let dup = d
        .iter()
        .find(|d| d["code"] == "EB102")
        .unwrap_or_else(|| panic!("{d:#?}"));
    let related = &dup["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], file.as_str());
    assert_ne!(related["location"]["range"], dup["range"]);
    assert!(!related["message"].as_str().unwrap().is_empty());

    // A `.yml` in .ebextensions is never read by EB (EB104), and a clean open file still hears
    // back with an empty list.
    let yml = uri(&root.join(".ebextensions/03_settings.yml"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": yml, "languageId": "yaml", "version": 1, "text": "option_settings: {}\n"}}),
    );
    let d = client.diagnostics(&yml);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["code"], "EB104");
    let clean = uri(&root.join(".ebextensions/01_django.config"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": clean, "languageId": "yaml", "version": 7, "text": GUARDED}}),
    );
    let message = client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == clean.as_str()
    });
    assert_eq!(message["params"]["diagnostics"], json!([]));
    assert_eq!(message["params"]["version"], 7);
    client.shutdown();
}

/// `text` with an LSP edit applied (positions in UTF-16 units).
fn apply(text: &str, edit: &Value) -> String {
    let offset = |at: &Value| {
        let line = at["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = at["character"].as_u64().unwrap() as usize;
        let mut end = start;
        for c in text[start..].chars() {
            if units == 0 || c == '\n' {
                break;
            }
            units -= c.len_utf16();
            end += c.len_utf8();
        }
        end
    };
    let range = &edit["range"];
    let mut out = text.to_string();
    out.replace_range(
        offset(&range["start"])..offset(&range["end"]),
        edit["newText"].as_str().unwrap(),
    );
    out
}

/// EB010 (a quoted `"true"`: safe to unquote; `yes`: unsafe) after an emoji on the line, so the
/// edit's columns are UTF-16 units, and EB003's `timeout:` (safe to remove).
const FIXABLE: &str = "container_commands:\n  01_migrate: {command: \"echo \u{1F600} && php artisan migrate --force\", leader_only: \"true\"}\n  02_seed:\n    command: php artisan db:seed --force\n    leader_only: yes\n    timeout: 1800\n";

#[test]
fn fixes_are_quick_fixes_and_fix_all_applies_the_safe_ones() {
    let (_dir, root) = bundle(GUARDED);
    let mut client = Client::start(&root);
    let file = uri(&root.join(".ebextensions/02_fixable.config"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "yaml", "version": 1, "text": FIXABLE}}),
    );
    let d = client.diagnostics(&file);
    let on_line = |line: u64| {
        d.iter()
            .find(|d| d["code"] == "EB010" && d["range"]["start"]["line"] == line)
            .unwrap_or_else(|| panic!("{d:#?}"))
            .clone()
    };
    let (quoted, yes) = (on_line(1), on_line(4));
    let actions_for = |client: &mut Client, d: &Value| {
        client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": file}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
    };

    let actions = actions_for(&mut client, &quoted);
    let fix = &actions[0];
    assert_eq!(fix["title"], "Write `leader_only: true`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "EB010");
    let edit = &fix["edit"]["changes"][&file][0];
    // `"true"` starts after 78 code points, one of them the emoji: 79 UTF-16 units.
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 1, "character": 79}, "end": {"line": 1, "character": 85}})
    );
    assert_eq!(edit["newText"], "true");
    assert!(actions[1]["title"]
        .as_str()
        .unwrap()
        .starts_with("Suppress EB010"));
    // Without `only`, the file's fix-all comes last; asking for quick fixes leaves it out.
    assert_eq!(actions[2]["kind"], "source.fixAll.ebguard", "{actions:#?}");
    let quick = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file}, "range": quoted["range"], "context": {"diagnostics": [quoted], "only": ["quickfix"]}}),
    );
    let kinds: Vec<&Value> = quick
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["kind"])
        .collect();
    assert_eq!(kinds, [&json!("quickfix"), &json!("quickfix")]);

    // The unsafe fix is offered, marked, and never preferred.
    let actions = actions_for(&mut client, &yes);
    assert_eq!(actions[0]["title"], "Write `leader_only: true` (unsafe)");
    assert!(actions[0].get("isPreferred").is_none(), "{actions:#?}");

    // Fix all (what an editor runs on save): both safe fixes, not the unsafe one.
    let all = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["kind"], "source.fixAll.ebguard");
    let edits = all[0]["edit"]["changes"][&file].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let fixed = apply(FIXABLE, &edits[0]);
    assert!(fixed.contains("leader_only: true}"), "{fixed}");
    assert!(fixed.contains("leader_only: yes\n"), "{fixed}");
    assert!(!fixed.contains("\n    timeout:"), "{fixed}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file, "version": 2}, "contentChanges": [{"range": edits[0]["range"], "text": edits[0]["newText"]}]}),
    );
    let left = client.diagnostics(&file);
    let codes: Vec<&Value> = left.iter().map(|d| &d["code"]).collect();
    assert_eq!(
        codes,
        [&json!("EB010")],
        "only the unsafe fix is left: {left:#?}"
    );

    // A buffer changed since the check: the fix's offsets no longer hold, so it is not offered
    // (the request is answered before the debounced re-check).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file, "version": 3}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# moved\n"}]}),
    );
    let stale = actions_for(&mut client, &left[0]);
    assert!(
        stale
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a["title"].as_str().unwrap().starts_with("Write")),
        "{stale:#?}"
    );
    client.shutdown();
}
