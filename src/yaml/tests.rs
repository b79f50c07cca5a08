use super::*;

fn doc(text: &str) -> Document {
    parse(text, Limits::default()).expect("parses")
}

#[test]
fn keys_and_values_keep_byte_spans() {
    let text = "container_commands:\n  01_migrate:\n    command: \"python manage.py migrate\"\n";
    let d = doc(text);
    let root = d.root().unwrap();
    let (key, cmds) = root.entries()[0];
    assert_eq!(&text[key.span()], "container_commands");
    let (name, body) = cmds.entries()[0];
    assert_eq!(&text[name.span()], "01_migrate");
    let command = body.get("command").unwrap();
    assert_eq!(&text[command.span()], "\"python manage.py migrate\"");
    assert_eq!(command.as_str(), Some("python manage.py migrate"));
}

#[test]
fn json_parses_with_spans() {
    let text = r#"{"option_settings": [{"namespace": "aws:elasticbeanstalk:command", "option_name": "Timeout", "value": "1200"}]}"#;
    let d = doc(text);
    let value = d.root().unwrap().get("option_settings").unwrap().items()[0]
        .get("value")
        .unwrap();
    assert_eq!(&text[value.span()], "\"1200\"");
}

#[test]
fn cloudformation_tags_and_functions_parse() {
    let text = "Resources:\n  q:\n    Properties:\n      A: !Ref AWSEBSecurityGroup\n      B: {\"Fn::GetOptionSetting\": {\"OptionName\": \"X\"}}\n      C: '`{\"Ref\": \"AWS::Region\"}`'\n";
    let d = doc(text);
    let props = d
        .root()
        .unwrap()
        .get("Resources")
        .unwrap()
        .get("q")
        .unwrap()
        .get("Properties")
        .unwrap();
    let a = props.get("A").unwrap();
    assert_eq!(a.tag(), Some("!Ref"));
    assert_eq!(&text[a.span()], "!Ref AWSEBSecurityGroup");
    assert!(props.get("B").unwrap().is_mapping());
}

#[test]
fn booleans_follow_yaml_1_2_plain_scalars_only() {
    let d = doc("a: true\nb: \"true\"\nc: yes\nd: False\n");
    let r = d.root().unwrap();
    assert_eq!(r.get("a").unwrap().as_bool(), Some(true));
    assert_eq!(r.get("b").unwrap().as_bool(), None);
    assert_eq!(r.get("c").unwrap().as_bool(), None);
    assert_eq!(r.get("d").unwrap().as_bool(), Some(false));
}

#[test]
fn duplicate_keys_are_recorded_with_both_spans() {
    let text = "option_settings: {}\ncommands: {}\n\"option_settings\": {}\n";
    let d = doc(text);
    assert_eq!(d.duplicate_keys.len(), 1);
    let dup = &d.duplicate_keys[0];
    assert_eq!(dup.key, "option_settings");
    assert_eq!(dup.first.start, 0);
    assert_eq!(&text[dup.second.clone()], "\"option_settings\"");
}

#[test]
fn aliases_resolve_and_merge_keys_apply() {
    let d = doc(
        "base: &b {leader_only: true, cwd: /x}\nc1:\n  <<: *b\n  cwd: /y\nflag: &t true\nuse: *t\n",
    );
    let r = d.root().unwrap();
    let c1 = r.get("c1").unwrap();
    assert_eq!(c1.get("leader_only").unwrap().as_bool(), Some(true));
    assert_eq!(c1.get("cwd").unwrap().as_str(), Some("/y"));
    assert_eq!(r.get("use").unwrap().as_bool(), Some(true));
    assert!(r.get("use").unwrap().is_alias());
}

#[test]
fn comments_are_kept() {
    let text = "commands: # ebguard: ignore[EB005]\n  a: {command: x}\n";
    let d = doc(text);
    assert_eq!(d.comments.len(), 1);
    assert_eq!(d.comments[0].text, " ebguard: ignore[EB005]");
    assert_eq!(
        &text[d.comments[0].span.clone()],
        "# ebguard: ignore[EB005]"
    );
}

#[test]
fn tabs_are_a_positioned_error() {
    let text = "commands:\n\tx: {command: y}\n";
    let err = parse(text, Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 10, "{err:?}");
}

#[test]
fn alias_bombs_are_refused_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let started = std::time::Instant::now();
    let err = parse(&text, Limits::default()).unwrap_err();
    assert!(err.message.contains("alias bomb"), "{err:?}");
    assert!(started.elapsed().as_millis() < 500);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = "[".repeat(100_000);
    let err = parse(&text, Limits::default()).unwrap_err();
    assert!(err.span.start <= 200, "{err:?}");
    assert!(err.message.contains("deeper than 128 levels"), "{err:?}");
}

#[test]
fn a_second_document_is_an_error() {
    let err = parse("a: 1\n---\nb: 2\n", Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 5);
}

#[test]
fn empty_file_has_no_root() {
    assert!(doc("").root().is_none());
    assert!(doc("# only a comment\n").root().is_none());
}

#[test]
fn block_collections_end_with_their_last_entry() {
    let text = "commands:\n  - yum install -y git\n\ncontainer_commands:\n  a:\n    command: {run: x}\n  b: {}\n";
    let d = doc(text);
    let r = d.root().unwrap();
    assert_eq!(
        &text[r.get("commands").unwrap().span()],
        "- yum install -y git"
    );
    let a = r.get("container_commands").unwrap().get("a").unwrap();
    assert_eq!(&text[a.span()], "command: {run: x}");
    assert_eq!(&text[a.get("command").unwrap().span()], "{run: x}");
}

#[test]
fn a_block_scalar_at_the_end_of_the_file_keeps_only_line_breaks_it_has() {
    for (text, value) in [
        ("a: |\n  x\n  y", "x\ny"),
        ("a: |\n  x\n  y\n", "x\ny\n"),
        ("a: >\n  x\n  y", "x y"),
        ("a: |-\n  x\n", "x"),
        ("a: |\n  x\nb: 1", "x\n"),
    ] {
        let d = doc(text);
        assert_eq!(
            d.root().unwrap().get("a").unwrap().as_str(),
            Some(value),
            "{text:?}"
        );
    }
}
