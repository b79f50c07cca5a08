//! Laravel migrations need no PHP parser: the migrator lists `database/migrations/*_*.php`
//! and `require`s each file. A file that returns an anonymous class (`return new class
//! extends Migration`, the style since Laravel 8.37) declares nothing; one that declares a
//! named class fails when another file already declared the same name ("Cannot declare class
//! X, because the name is already in use"). So the only fact needed is the first top-level
//! `class Name` line and the file's `namespace`.

use std::ops::Range;

use crate::source::SourceFile;

#[derive(Debug)]
pub struct Migration {
    pub source: SourceFile,
    pub file: String,
    /// The fully qualified class the file declares, with the span of its name; `None` for an
    /// anonymous class.
    pub class: Option<(String, Range<usize>)>,
}

#[derive(Debug)]
pub struct Folder {
    pub dir: String,
    pub migrations: Vec<Migration>,
}

/// The class a migration file declares at the start of a line (`final`/`abstract`/`readonly`
/// allowed), qualified by its `namespace`.
pub fn declared_class(text: &str) -> Option<(String, Range<usize>)> {
    let mut namespace = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(ns) = trimmed.strip_prefix("namespace ") {
            namespace = ns.trim().trim_end_matches(['{', ';']).trim().to_string();
        }
        let mut rest = trimmed;
        for modifier in ["final ", "abstract ", "readonly "] {
            rest = rest.strip_prefix(modifier).map_or(rest, str::trim_start);
        }
        if let Some(after) = rest.strip_prefix("class ") {
            let after_trim = after.trim_start();
            let name: String = after_trim
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                let start = offset + indent + (trimmed.len() - after_trim.len());
                let qualified = if namespace.is_empty() {
                    name.clone()
                } else {
                    format!("{namespace}\\{name}")
                };
                return Some((qualified, start..start + name.len()));
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_anonymous_classes() {
        let named = "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n\nclass CreateUsersTable extends Migration\n{\n}\n";
        let (name, span) = declared_class(named).unwrap();
        assert_eq!(name, "CreateUsersTable");
        assert_eq!(&named[span], "CreateUsersTable");
        let anon = "<?php\n\nreturn new class extends Migration\n{\n};\n";
        assert_eq!(declared_class(anon), None);
        let ns = "<?php\nnamespace App\\Db;\nfinal class X extends Migration {}\n";
        assert_eq!(declared_class(ns).unwrap().0, "App\\Db\\X");
    }
}
