//! The `eb deploy` arguments that change what is uploaded, read as the EB CLI's argparse
//! reads them (`ebcli/controllers/deploy.py`): `--staged`, `-l/--label`, `--archive`,
//! `--modules a b ...`, and `--version`/`--source`, which upload nothing local.

use std::path::PathBuf;

use ebguard::bundle::shipped::Request;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct EbDeploy {
    pub request: Request,
    /// `--modules`: each module directory is its own upload.
    pub modules: Option<Vec<String>>,
    /// `--version` or `--source`: the flag that makes the upload remote.
    pub remote: Option<&'static str>,
}

/// The value of `--flag VALUE` or `--flag=VALUE` at `args[*i]`, advancing `i` past it.
fn value(args: &[String], i: &mut usize, names: &[&str]) -> Option<String> {
    let arg = &args[*i];
    for name in names {
        if arg == name {
            *i += 1;
            return args.get(*i).cloned();
        }
        if let Some(v) = arg.strip_prefix(&format!("{name}=")) {
            return Some(v.to_string());
        }
    }
    None
}

pub fn parse(args: &[String]) -> EbDeploy {
    let mut out = EbDeploy::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        if arg == "--staged" {
            out.request.staged = true;
        } else if arg == "--modules" {
            // argparse `nargs='*'`: every following argument up to the next option.
            let mut modules = Vec::new();
            while i + 1 < args.len() && !args[i + 1].starts_with('-') {
                i += 1;
                modules.push(args[i].clone());
            }
            out.modules = Some(modules);
        } else if let Some(label) = value(args, &mut i, &["-l", "--label"]) {
            out.request.label = Some(label);
        } else if let Some(archive) = value(args, &mut i, &["--archive"]) {
            out.request.archive = Some(PathBuf::from(archive));
        } else if arg == "--version" || arg.starts_with("--version=") {
            out.remote = Some("--version");
        } else if arg == "--source" || arg.starts_with("--source=") {
            out.remote = Some("--source");
        }
        i += 1;
    }
    // `eb deploy --modules` with no module names deploys as usual (argparse gives `[]`).
    if out.modules.as_ref().is_some_and(Vec::is_empty) {
        out.modules = None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_that_change_the_upload_are_read() {
        let p = parse(&args(&[
            "prod",
            "--staged",
            "-l",
            "v1",
            "--archive=out.zip",
        ]));
        assert!(p.request.staged);
        assert_eq!(p.request.label.as_deref(), Some("v1"));
        assert_eq!(p.request.archive, Some(PathBuf::from("out.zip")));
        let p = parse(&args(&["--modules", "api", "web", "--timeout", "5"]));
        assert_eq!(p.modules, Some(vec!["api".to_string(), "web".to_string()]));
        let p = parse(&args(&["--version", "app-v1"]));
        assert_eq!(p.remote, Some("--version"));
        assert_eq!(parse(&args(&["--modules"])).modules, None);
    }
}
