//! Rails migrations need no Ruby parser: ActiveRecord identifies a migration by its file name
//! alone (`MigrationContext#migrations`: `<version>_<name>.rb`, the version an integer, the
//! name camelized into the class it then looks up), and refuses to run when two files share
//! a version or a name (`Migrator#validate`). The one thing read inside a file is the line
//! that declares the class, to catch two files declaring the same class.

use std::ops::Range;

use crate::source::SourceFile;

/// One file in a migrations folder (`db/migrate`, or `db/<database>_migrate`).
#[derive(Debug)]
pub struct Migration {
    pub source: SourceFile,
    /// The file name inside the folder.
    pub file: String,
    /// The version as Rails compares it (`to_i`: leading zeros do not count).
    pub version: String,
    /// The name camelized as Rails does (`create_users` -> `CreateUsers`).
    pub name: String,
    /// The class the file declares, with its span (first `class X < ...Migration`).
    pub class: Option<(String, Range<usize>)>,
}

/// A migrations folder of one database.
#[derive(Debug)]
pub struct Folder {
    pub dir: String,
    pub migrations: Vec<Migration>,
}

/// ActiveRecord's `parse_migration_filename`: `/\A([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb\z/`.
pub fn parse_file_name(file: &str) -> Option<(String, String)> {
    let stem = file.strip_suffix(".rb")?;
    let (version, rest) = stem.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (name, scope) = rest.split_once('.').unwrap_or((rest, ""));
    let ok = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if !ok(name) || !ok(scope) {
        return None;
    }
    let version = version.trim_start_matches('0');
    Some((
        if version.is_empty() { "0" } else { version }.to_string(),
        camelize(name),
    ))
}

/// ActiveSupport's `camelize` for a file name: `add_index_to_users` -> `AddIndexToUsers`.
fn camelize(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The first `class Name < ActiveRecord::Migration[...]` (or any `< ...Migration`) line.
pub fn declared_class(text: &str) -> Option<(String, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("class ") {
            let name_start = offset + (line.len() - trimmed.len()) + "class ".len();
            let rest_trim = rest.trim_start();
            let name_start = name_start + (rest.len() - rest_trim.len());
            let name: String = rest_trim
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let after = &rest_trim[name.len()..];
            if !name.is_empty()
                && after.trim_start().starts_with('<')
                && after.contains("Migration")
            {
                return Some((name.clone(), name_start..name_start + name.len()));
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
    fn file_names_as_active_record_reads_them() {
        assert_eq!(
            parse_file_name("20240101120000_create_users.rb"),
            Some(("20240101120000".into(), "CreateUsers".into()))
        );
        assert_eq!(parse_file_name("001_x.rb"), Some(("1".into(), "X".into())));
        assert_eq!(
            parse_file_name("20240101_add_x.my_engine.rb"),
            Some(("20240101".into(), "AddX".into()))
        );
        assert_eq!(parse_file_name("create_users.rb"), None);
        assert_eq!(parse_file_name("2024_CreateUsers.rb"), None);
    }

    #[test]
    fn finds_the_class_line() {
        let text = "# class Old < ActiveRecord::Migration\nclass CreateUsers < ActiveRecord::Migration[7.1]\nend\n";
        let (name, span) = declared_class(text).unwrap();
        assert_eq!(name, "CreateUsers");
        assert_eq!(&text[span], "CreateUsers");
    }
}
