//! `.ebignore` as the EB CLI reads it: `pathspec.PathSpec.from_lines('gitwildmatch', ...)`
//! (pathspec 0.12, `fileoperations.get_ebignore_list`). That is not git's own ignore logic:
//! each path is matched on its own, the last matching pattern wins, and an excluded directory
//! does not stop a later `!pattern` from re-including a file below it. A pattern without a
//! trailing slash also matches everything below what it names; `dir/` matches only what is
//! below `dir`, never the directory itself (so a symbolic link named `dir` is still zipped).
//! This is a port of `GitWildMatchPattern.pattern_to_regex`, so the same regular expressions
//! decide the same paths.

use regex::Regex;

pub struct EbIgnore {
    /// Compiled patterns in file order, each with whether a match includes (ignores) the path.
    patterns: Vec<(Regex, bool)>,
}

impl EbIgnore {
    pub fn parse(text: &str) -> Result<EbIgnore, String> {
        let mut patterns = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let invalid = || format!(".ebignore:{}: invalid pattern `{line}`", n + 1);
            match pattern_to_regex(line).map_err(|()| invalid())? {
                Some((regex, include)) => {
                    let regex = Regex::new(&regex).map_err(|_| invalid())?;
                    patterns.push((regex, include));
                }
                None => continue,
            }
        }
        Ok(EbIgnore { patterns })
    }

    /// Whether the EB CLI leaves `path` (relative to the project root, `/`-separated) out.
    pub fn ignores(&self, path: &str) -> bool {
        let mut matched = false;
        for (regex, include) in &self.patterns {
            if regex.is_match(path) {
                matched = *include;
            }
        }
        matched
    }
}

/// `(regex, include)`, or `None` for blank lines and comments; `Err` for what pathspec rejects.
fn pattern_to_regex(line: &str) -> Result<Option<(String, bool)>, ()> {
    let pattern = if line.ends_with("\\ ") {
        line.trim_start()
    } else {
        line.trim()
    };
    if pattern.starts_with('#') || pattern == "/" || pattern.is_empty() {
        return Ok(None);
    }
    let (include, pattern) = match pattern.strip_prefix('!') {
        Some(rest) => (false, rest),
        None => (true, pattern),
    };
    let mut segs: Vec<&str> = pattern.split('/').collect();
    let mut i = segs.len() - 1;
    while i > 0 {
        if segs[i - 1] == "**" && segs[i] == "**" {
            segs.remove(i);
        }
        i -= 1;
    }
    if segs.len() == 2 && segs[0] == "**" && segs[1].is_empty() {
        return Ok(Some(("^.+/.*$".to_string(), include)));
    }
    if segs[0].is_empty() {
        segs.remove(0);
    } else if (segs.len() == 1 || (segs.len() == 2 && segs[1].is_empty())) && segs[0] != "**" {
        segs.insert(0, "**");
    }
    if segs.is_empty() {
        return Err(());
    }
    if segs.last().is_some_and(|s| s.is_empty()) && segs.len() > 1 {
        *segs.last_mut().expect("non-empty") = "**";
    }
    let mut out = String::from("^");
    let mut need_slash = false;
    let end = segs.len() - 1;
    for (i, seg) in segs.iter().enumerate() {
        if *seg == "**" {
            if i == 0 && i == end {
                out.push_str("[^/]+(?:/.*)?");
            } else if i == 0 {
                out.push_str("(?:.+/)?");
                need_slash = false;
            } else if i == end {
                // pathspec marks `dir/` patterns with a named group here, which only
                // `GitIgnoreSpec` reads; the match is the same.
                out.push_str("/.*");
            } else {
                out.push_str("(?:/.+)?");
                need_slash = true;
            }
        } else if *seg == "*" {
            if need_slash {
                out.push('/');
            }
            out.push_str("[^/]+");
            if i == end {
                out.push_str("(?:/.*)?");
            }
            need_slash = true;
        } else {
            if need_slash {
                out.push('/');
            }
            out.push_str(&segment_glob(seg)?);
            if i == end {
                out.push_str("(?:/.*)?");
            }
            need_slash = true;
        }
    }
    out.push('$');
    Ok(Some((out, include)))
}

/// `GitWildMatchPattern._translate_segment_glob`.
fn segment_glob(pattern: &str) -> Result<String, ()> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut regex = String::new();
    let (mut i, end) = (0, chars.len());
    let mut escape = false;
    while i < end {
        let c = chars[i];
        i += 1;
        if escape {
            escape = false;
            regex.push_str(&regex::escape(&c.to_string()));
        } else if c == '\\' {
            escape = true;
        } else if c == '*' {
            regex.push_str("[^/]*");
        } else if c == '?' {
            regex.push_str("[^/]");
        } else if c == '[' {
            let mut j = i;
            if j < end && (chars[j] == '!' || chars[j] == '^') {
                j += 1;
            }
            if j < end && chars[j] == ']' {
                j += 1;
            }
            while j < end && chars[j] != ']' {
                j += 1;
            }
            if j < end {
                j += 1;
                let mut expr = String::from("[");
                if chars[i] == '!' || chars[i] == '^' {
                    expr.push('^');
                    i += 1;
                }
                let body: String = chars[i..j].iter().collect();
                expr.push_str(&body.replace('\\', "\\\\"));
                regex.push_str(&expr);
                i = j;
            } else {
                regex.push_str("\\[");
            }
        } else {
            regex.push_str(&regex::escape(&c.to_string()));
        }
    }
    if escape {
        return Err(());
    }
    Ok(regex)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected regular expressions printed by pathspec 0.12.1 for the same lines (named
    /// groups, which only `GitIgnoreSpec` reads, left out); the answers below are pathspec's
    /// `match_file` for the same paths.
    #[test]
    fn patterns_translate_as_pathspec_does() {
        let cases = [
            ("node_modules/", "^(?:.+/)?node_modules/.*$"),
            ("*.pyc", "^(?:.+/)?[^/]*\\.pyc(?:/.*)?$"),
            ("/build", "^build(?:/.*)?$"),
            ("a/**/b", "^a(?:/.+)?/b(?:/.*)?$"),
            ("**/", "^.+/.*$"),
        ];
        for (line, regex) in cases {
            assert_eq!(pattern_to_regex(line).unwrap().unwrap().0, regex, "{line}");
        }
    }

    #[test]
    fn last_match_wins_even_below_an_excluded_directory() {
        let ignore = EbIgnore::parse("# c\n.platform/\n!.platform/hooks/x.sh\nhooks/\n").unwrap();
        assert!(ignore.ignores(".platform/confighooks/y.sh"));
        assert!(ignore.ignores(".platform/hooks/x.sh"), "hooks/ comes last");
        assert!(
            !ignore.ignores(".platform"),
            "dir/ never matches dir itself"
        );
        assert!(ignore.ignores(".platform/hooks"), "below .platform/");
        let ignore = EbIgnore::parse(".platform/\n!.platform/hooks/x.sh\n").unwrap();
        assert!(!ignore.ignores(".platform/hooks/x.sh"));
    }
}
