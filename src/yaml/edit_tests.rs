//! Every edit primitive on every style a `.config` file is written in: the exact text it
//! produces, and that the result parses to the same data plus exactly the intended change.

use super::data::{self, describe, Data};
use super::edit::*;
use super::{parse, Document, Limits, NodeRef};

fn doc(text: &str) -> Document {
    parse(text, Limits::default()).unwrap_or_else(|e| panic!("{e:?} in:\n{text}"))
}

/// The node at `path` (mapping keys, or list indexes for sequences), aliases resolved.
fn node<'d>(d: &'d Document, path: &[&str]) -> NodeRef<'d> {
    let mut at = d.root().expect("a root");
    for step in path {
        at = match step.parse::<usize>() {
            Ok(i) if at.is_sequence() => at.items()[i],
            _ => at
                .get(step)
                .unwrap_or_else(|| panic!("no `{step}` in {path:?}")),
        };
    }
    at
}

/// The key node of the entry at `path`.
fn key<'d>(d: &'d Document, path: &[&str]) -> NodeRef<'d> {
    let (last, parent) = path.split_last().unwrap();
    node(d, parent)
        .entries()
        .into_iter()
        .find(|(k, _)| k.as_str() == Some(last))
        .map(|(k, _)| k)
        .unwrap()
}

/// Applies `edit` to `text`, checks the result is `expected` and that its data differs from
/// the original's by exactly `changes` (see [`describe`]).
fn assert_edit(text: &str, edit: Result<TextEdit, Refusal>, expected: &str, changes: &[&str]) {
    let edit = edit.unwrap_or_else(|why| panic!("refused: {why}\nin:\n{text}"));
    let mut out = text.to_string();
    out.replace_range(edit.span.clone(), &edit.text);
    assert_eq!(out, expected, "edit {edit:?}");
    let before = data::of(&doc(text)).unwrap();
    let after = data::of(&doc(&out)).unwrap();
    assert_eq!(describe(&data::diff(&before, &after)), changes, "{out}");
}

fn assert_refused(edit: Result<TextEdit, Refusal>, reason: &str) {
    match edit {
        Ok(edit) => panic!("expected a refusal ({reason}), got {edit:?}"),
        Err(why) => assert!(why.contains(reason), "{why}"),
    }
}

fn map(entries: &[(&str, New)]) -> New {
    New::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn yes() -> New {
    New::Scalar("true".into())
}

/// `insert_entry` of `leader_only: true` into the mapping at `path` gives `expected`.
fn assert_adds_leader_only(text: &str, path: &[&str], expected: &str) {
    let d = doc(text);
    let change = format!("{}/leader_only: added true", path.join("/"));
    assert_edit(
        text,
        insert_entry(text, node(&d, path), "leader_only", &yes()),
        expected,
        &[&change],
    );
}

// ---- replace_scalar, set_scalar, rename_key

#[test]
fn replace_scalar_drops_quotes() {
    let text = "container_commands:\n  c1:\n    command: x\n    leader_only: \"true\" # leader\n";
    let d = doc(text);
    assert_edit(
        text,
        replace_scalar(
            node(&d, &["container_commands", "c1", "leader_only"]),
            "true",
        ),
        "container_commands:\n  c1:\n    command: x\n    leader_only: true # leader\n",
        &["container_commands/c1/leader_only: \"true\" -> true"],
    );
}

#[test]
fn replace_scalar_in_json_and_crlf() {
    let text = "{\"a\": {\"leader_only\": \"true\", \"command\": \"x\"}}";
    let d = doc(text);
    assert_edit(
        text,
        replace_scalar(node(&d, &["a", "leader_only"]), "true"),
        "{\"a\": {\"leader_only\": true, \"command\": \"x\"}}",
        &["a/leader_only: \"true\" -> true"],
    );
    let text = "a:\r\n  leader_only: yes\r\n  command: x\r\n";
    let d = doc(text);
    assert_edit(
        text,
        replace_scalar(node(&d, &["a", "leader_only"]), "false"),
        "a:\r\n  leader_only: false\r\n  command: x\r\n",
        &["a/leader_only: true -> false"],
    );
}

#[test]
fn set_scalar_keeps_the_quotes() {
    let text = "o:\n  - {option_name: Timeout, value: '600'}\n  - value: \"600\"\n  - value: 600\n";
    let d = doc(text);
    let expect = |i: &str, out: &str, change: &str| {
        assert_edit(
            text,
            set_scalar(node(&d, &["o", i, "value"]), "1800"),
            out,
            &[change],
        )
    };
    expect(
        "0",
        "o:\n  - {option_name: Timeout, value: '1800'}\n  - value: \"600\"\n  - value: 600\n",
        "o/0/value: \"600\" -> \"1800\"",
    );
    expect(
        "1",
        "o:\n  - {option_name: Timeout, value: '600'}\n  - value: \"1800\"\n  - value: 600\n",
        "o/1/value: \"600\" -> \"1800\"",
    );
    expect(
        "2",
        "o:\n  - {option_name: Timeout, value: '600'}\n  - value: \"600\"\n  - value: 1800\n",
        "o/2/value: 600 -> 1800",
    );
}

#[test]
fn set_scalar_refuses_block_and_tagged_scalars() {
    let d = doc("a: |\n  600\nb: !Ref X\nc: {d: 1}\n");
    assert_refused(set_scalar(node(&d, &["a"]), "1"), "block scalar");
    assert_refused(set_scalar(node(&d, &["b"]), "1"), "tagged");
    assert_refused(set_scalar(node(&d, &["c"]), "1"), "not a single scalar");
}

#[test]
fn rename_key_keeps_quotes() {
    for (text, out) in [
        ("a:\n  leaderOnly: true\n", "a:\n  leader_only: true\n"),
        ("a:\n  'leaderOnly': true\n", "a:\n  'leader_only': true\n"),
        (
            "{\"a\": {\"leaderOnly\": true}}\n",
            "{\"a\": {\"leader_only\": true}}\n",
        ),
    ] {
        let d = doc(text);
        assert_edit(
            text,
            rename_key(key(&d, &["a", "leaderOnly"]), "leader_only"),
            out,
            &["a/leaderOnly: removed true", "a/leader_only: added true"],
        );
    }
}

// ---- aliases and anchors: never edited through

#[test]
fn aliases_are_refused_with_a_reason() {
    let text = "base: &b\n  command: x\n  leader_only: \"true\"\nflag: &f \"true\"\nc1: *b\nc2:\n  command: y\n  leader_only: *f\nc3:\n  <<: *b\n  cwd: /x\n";
    let d = doc(text);
    // The alias itself: editing what it points to changes every place that uses it.
    assert_refused(
        replace_scalar(node(&d, &["c2", "leader_only"]), "true"),
        "alias",
    );
    assert_refused(
        insert_entry(text, node(&d, &["c1"]), "cwd", &New::Scalar("/x".into())),
        "alias",
    );
    // The anchored values: aliases elsewhere share them.
    assert_refused(replace_scalar(node(&d, &["flag"]), "true"), "anchored");
    assert_refused(
        replace_scalar(node(&d, &["base", "leader_only"]), "true"),
        "anchored",
    );
    assert_refused(
        insert_entry(text, node(&d, &["base"]), "cwd", &New::Scalar("/y".into())),
        "anchored",
    );
    assert_refused(rename_key(key(&d, &["base", "command"]), "cmd"), "anchored");
    // A key that a `<<` merge brings in belongs to the anchored mapping.
    let c3 = node(&d, &["c3"]);
    assert_refused(
        remove_entry(text, c3, key(&d, &["c3", "leader_only"]), "(gone)"),
        "merge",
    );
    assert_refused(rename_key(key(&d, &["c3", "command"]), "cmd"), "anchored");
}

#[test]
fn a_mapping_with_a_merge_key_takes_own_entries() {
    let text = "base: &b {command: x}\nc:\n  <<: *b\n  cwd: /x\n";
    assert_adds_leader_only(
        text,
        &["c"],
        "base: &b {command: x}\nc:\n  <<: *b\n  cwd: /x\n  leader_only: true\n",
    );
    // The merge is the last entry: the new key goes after it, and still wins over the
    // anchored mapping's keys, as own keys do.
    let text = "base: &b {command: x, cwd: /a}\nc:\n  cwd: /x\n  <<: *b\n";
    assert_adds_leader_only(
        text,
        &["c"],
        "base: &b {command: x, cwd: /a}\nc:\n  cwd: /x\n  <<: *b\n  leader_only: true\n",
    );
    let d = doc(text);
    assert_edit(
        text,
        remove_entry(text, node(&d, &["c"]), key(&d, &["c", "cwd"]), "(gone)"),
        "base: &b {command: x, cwd: /a}\nc:\n  # cwd: /x (gone)\n  <<: *b\n",
        &["c/cwd: \"/x\" -> \"/a\""],
    );
}

#[test]
fn an_anchor_without_aliases_is_edited() {
    let text = "a: &lonely\n  leader_only: \"true\"\n";
    let d = doc(text);
    assert_edit(
        text,
        replace_scalar(node(&d, &["a", "leader_only"]), "true"),
        "a: &lonely\n  leader_only: true\n",
        &["a/leader_only: \"true\" -> true"],
    );
}

#[test]
fn removing_an_entry_that_holds_a_used_anchor_is_refused() {
    let text = "a:\n  timeout: &t 600\n  command: x\nb:\n  n: *t\n";
    let d = doc(text);
    assert_refused(
        remove_entry(text, node(&d, &["a"]), key(&d, &["a", "timeout"]), "(gone)"),
        "anchored",
    );
}

// ---- insert_entry in block style

#[test]
fn insert_after_the_last_key() {
    let text = "container_commands:\n  01_migrate:\n    command: x\n  02_b:\n    command: y\n";
    assert_adds_leader_only(text, &["container_commands", "01_migrate"], "container_commands:\n  01_migrate:\n    command: x\n    leader_only: true\n  02_b:\n    command: y\n");
}

#[test]
fn insert_after_a_comment_on_the_last_value() {
    let text = "a:\n  command: x\n  timeout: 600  # ten minutes\n# the end\n";
    assert_adds_leader_only(
        text,
        &["a"],
        "a:\n  command: x\n  timeout: 600  # ten minutes\n  leader_only: true\n# the end\n",
    );
}

#[test]
fn insert_at_the_end_of_the_file_with_and_without_a_newline() {
    for (text, out) in [
        (
            "a:\n  command: x\n",
            "a:\n  command: x\n  leader_only: true\n",
        ),
        ("a:\n  command: x", "a:\n  command: x\n  leader_only: true"),
        (
            "a:\n  command: x\n\n\n# trailing comment\n",
            "a:\n  command: x\n  leader_only: true\n\n\n# trailing comment\n",
        ),
    ] {
        assert_adds_leader_only(text, &["a"], out);
    }
}

#[test]
fn insert_after_a_nested_mapping() {
    let text = "a:\n  command: x\n  env:\n    A: \"1\"\n    B:\n      - c\nb: 1\n";
    assert_adds_leader_only(
        text,
        &["a"],
        "a:\n  command: x\n  env:\n    A: \"1\"\n    B:\n      - c\n  leader_only: true\nb: 1\n",
    );
}

#[test]
fn insert_after_block_scalars() {
    for (text, out) in [
        (
            "a:\n  command: |\n    echo 1\n    echo 2\nb: 1\n",
            "a:\n  command: |\n    echo 1\n    echo 2\n  leader_only: true\nb: 1\n",
        ),
        (
            "a:\n  command: >-\n    echo 1\n    echo 2\n\n\nb: 1\n",
            "a:\n  command: >-\n    echo 1\n    echo 2\n  leader_only: true\n\n\nb: 1\n",
        ),
        (
            "a:\n  command: |\n    echo 1\n",
            "a:\n  command: |\n    echo 1\n  leader_only: true\n",
        ),
        // The end of the file without a line break: a line after would add one to the text
        // (unless it is stripped anyway), so the key goes before the last entry.
        (
            "a:\n  cwd: /x\n  command: |\n    echo 1",
            "a:\n  cwd: /x\n  leader_only: true\n  command: |\n    echo 1",
        ),
        (
            "a:\n  command: >+\n    echo 1",
            "a:\n  leader_only: true\n  command: >+\n    echo 1",
        ),
        (
            "a:\n  command: |-\n    echo 1",
            "a:\n  command: |-\n    echo 1\n  leader_only: true",
        ),
        // Keep chomping: the blank lines belong to the value, so the key goes after them.
        (
            "a:\n  command: |+\n    echo 1\n\nb: 1\n",
            "a:\n  command: |+\n    echo 1\n\n  leader_only: true\nb: 1\n",
        ),
    ] {
        assert_adds_leader_only(text, &["a"], out);
    }
}

#[test]
fn insert_quotes_like_the_last_key() {
    for (text, out) in [
        (
            "a:\n  'command': x\n",
            "a:\n  'command': x\n  'leader_only': true\n",
        ),
        (
            "a:\n  \"command\": x\n",
            "a:\n  \"command\": x\n  \"leader_only\": true\n",
        ),
    ] {
        assert_adds_leader_only(text, &["a"], out);
    }
}

#[test]
fn insert_keeps_crlf() {
    let text = "a:\r\n  command: x # run\r\nb: 1\r\n";
    assert_adds_leader_only(
        text,
        &["a"],
        "a:\r\n  command: x # run\r\n  leader_only: true\r\nb: 1\r\n",
    );
}

#[test]
fn insert_into_a_sequence_item_mapping() {
    let text = "commands:\n  - command: x\n    cwd: /y\n  - command: z\n";
    assert_adds_leader_only(
        text,
        &["commands", "0"],
        "commands:\n  - command: x\n    cwd: /y\n    leader_only: true\n  - command: z\n",
    );
    assert_adds_leader_only(
        text,
        &["commands", "1"],
        "commands:\n  - command: x\n    cwd: /y\n  - command: z\n    leader_only: true\n",
    );
}

#[test]
fn insert_a_nested_mapping_in_block_style() {
    let text = "option_settings:\n    aws:elasticbeanstalk:application:environment:\n        A: b\ncontainer_commands:\n    c1: {command: x}\n";
    let d = doc(text);
    let value = map(&[("Timeout", New::Scalar("1800".into()))]);
    assert_edit(
        text,
        insert_entry(text, node(&d, &["option_settings"]), "aws:elasticbeanstalk:command", &value),
        "option_settings:\n    aws:elasticbeanstalk:application:environment:\n        A: b\n    aws:elasticbeanstalk:command:\n        Timeout: 1800\ncontainer_commands:\n    c1: {command: x}\n",
        &["option_settings/aws:elasticbeanstalk:command: added {\"Timeout\": 1800}"],
    );
    // At the top level.
    let text = "container_commands:\n  c1:\n    command: x\n";
    let d = doc(text);
    let value = map(&[(
        "aws:elasticbeanstalk:command",
        map(&[("Timeout", New::Scalar("1800".into()))]),
    )]);
    assert_edit(
        text,
        insert_entry(text, d.root().unwrap(), "option_settings", &value),
        "container_commands:\n  c1:\n    command: x\noption_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 1800\n",
        &["option_settings: added {\"aws:elasticbeanstalk:command\": {\"Timeout\": 1800}}"],
    );
}

// ---- insert_entry in flow style and JSON

#[test]
fn insert_into_a_flow_mapping() {
    let text = "a: {command: x, cwd: /y}  # c\nb: 1\n";
    assert_adds_leader_only(
        text,
        &["a"],
        "a: {command: x, cwd: /y, leader_only: true}  # c\nb: 1\n",
    );
}

#[test]
fn insert_into_an_empty_flow_mapping() {
    let text = "a: {}\n";
    assert_adds_leader_only(text, &["a"], "a: {leader_only: true}\n");
    let text = "{\"a\": {}}";
    assert_adds_leader_only(text, &["a"], "{\"a\": {\"leader_only\": true}}");
    let text = "{\"a\": { }}";
    assert_adds_leader_only(text, &["a"], "{\"a\": {\"leader_only\": true }}");
}

#[test]
fn insert_into_single_line_json() {
    let text = "{\"container_commands\": {\"c1\": {\"command\": \"x\"}}}\n";
    assert_adds_leader_only(
        text,
        &["container_commands", "c1"],
        "{\"container_commands\": {\"c1\": {\"command\": \"x\", \"leader_only\": true}}}\n",
    );
}

#[test]
fn insert_into_multi_line_json() {
    let text =
        "{\n  \"container_commands\": {\n    \"c1\": {\n      \"command\": \"x\"\n    }\n  }\n}\n";
    assert_adds_leader_only(text, &["container_commands", "c1"], "{\n  \"container_commands\": {\n    \"c1\": {\n      \"command\": \"x\",\n      \"leader_only\": true\n    }\n  }\n}\n");
    let value = map(&[(
        "aws:elasticbeanstalk:command",
        map(&[("Timeout", New::Scalar("\"1800\"".into()))]),
    )]);
    let d = doc(text);
    assert_edit(
        text,
        insert_entry(text, d.root().unwrap(), "option_settings", &value),
        "{\n  \"container_commands\": {\n    \"c1\": {\n      \"command\": \"x\"\n    }\n  },\n  \"option_settings\": {\n    \"aws:elasticbeanstalk:command\": {\n      \"Timeout\": \"1800\"\n    }\n  }\n}\n",
        &["option_settings: added {\"aws:elasticbeanstalk:command\": {\"Timeout\": \"1800\"}}"],
    );
}

#[test]
fn insert_into_multi_line_json_with_crlf() {
    let text = "{\r\n    \"a\": {\r\n        \"command\": \"x\"\r\n    }\r\n}";
    assert_adds_leader_only(text, &["a"], "{\r\n    \"a\": {\r\n        \"command\": \"x\",\r\n        \"leader_only\": true\r\n    }\r\n}");
}

#[test]
fn insert_into_a_json_object_inside_a_yaml_file() {
    // Flow style inside a block file: keys quoted like the last sibling's.
    let text = "container_commands:\n  c1: {\"command\": \"x\"}\n";
    assert_adds_leader_only(
        text,
        &["container_commands", "c1"],
        "container_commands:\n  c1: {\"command\": \"x\", \"leader_only\": true}\n",
    );
    let text = "container_commands:\n  c1: {}\n";
    assert_adds_leader_only(
        text,
        &["container_commands", "c1"],
        "container_commands:\n  c1: {leader_only: true}\n",
    );
}

// ---- insert_item

fn option(namespace: &str, name: &str, value: &str) -> New {
    map(&[
        ("namespace", New::Scalar(namespace.into())),
        ("option_name", New::Scalar(name.into())),
        ("value", New::Scalar(value.into())),
    ])
}

#[test]
fn insert_item_in_a_block_list() {
    let item = option("aws:elasticbeanstalk:command", "Timeout", "1800");
    for (text, out) in [
        (
            "option_settings:\n  - namespace: a\n    option_name: b\n    value: c # c\nx: 1\n",
            "option_settings:\n  - namespace: a\n    option_name: b\n    value: c # c\n  - namespace: aws:elasticbeanstalk:command\n    option_name: Timeout\n    value: 1800\nx: 1\n",
        ),
        (
            "option_settings:\n- namespace: a\n  option_name: b\n  value: c",
            "option_settings:\n- namespace: a\n  option_name: b\n  value: c\n- namespace: aws:elasticbeanstalk:command\n  option_name: Timeout\n  value: 1800",
        ),
        (
            "option_settings:\r\n  - namespace: a\r\n    value: c\r\n",
            "option_settings:\r\n  - namespace: a\r\n    value: c\r\n  - namespace: aws:elasticbeanstalk:command\r\n    option_name: Timeout\r\n    value: 1800\r\n",
        ),
    ] {
        let d = doc(text);
        let last = node(&d, &["option_settings"]).items().len();
        assert_edit(
            text,
            insert_item(text, node(&d, &["option_settings"]), &item),
            out,
            &[&format!("option_settings/{last}: added {{\"namespace\": \"aws:elasticbeanstalk:command\", \"option_name\": \"Timeout\", \"value\": 1800}}")],
        );
    }
}

#[test]
fn insert_item_in_a_flow_list() {
    let item = option("aws:elasticbeanstalk:command", "Timeout", "1800");
    let text = "option_settings: [{namespace: a, option_name: b, value: c}]\n";
    let d = doc(text);
    assert_edit(
        text,
        insert_item(text, node(&d, &["option_settings"]), &item),
        "option_settings: [{namespace: a, option_name: b, value: c}, {namespace: aws:elasticbeanstalk:command, option_name: Timeout, value: 1800}]\n",
        &["option_settings/1: added {\"namespace\": \"aws:elasticbeanstalk:command\", \"option_name\": \"Timeout\", \"value\": 1800}"],
    );
    let item = option(
        "\"aws:elasticbeanstalk:command\"",
        "\"Timeout\"",
        "\"1800\"",
    );
    let text = "{\n  \"option_settings\": [\n    {\"namespace\": \"a\", \"option_name\": \"b\", \"value\": \"c\"}\n  ]\n}\n";
    let d = doc(text);
    assert_edit(
        text,
        insert_item(text, node(&d, &["option_settings"]), &item),
        "{\n  \"option_settings\": [\n    {\"namespace\": \"a\", \"option_name\": \"b\", \"value\": \"c\"},\n    {\n      \"namespace\": \"aws:elasticbeanstalk:command\",\n      \"option_name\": \"Timeout\",\n      \"value\": \"1800\"\n    }\n  ]\n}\n",
        &["option_settings/1: added {\"namespace\": \"aws:elasticbeanstalk:command\", \"option_name\": \"Timeout\", \"value\": \"1800\"}"],
    );
    let text = "{\"option_settings\": []}";
    let d = doc(text);
    assert_edit(
        text,
        insert_item(text, node(&d, &["option_settings"]), &item),
        "{\"option_settings\": [{\"namespace\": \"aws:elasticbeanstalk:command\", \"option_name\": \"Timeout\", \"value\": \"1800\"}]}",
        &["option_settings/0: added {\"namespace\": \"aws:elasticbeanstalk:command\", \"option_name\": \"Timeout\", \"value\": \"1800\"}"],
    );
}

#[test]
fn insert_item_refuses_aliases() {
    let text = "a: &l [x]\nb: *l\n";
    let d = doc(text);
    assert_refused(insert_item(text, node(&d, &["b"]), &yes()), "alias");
    assert_refused(insert_item(text, node(&d, &["a"]), &yes()), "anchored");
}

// ---- remove_entry

const NOTE: &str = "(removed: no per-command timeout)";

#[test]
fn remove_leaves_a_comment_in_block_style() {
    for (text, out) in [
        (
            "a:\n  command: x\n  timeout: 600  # ten minutes\n",
            "a:\n  command: x\n  # timeout: 600 (removed: no per-command timeout)  # ten minutes\n",
        ),
        (
            "a:\n  timeout: 600\n  command: x",
            "a:\n  # timeout: 600 (removed: no per-command timeout)\n  command: x",
        ),
        (
            "a:\r\n  command: x\r\n  'timeout': \"600\"\r\n",
            "a:\r\n  command: x\r\n  # 'timeout': \"600\" (removed: no per-command timeout)\r\n",
        ),
        (
            "commands:\n  - command: x\n    timeout: 600\n",
            "commands:\n  - command: x\n    # timeout: 600 (removed: no per-command timeout)\n",
        ),
    ] {
        let d = doc(text);
        let mapping = d.root().unwrap().entries()[0].1;
        let mapping = if mapping.is_sequence() {
            mapping.items()[0]
        } else {
            mapping
        };
        let k = mapping
            .entries()
            .into_iter()
            .find(|(k, _)| k.as_str() == Some("timeout"))
            .unwrap()
            .0;
        let value = data::data(mapping.get("timeout").unwrap());
        let path = if text.starts_with("commands") {
            "commands/0/timeout"
        } else {
            "a/timeout"
        };
        assert_edit(
            text,
            remove_entry(text, mapping, k, NOTE),
            out,
            &[&format!("{path}: removed {value}")],
        );
    }
}

#[test]
fn remove_the_first_key_of_a_sequence_item() {
    // `- timeout: 600` cannot become a comment: the item would lose its first key's line.
    let text = "commands:\n  - timeout: 600\n    command: x\n";
    let d = doc(text);
    let item = node(&d, &["commands", "0"]);
    assert_refused(
        remove_entry(text, item, key(&d, &["commands", "0", "timeout"]), NOTE),
        "alone",
    );
}

#[test]
fn remove_refuses_entries_on_several_lines() {
    let text = "a:\n  command: x\n  timeout:\n    600\n";
    let d = doc(text);
    assert_refused(
        remove_entry(text, node(&d, &["a"]), key(&d, &["a", "timeout"]), NOTE),
        "one line",
    );
    let text = "a:\n  timeout: 600\n";
    let d = doc(text);
    assert_refused(
        remove_entry(text, node(&d, &["a"]), key(&d, &["a", "timeout"]), NOTE),
        "only key",
    );
}

#[test]
fn remove_from_flow_and_json_takes_the_comma() {
    for (text, out) in [
        ("a: {timeout: 600, command: x}\n", "a: {command: x}\n"),
        ("a: {command: x, timeout: 600}\n", "a: {command: x}\n"),
        (
            "a: {command: x, timeout: 600, cwd: /y}\n",
            "a: {command: x, cwd: /y}\n",
        ),
        (
            "{\"a\": {\"command\": \"x\", \"timeout\": \"600\"}}",
            "{\"a\": {\"command\": \"x\"}}",
        ),
        (
            "{\n  \"a\": {\n    \"command\": \"x\",\n    \"timeout\": 600\n  }\n}\n",
            "{\n  \"a\": {\n    \"command\": \"x\"\n  }\n}\n",
        ),
        (
            "{\n  \"a\": {\n    \"timeout\": 600,\n    \"command\": \"x\"\n  }\n}\n",
            "{\n  \"a\": {\n    \"command\": \"x\"\n  }\n}\n",
        ),
    ] {
        let d = doc(text);
        let value = data::data(node(&d, &["a", "timeout"]));
        assert_edit(
            text,
            remove_entry(text, node(&d, &["a"]), key(&d, &["a", "timeout"]), NOTE),
            out,
            &[&format!("a/timeout: removed {value}")],
        );
    }
}

#[test]
fn line_break_is_the_first_lines() {
    assert_eq!(line_break("a: 1\r\nb: 2\n"), "\r\n");
    assert_eq!(line_break("a: 1\nb: 2\r\n"), "\n");
    assert_eq!(line_break("a: 1"), "\n");
}

// ---- the data tree itself

#[test]
fn data_reads_scalars_as_yaml_1_1_does() {
    let d = doc("a: yes\nb: \"yes\"\nc: 0755\nd: 0x1F\ne: 1_000\nf: 1:30\ng: 1.5\nh: 1e3\ni: ~\nj:\nk: !Ref X\nl: '1'\nm: 09\nn: -12\n");
    let expected = "{\"a\": true, \"b\": \"yes\", \"c\": 493, \"d\": 31, \"e\": 1000, \"f\": 90, \"g\": 1.5, \"h\": \"1e3\", \"i\": null, \"j\": null, \"k\": !Ref \"X\", \"l\": \"1\", \"m\": \"09\", \"n\": -12}";
    assert_eq!(data::of(&d).unwrap().to_string(), expected);
}

#[test]
fn data_applies_merges_as_pyyaml_does() {
    // Own keys win over merged ones; of two merged sources the first wins; of two equal own
    // keys the last wins but keeps the first one's place.
    let d =
        doc("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  w: 0\n  <<: [*a, *b]\n  x: 3\n  w: 4\n");
    let c = data::data(node(&d, &["c"]));
    assert_eq!(c.to_string(), "{\"y\": 1, \"z\": 2, \"x\": 3, \"w\": 4}");
    assert_eq!(
        c,
        Data::Map(vec![
            (Data::Str("y".into()), Data::Int(1)),
            (Data::Str("z".into()), Data::Int(2)),
            (Data::Str("x".into()), Data::Int(3)),
            (Data::Str("w".into()), Data::Int(4)),
        ])
    );
}

#[test]
fn data_diff_names_each_change() {
    let before = data::of(&doc("a: {x: 1, y: [1, 2]}\nb: 1\n")).unwrap();
    let after = data::of(&doc("a: {x: \"1\", y: [1]}\nc: 1\n")).unwrap();
    assert_eq!(
        describe(&data::diff(&before, &after)),
        [
            "a/x: 1 -> \"1\"",
            "a/y/1: removed 2",
            "b: removed 1",
            "c: added 1"
        ]
    );
}

#[test]
fn insert_after_an_empty_value() {
    for (text, out) in [
        (
            "a:\n  test:\n  cwd:\nb: 1\n",
            "a:\n  test:\n  cwd:\n  leader_only: true\nb: 1\n",
        ),
        (
            "a:\n  test:\n  cwd:",
            "a:\n  test:\n  cwd:\n  leader_only: true",
        ),
        (
            "a:\n  test:\n  cwd: # none\n",
            "a:\n  test:\n  cwd: # none\n  leader_only: true\n",
        ),
    ] {
        assert_adds_leader_only(text, &["a"], out);
    }
}

#[test]
fn insert_into_a_multi_line_yaml_flow_mapping() {
    let text = "a: {\n    command: x,\n    cwd: /y\n  }\n";
    assert_adds_leader_only(
        text,
        &["a"],
        "a: {\n    command: x,\n    cwd: /y,\n    leader_only: true\n  }\n",
    );
    // A trailing comma, which YAML flow style allows.
    let text = "a: {command: x, }\n";
    assert_adds_leader_only(text, &["a"], "a: {command: x, leader_only: true, }\n");
}

#[test]
fn insert_a_nested_mapping_into_a_flow_mapping() {
    let value = map(&[("Timeout", New::Scalar("1800".into()))]);
    let text = "option_settings: {aws:elasticbeanstalk:application:environment: {A: b}}\n";
    let d = doc(text);
    assert_edit(
        text,
        insert_entry(text, node(&d, &["option_settings"]), "aws:elasticbeanstalk:command", &value),
        "option_settings: {aws:elasticbeanstalk:application:environment: {A: b}, aws:elasticbeanstalk:command: {Timeout: 1800}}\n",
        &["option_settings/aws:elasticbeanstalk:command: added {\"Timeout\": 1800}"],
    );
}

#[test]
fn nested_mappings_take_the_files_step_not_a_block_scalars() {
    // The block scalar's lines are indented by one space; the mappings step by four.
    let text = "a: |\n x\ncontainer_commands:\n    c1:\n        command: y\n";
    let d = doc(text);
    let value = map(&[("c2", map(&[("command", New::Scalar("z".into()))]))]);
    assert_edit(
        text,
        insert_entry(text, d.root().unwrap(), "commands", &value),
        "a: |\n x\ncontainer_commands:\n    c1:\n        command: y\ncommands:\n    c2:\n        command: z\n",
        &["commands: added {\"c2\": {\"command\": \"z\"}}"],
    );
}

#[test]
fn json_nested_values_take_the_objects_step() {
    let text = "{\n    \"container_commands\": {\n        \"c1\": {\"command\": \"x\"}\n    }\n}\n";
    let d = doc(text);
    let value = map(&[(
        "aws:elasticbeanstalk:command",
        map(&[("Timeout", New::Scalar("\"1800\"".into()))]),
    )]);
    assert_edit(
        text,
        insert_entry(text, d.root().unwrap(), "option_settings", &value),
        "{\n    \"container_commands\": {\n        \"c1\": {\"command\": \"x\"}\n    },\n    \"option_settings\": {\n        \"aws:elasticbeanstalk:command\": {\n            \"Timeout\": \"1800\"\n        }\n    }\n}\n",
        &["option_settings: added {\"aws:elasticbeanstalk:command\": {\"Timeout\": \"1800\"}}"],
    );
}

#[test]
fn no_line_after_a_block_scalar_that_ends_the_file_without_a_break() {
    let text = "commands:\n  - command: |\n      echo 1";
    let d = doc(text);
    assert_refused(
        insert_entry(text, node(&d, &["commands", "0"]), "leader_only", &yes()),
        "line break",
    );
    assert_refused(
        insert_item(text, node(&d, &["commands"]), &yes()),
        "line break",
    );
}
