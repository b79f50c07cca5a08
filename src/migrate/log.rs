//! One line per event on stderr, so EB's `/var/log/eb-hooks.log` (eb-facts.md §6.1)
//! reads as a timeline. Every value passes through [`Secrets::scrub`] first.

use std::io::Write;
use std::time::Duration;

use super::url::Secrets;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `ebguard-migrate: event=lock-acquired key=… waited=1.2s`
    Text,
    /// One JSON object per line: `{"event":"lock-acquired","key":"…","waited":"1.2s"}`
    Json,
}

pub struct Log {
    format: LogFormat,
    secrets: Secrets,
}

impl Log {
    pub fn new(format: LogFormat) -> Self {
        Log {
            format,
            secrets: Secrets::default(),
        }
    }

    /// Passwords learnt while resolving the database; scrubbed from every later line.
    pub fn secrets_mut(&mut self) -> &mut Secrets {
        &mut self.secrets
    }

    pub fn event(&self, event: &str, fields: &[(&str, String)]) {
        let line = self.line(event, fields);
        // Nothing useful can be done if stderr is gone; the exit code still tells.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn line(&self, event: &str, fields: &[(&str, String)]) -> String {
        let fields = fields
            .iter()
            .map(|(key, value)| (*key, self.secrets.scrub(value)));
        match self.format {
            LogFormat::Text => {
                let mut line = format!("ebguard-migrate: event={event}");
                for (key, value) in fields {
                    line.push(' ');
                    line.push_str(key);
                    line.push('=');
                    line.push_str(&quote(&value));
                }
                line
            }
            LogFormat::Json => {
                // Built by hand so `event` stays first and fields keep their order.
                let mut line = format!("{{\"event\":{}", json_string(event));
                for (key, value) in fields {
                    line.push_str(&format!(",{}:{}", json_string(key), json_string(&value)));
                }
                line.push('}');
                line
            }
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// logfmt quoting: bare when unambiguous, otherwise a Rust/JSON-style quoted string.
fn quote(value: &str) -> String {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '"' && c != '=');
    if bare {
        value.to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Seconds with one decimal, the unit every duration in the log uses.
pub fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_are_logfmt() {
        let log = Log::new(LogFormat::Text);
        let line = log.line(
            "child-start",
            &[
                ("command", "python manage.py migrate".into()),
                ("pid", "42".into()),
            ],
        );
        assert_eq!(
            line,
            r#"ebguard-migrate: event=child-start command="python manage.py migrate" pid=42"#
        );
    }

    #[test]
    fn json_lines_are_objects() {
        let log = Log::new(LogFormat::Json);
        let line = log.line(
            "lock-acquired",
            &[("waited", seconds(Duration::from_millis(1234)))],
        );
        assert_eq!(line, r#"{"event":"lock-acquired","waited":"1.2s"}"#);
    }
}
