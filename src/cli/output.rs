//! Where reports go and whether they are coloured.

use std::io::Write;
use std::path::PathBuf;

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal, unless the environment says otherwise
    Auto,
    Always,
    Never,
}

fn set(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Decides colour once for the process. `--color always|never` wins; with `auto`, in this
/// order: `NO_COLOR` (any non-empty value) turns colour off (no-color.org); `FORCE_COLOR`
/// (non-empty, not `0`/`false`) and `CLICOLOR_FORCE` (not `0`) turn it on even when piped
/// (force-color.org, bixense.com/clicolors); `CLICOLOR=0` turns it off; otherwise a terminal
/// gets colour (anstream checks the stream and `TERM=dumb`).
pub fn init_color(when: ColorWhen) {
    let choice = match when {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => {
            let forced = set("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false")
                || set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
            if set("NO_COLOR").is_some() {
                anstream::ColorChoice::Never
            } else if forced {
                anstream::ColorChoice::Always
            } else if set("CLICOLOR").as_deref() == Some("0") {
                anstream::ColorChoice::Never
            } else {
                anstream::ColorChoice::Auto
            }
        }
    };
    choice.write_global();
}

/// Where a report is written.
#[derive(Clone, Debug)]
pub enum Sink {
    Stdout,
    /// `ebguard deploy`: stdout belongs to `eb`.
    Stderr,
    /// `--output-file`: never coloured.
    File(PathBuf),
}

impl Sink {
    pub fn new(file: Option<PathBuf>, default: Sink) -> Sink {
        file.map_or(default, Sink::File)
    }

    /// Writes `text`; a closed pipe (`ebguard rules | head`) is not an error worth a panic.
    pub fn write(&self, text: &str) -> Result<(), String> {
        // Without an escape byte there is no colour to strip or keep, so anstream's scan,
        // which costs tens of instructions a byte (2% of a 10,000-file JSON run), is skipped.
        // JSON and SARIF escape control characters: they always go straight through.
        let plain = !text.as_bytes().contains(&0x1b);
        let _ = match self {
            Sink::Stdout if plain => std::io::stdout().lock().write_all(text.as_bytes()),
            Sink::Stdout => anstream::stdout().write_all(text.as_bytes()),
            Sink::Stderr if plain => std::io::stderr().lock().write_all(text.as_bytes()),
            Sink::Stderr => anstream::stderr().write_all(text.as_bytes()),
            Sink::File(path) => {
                let text: std::borrow::Cow<'_, str> = if plain {
                    text.into()
                } else {
                    anstream::adapter::strip_str(text).to_string().into()
                };
                return std::fs::write(path, text.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
            }
        };
        Ok(())
    }
}
