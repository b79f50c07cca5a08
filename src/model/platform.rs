//! The EB platform a bundle is deployed to, when the project says: its Amazon Linux branch and
//! the platform version or its release date. Hook rules ask it what EB does for hooks there.
//!
//! AWS, *Platform hooks* ("More about platform hooks",
//! <https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/platforms-linux-extend.hooks.html>):
//! for every Amazon Linux 2023 and Amazon Linux 2 platform version released on or after
//! 2022-04-29, EB grants execute permission to all platform hook scripts itself; for versions
//! released on or after 2022-12-29 it converts CRLF line endings of hook text files to LF.
//! Platform hooks are not supported on Amazon Linux AMI (AL1) platform versions.

use std::fmt;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub const fn new(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// The first `YYYY-MM-DD` in `text`.
    pub fn find_in(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        (0..bytes.len().saturating_sub(9)).find_map(|i| {
            let s = text.get(i..i + 10)?;
            let b = s.as_bytes();
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
                return None;
            }
            let before = i.checked_sub(1).map(|j| bytes[j]);
            if before.is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            let date = Date::new(
                s[0..4].parse().ok()?,
                s[5..7].parse().ok()?,
                s[8..10].parse().ok()?,
            );
            ((1..=12).contains(&date.month) && (1..=31).contains(&date.day)).then_some(date)
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Since this date EB makes hook files executable itself (AWS *Platform hooks*).
pub const EXEC_BIT_SINCE: Date = Date::new(2022, 4, 29);
/// Since this date EB converts CRLF line endings of hook text files (AWS *Platform hooks*).
pub const CRLF_FIXED_SINCE: Date = Date::new(2022, 12, 29);
/// Amazon Linux 2's end of support (AWS, Amazon Linux 2 FAQs).
pub const AL2_END_OF_SUPPORT: Date = Date::new(2026, 6, 30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// Amazon Linux AMI (2018.03 and earlier), retired by EB on 2022-07-18.
    AmazonLinux1,
    AmazonLinux2,
    AmazonLinux2023,
}

impl Branch {
    pub fn name(self) -> &'static str {
        match self {
            Branch::AmazonLinux1 => "Amazon Linux AMI (AL1)",
            Branch::AmazonLinux2 => "Amazon Linux 2",
            Branch::AmazonLinux2023 => "Amazon Linux 2023",
        }
    }
}

/// Where the platform was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformSource {
    /// The file, as shown to users.
    pub path: String,
    /// 1-based line of the value; 0 when unknown.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// As written: a platform branch name, a solution stack name or a platform ARN.
    pub written: String,
    pub branch: Option<Branch>,
    /// The platform version, e.g. `3.3.13` from an ARN ending in `/3.3.13`.
    pub version: Option<String>,
    /// When the pinned platform version was released, when the project says.
    pub released: Option<Date>,
    pub source: PlatformSource,
}

/// What ebguard knows about one EB behaviour on this platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    Yes,
    No,
    Unknown,
}

impl Platform {
    pub fn parse(written: &str, source: PlatformSource) -> Platform {
        Platform {
            written: written.trim().to_owned(),
            branch: branch_of(written),
            version: version_of(written),
            released: Date::find_in(written),
            source,
        }
    }

    /// Does EB make hook files executable itself on this platform version?
    pub fn grants_exec_bit(&self) -> Known {
        self.since(EXEC_BIT_SINCE)
    }

    /// Does EB convert CRLF line endings of hook text files on this platform version?
    pub fn converts_crlf(&self) -> Known {
        self.since(CRLF_FIXED_SINCE)
    }

    fn since(&self, date: Date) -> Known {
        match (self.branch, self.released) {
            // Every AL2023 platform version is from 2023 or later.
            (Some(Branch::AmazonLinux2023), _) => Known::Yes,
            // AL1 runs no platform hooks at all; nothing to compare.
            (Some(Branch::AmazonLinux1), _) => Known::Unknown,
            (_, Some(released)) if released >= date => Known::Yes,
            (_, Some(_)) => Known::No,
            _ => Known::Unknown,
        }
    }

    /// One line for `plan` and messages: the branch, version and release date known.
    pub fn describe(&self) -> String {
        let mut out = self.written.clone();
        let mut facts = Vec::new();
        if let Some(branch) = self.branch {
            if !self.written.contains(branch.name()) {
                facts.push(branch.name().to_owned());
            }
            if branch == Branch::AmazonLinux2 {
                facts.push(format!("end of support {AL2_END_OF_SUPPORT}"));
            }
        }
        if let Some(released) = self
            .released
            .filter(|d| !self.written.contains(&d.to_string()))
        {
            facts.push(format!("released {released}"));
        }
        if !facts.is_empty() {
            out.push_str(&format!(" ({})", facts.join(", ")));
        }
        out
    }
}

fn branch_of(written: &str) -> Option<Branch> {
    let lower = written.to_ascii_lowercase();
    if lower.contains("amazon linux 2023") || has_token(&lower, "al2023") {
        return Some(Branch::AmazonLinux2023);
    }
    if lower.contains("amazon linux ami")
        || lower.contains("amazon linux 201")
        || has_token(&lower, "al1")
    {
        return Some(Branch::AmazonLinux1);
    }
    let al2 = lower.match_indices("amazon linux 2").any(|(i, m)| {
        !lower[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    (al2 || has_token(&lower, "al2")).then_some(Branch::AmazonLinux2)
}

/// `word` as a whole token (between non-alphanumeric characters).
fn has_token(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| t == word)
}

/// The platform version: the last segment of an ARN (`…/Python 3.8 running on 64bit Amazon
/// Linux 2/3.3.13`) or `v3.3.13` in a solution stack name.
fn version_of(written: &str) -> Option<String> {
    let is_version = |s: &str| s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.');
    // `…Amazon Linux 2/3.3.13` (an ARN, or the console's "platform/version" form), possibly
    // followed by more words.
    if let Some((_, after)) = written.rsplit_once('/') {
        let last = after
            .split(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or("");
        if is_version(last) {
            return Some(last.to_owned());
        }
    }
    written
        .split_whitespace()
        .filter_map(|w| w.strip_prefix('v'))
        .find(|v| is_version(v))
        .map(str::to_owned)
}

impl super::Bundle {
    /// Whether EB makes this bundle's hook files executable itself (see [`Platform`]).
    pub fn grants_exec_bit(&self) -> Known {
        self.platform
            .as_ref()
            .map_or(Known::Unknown, Platform::grants_exec_bit)
    }

    /// The platform as messages name it; empty when unknown.
    pub fn platform_described(&self) -> String {
        self.platform
            .as_ref()
            .map(Platform::describe)
            .unwrap_or_default()
    }

    /// Whether EB converts CRLF line endings of this bundle's hook files itself.
    pub fn converts_crlf(&self) -> Known {
        self.platform
            .as_ref()
            .map_or(Known::Unknown, Platform::converts_crlf)
    }
}

/// `global.default_platform` of an EB CLI `.elasticbeanstalk/config.yml`, with its line.
pub fn from_eb_cli_config(text: &str, path: &str) -> Option<Platform> {
    let doc = crate::yaml::parse(text, crate::yaml::Limits::default()).ok()?;
    let value = doc.root()?.get("global")?.get("default_platform")?;
    let written = value.as_str()?.trim();
    if written.is_empty() {
        return None;
    }
    let line = crate::source::LineIndex::new(text)
        .position(text, value.span().start)
        .line;
    Some(Platform::parse(
        written,
        PlatformSource {
            path: path.to_owned(),
            line,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> PlatformSource {
        PlatformSource {
            path: "x".into(),
            line: 1,
        }
    }

    #[test]
    fn branches_versions_and_dates() {
        let p = Platform::parse(
            "arn:aws:elasticbeanstalk:us-east-1::platform/Python 3.8 running on 64bit Amazon Linux 2/3.3.13",
            at(),
        );
        assert_eq!(p.branch, Some(Branch::AmazonLinux2));
        assert_eq!(p.version.as_deref(), Some("3.3.13"));
        assert_eq!(p.grants_exec_bit(), Known::Unknown);
        let p = Platform::parse("Python 3.11 running on 64bit Amazon Linux 2023", at());
        assert_eq!(p.branch, Some(Branch::AmazonLinux2023));
        assert_eq!(p.grants_exec_bit(), Known::Yes);
        let p = Platform::parse(
            "64bit Amazon Linux 2018.03 v2.9.20 running Python 3.6",
            at(),
        );
        assert_eq!(p.branch, Some(Branch::AmazonLinux1));
        assert_eq!(p.version.as_deref(), Some("2.9.20"));
        let p = Platform::parse(
            "Python 3.8 running on 64bit Amazon Linux 2/3.3.10, released 2022-02-17",
            at(),
        );
        assert_eq!(p.version.as_deref(), Some("3.3.10"));
        let p = Platform::parse("AL2 released 2022-01-20", at());
        assert_eq!(p.branch, Some(Branch::AmazonLinux2));
        assert_eq!(p.released, Some(Date::new(2022, 1, 20)));
        assert_eq!(p.grants_exec_bit(), Known::No);
        assert_eq!(p.converts_crlf(), Known::No);
        let p = Platform::parse("Amazon Linux 2, 2022-06-01", at());
        assert_eq!(p.grants_exec_bit(), Known::Yes);
        assert_eq!(p.converts_crlf(), Known::No);
        assert_eq!(Platform::parse("python-3.6", at()).branch, None);
        assert_eq!(Date::find_in("x 2022-13-01"), None);
    }

    #[test]
    fn eb_cli_config() {
        let text = "branch-defaults:\n  main:\n    environment: app-prod\nglobal:\n  application_name: app\n  default_platform: Python 3.11 running on 64bit Amazon Linux 2023\n";
        let p = from_eb_cli_config(text, ".elasticbeanstalk/config.yml").unwrap();
        assert_eq!(p.branch, Some(Branch::AmazonLinux2023));
        assert_eq!(p.source.line, 6);
        assert!(from_eb_cli_config("global: {}\n", "c").is_none());
    }
}
