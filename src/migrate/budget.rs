//! The deployment-time budget. On an instance EB stops the whole deployment command at
//! the `aws:elasticbeanstalk:command` `Timeout` (default 600 s, plus 240 s EB adds;
//! eb-facts.md §3), which covers every hook, not just this one. EB's platform tool
//! `get-config optionsettings -n <namespace> -o <option>` prints an option's value
//! inside hooks (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/custom-platforms-scripts.html).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::log::{seconds, Log};

/// Where EB installs its platform script tools.
const GET_CONFIG: &str = "/opt/elasticbeanstalk/bin/get-config";
/// A hung `get-config` must not eat the budget it is asked about.
const GET_CONFIG_TIMEOUT: Duration = Duration::from_secs(5);

/// The deployment Timeout and the part of it ebguard may spend before the command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub timeout: Duration,
    /// Connecting, waiting for the lock and for a previous lease end within this; the
    /// other half is left to the migration itself and to the rest of the deployment.
    pub wait_limit: Duration,
}

impl Budget {
    pub fn from_timeout(timeout: Duration) -> Budget {
        Budget {
            timeout,
            wait_limit: timeout / 2,
        }
    }
}

/// `get-config`: EB's absolute path, else one on `PATH` (how the tests stub it).
fn get_config_path() -> Option<PathBuf> {
    if Path::new(GET_CONFIG).is_file() {
        return Some(GET_CONFIG.into());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("get-config"))
            .find(|p| p.is_file())
    })
}

/// Reads the deployment Timeout; `None` off EB (no `get-config`) or when the answer is not
/// a number of seconds (logged, and the options apply unchanged).
pub fn read(log: &Log) -> Option<Budget> {
    let path = get_config_path()?;
    let source = path.display().to_string();
    let fail = |why: String| {
        log.event(
            "budget-unknown",
            &[("source", source.clone()), ("error", why)],
        );
        None
    };
    let child = Command::new(&path)
        .args([
            "optionsettings",
            "-n",
            "aws:elasticbeanstalk:command",
            "-o",
            "Timeout",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => return fail(err.to_string()),
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < GET_CONFIG_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return fail(format!("no answer within {}", seconds(GET_CONFIG_TIMEOUT)));
            }
            Err(err) => return fail(err.to_string()),
        }
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(err) => return fail(err.to_string()),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    match parse_timeout(&text) {
        Some(timeout) => Some(Budget::from_timeout(timeout)),
        None => fail(format!("not a number of seconds: {:?}", text.trim())),
    }
}

/// `600`, `"600"` (JSON output) or `600\n`; EB accepts 1–3600.
fn parse_timeout(text: &str) -> Option<Duration> {
    let seconds: u64 = text.trim().trim_matches('"').trim().parse().ok()?;
    (1..=86_400)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_and_halve() {
        assert_eq!(parse_timeout("600\n"), Some(Duration::from_secs(600)));
        assert_eq!(parse_timeout("\"900\""), Some(Duration::from_secs(900)));
        for bad in ["", "abc", "0", "-5", "1.5"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
        assert_eq!(
            Budget::from_timeout(Duration::from_secs(600)).wait_limit,
            Duration::from_secs(300)
        );
    }
}
