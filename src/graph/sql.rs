//! The few SQL statements of a `RunSQL` that create or drop a named index or constraint.
//! A statement that might drop something ebguard cannot name (`DROP TABLE`, `DO $$ ... $$`)
//! makes the whole `RunSQL` opaque, which callers read as "anything may have been dropped".

/// What one statement does to named objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `CREATE INDEX name`, `ADD CONSTRAINT name UNIQUE`: a relation (schema-wide) name;
    /// `constraint` for the latter, which `DROP CONSTRAINT` (not `DROP INDEX`) removes.
    CreateRelation {
        name: String,
        if_not_exists: bool,
        constraint: bool,
    },
    /// `ADD CONSTRAINT name CHECK|FOREIGN KEY`: a name unique per table.
    CreateTableConstraint { name: String, table: String },
    /// `DROP INDEX name`: an index, not a constraint's.
    DropIndex(String),
    /// `DROP CONSTRAINT name`: a constraint, not a plain index.
    DropConstraint(String),
    /// Might drop anything.
    Opaque,
}

/// PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and drops the rest,
/// so two long names that share 63 bytes are the same object.
pub fn identifier_key(name: &str) -> String {
    let mut end = name.len().min(63);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// An unquoted word, lowercased as PostgreSQL folds it.
    Word(String),
    /// A `"quoted"` identifier, kept as written.
    Quoted(String),
    Punct(char),
    Str,
}

fn tokens(sql: &str) -> Vec<Vec<Tok>> {
    let mut statements = vec![Vec::new()];
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            let mut j = i + 1;
            let mut text = String::new();
            while j < chars.len() {
                if chars[j] == c {
                    if chars.get(j + 1) == Some(&c) {
                        text.push(c);
                        j += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[j]);
                j += 1;
            }
            let tok = if c == '"' {
                Tok::Quoted(text)
            } else {
                Tok::Str
            };
            statements.last_mut().unwrap().push(tok);
            i = j + 1;
        } else if c == '$' {
            // Dollar quoting (`$$ ... $$`, `$body$ ... $body$`): a function or DO body, which
            // can do anything.
            statements.last_mut().unwrap().push(Tok::Punct('$'));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            statements
                .last_mut()
                .unwrap()
                .push(Tok::Word(word.to_lowercase()));
            i = j;
        } else if c == ';' {
            statements.push(Vec::new());
            i += 1;
        } else {
            statements.last_mut().unwrap().push(Tok::Punct(c));
            i += 1;
        }
    }
    statements.retain(|s| !s.is_empty());
    statements
}

/// Reads `sql` (one or more statements).
pub fn effects(sql: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for stmt in tokens(sql) {
        let mut p = Cursor { toks: &stmt, at: 0 };
        if stmt.contains(&Tok::Punct('$')) {
            out.push(Effect::Opaque);
            continue;
        }
        if p.word("create") {
            p.word("unique");
            if p.word("index") {
                p.word("concurrently");
                let if_not_exists = p.words(&["if", "not", "exists"]);
                if p.peek_word("on") {
                    continue; // unnamed: PostgreSQL picks a free name
                }
                if let Some(name) = p.name() {
                    out.push(Effect::CreateRelation {
                        name,
                        if_not_exists,
                        constraint: false,
                    });
                }
            }
        } else if p.word("drop") {
            if p.word("index") {
                p.word("concurrently");
                p.words(&["if", "exists"]);
                while let Some(name) = p.name() {
                    out.push(Effect::DropIndex(name));
                    if !p.punct(',') {
                        break;
                    }
                }
            } else if p.word("table")
                || p.word("schema")
                || p.word("owned")
                || p.word("materialized")
                || p.word("extension")
            {
                out.push(Effect::Opaque);
            }
        } else if p.word("alter") {
            if p.word("index") {
                p.words(&["if", "exists"]);
                let Some(old) = p.name() else { continue };
                if p.words(&["rename", "to"]) {
                    if let Some(new) = p.name() {
                        out.push(Effect::DropIndex(old));
                        out.push(Effect::CreateRelation {
                            name: new,
                            if_not_exists: false,
                            constraint: false,
                        });
                    }
                }
            } else if p.word("table") {
                p.words(&["if", "exists"]);
                p.word("only");
                let Some(table) = p.name() else { continue };
                alter_table(&mut p, &table, &mut out);
            }
        }
    }
    out
}

/// `ALTER TABLE t` actions, comma-separated.
fn alter_table(p: &mut Cursor<'_>, table: &str, out: &mut Vec<Effect>) {
    loop {
        if p.words(&["add", "constraint"]) {
            let Some(name) = p.name() else { return };
            if p.word("unique") || p.words(&["primary", "key"]) || p.word("exclude") {
                out.push(Effect::CreateRelation {
                    name,
                    if_not_exists: false,
                    constraint: true,
                });
            } else {
                out.push(Effect::CreateTableConstraint {
                    name,
                    table: table.to_string(),
                });
            }
        } else if p.words(&["drop", "constraint"]) {
            p.words(&["if", "exists"]);
            let Some(name) = p.name() else { return };
            out.push(Effect::DropConstraint(name));
        } else if p.word("drop") {
            // DROP COLUMN takes the indexes and constraints on that column with it.
            out.push(Effect::Opaque);
        } else if p.words(&["rename", "constraint"]) {
            let Some(old) = p.name() else { return };
            p.word("to");
            out.push(Effect::DropConstraint(old));
            if let Some(new) = p.name() {
                out.push(Effect::CreateTableConstraint {
                    name: new,
                    table: table.to_string(),
                });
            }
        }
        // Skip to the next top-level comma.
        let mut depth = 0usize;
        loop {
            match p.next() {
                None => return,
                Some(Tok::Punct('(')) => depth += 1,
                Some(Tok::Punct(')')) => depth = depth.saturating_sub(1),
                Some(Tok::Punct(',')) if depth == 0 => break,
                _ => {}
            }
        }
    }
}

struct Cursor<'t> {
    toks: &'t [Tok],
    at: usize,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<&Tok> {
        let t = self.toks.get(self.at);
        self.at += 1;
        t
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Word(x)) if x == w)
    }

    fn word(&mut self, w: &str) -> bool {
        let hit = self.peek_word(w);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn words(&mut self, ws: &[&str]) -> bool {
        let hit = ws
            .iter()
            .enumerate()
            .all(|(i, w)| matches!(self.toks.get(self.at + i), Some(Tok::Word(x)) if x == w));
        if hit {
            self.at += ws.len();
        }
        hit
    }

    fn punct(&mut self, c: char) -> bool {
        let hit = self.toks.get(self.at) == Some(&Tok::Punct(c));
        if hit {
            self.at += 1;
        }
        hit
    }

    /// A possibly schema-qualified name; the last part is the object's name.
    fn name(&mut self) -> Option<String> {
        let mut last = None;
        loop {
            match self.toks.get(self.at) {
                Some(Tok::Word(w)) => last = Some(w.clone()),
                Some(Tok::Quoted(q)) => last = Some(q.clone()),
                _ => break,
            }
            self.at += 1;
            if !self.punct('.') {
                break;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(name: &str, constraint: bool) -> Effect {
        Effect::CreateRelation {
            name: name.into(),
            if_not_exists: false,
            constraint,
        }
    }

    #[test]
    fn reads_creations_and_drops() {
        assert_eq!(
            effects("CREATE INDEX wikipage_search_idx ON wiki_page USING gin (search);"),
            vec![rel("wikipage_search_idx", false)]
        );
        assert_eq!(
            effects("create unique index concurrently if not exists \"Mixed\" on t (a)"),
            vec![Effect::CreateRelation {
                name: "Mixed".into(),
                if_not_exists: true,
                constraint: false
            }]
        );
        assert_eq!(effects("CREATE INDEX ON t (a)"), vec![]);
        assert_eq!(
            effects("DROP INDEX IF EXISTS public.a, b; -- DROP TABLE x\n"),
            vec![Effect::DropIndex("a".into()), Effect::DropIndex("b".into())]
        );
        assert_eq!(
            effects(
                "ALTER TABLE ONLY t ADD CONSTRAINT u UNIQUE (a), ADD CONSTRAINT c CHECK (a > 0)"
            ),
            vec![
                rel("u", true),
                Effect::CreateTableConstraint {
                    name: "c".into(),
                    table: "t".into()
                }
            ]
        );
        assert_eq!(effects("DROP TABLE t"), vec![Effect::Opaque]);
        assert_eq!(effects("DO $$ BEGIN END $$"), vec![Effect::Opaque]);
        assert_eq!(effects("SELECT 'CREATE INDEX x ON y'"), vec![]);
    }

    #[test]
    fn long_names_are_cut_where_postgresql_cuts_them() {
        let long = "a".repeat(70);
        assert_eq!(identifier_key(&long).len(), 63);
    }
}
