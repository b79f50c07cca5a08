//! Where the database is: `--database-url`, the variable named by `--database-url-env`,
//! or the `RDS_*` properties EB sets for an attached RDS instance. Also redaction:
//! no password ever reaches a log line.

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

use super::exit::{Failure, MigrateError};

/// Database engines with a lock backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Postgres,
    #[value(alias = "mariadb")]
    Mysql,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
        }
    }

    fn from_scheme(scheme: &str) -> Option<Self> {
        match scheme {
            "postgres" | "postgresql" => Some(Engine::Postgres),
            "mysql" | "mariadb" => Some(Engine::Mysql),
            _ => None,
        }
    }

    /// The engine EB's RDS integration implies by its default port.
    fn from_port(port: u16) -> Option<Self> {
        match port {
            5432 => Some(Engine::Postgres),
            3306 => Some(Engine::Mysql),
            _ => None,
        }
    }
}

/// The strings that must never be printed: a password as given, percent-decoded and
/// percent-encoded (drivers echo either form in their errors).
#[derive(Debug, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    fn add_password(&mut self, raw_or_encoded: &str) {
        if raw_or_encoded.is_empty() {
            return;
        }
        let decoded = percent_decode_str(raw_or_encoded)
            .decode_utf8_lossy()
            .into_owned();
        let encoded = utf8_percent_encode(&decoded, NON_ALPHANUMERIC).to_string();
        for form in [raw_or_encoded.to_owned(), decoded, encoded] {
            if !self.0.contains(&form) {
                self.0.push(form);
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        self.0.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// The password in a URL's userinfo or `password=` query, also when the URL does not
    /// parse (then everything between the first `:` of the userinfo and its `@`).
    fn add_url(&mut self, text: &str) {
        let Some((_, rest)) = text.split_once("://") else {
            return;
        };
        match url::Url::parse(text) {
            Ok(parsed) => {
                if let Some(password) = parsed.password() {
                    self.add_password(password);
                }
                for (key, value) in parsed.query_pairs() {
                    if key == "password" {
                        self.add_password(&value);
                    }
                }
            }
            Err(_) => {
                if let Some((userinfo, _)) = rest.rsplit_once('@') {
                    if let Some((_, password)) = userinfo.split_once(':') {
                        self.add_password(password);
                    }
                }
            }
        }
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.0 {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

/// Scrubs the passwords of every URL on this process's command line from `text`: clap
/// echoes a rejected argument (e.g. a URL given as a positional argument) in its usage
/// error, which EB copies into its logs.
pub fn scrub_command_line(text: &str) -> String {
    let mut secrets = Secrets::default();
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy();
        // `--database-url=postgres://…` as well as a bare URL.
        let candidate = arg.split_once('=').filter(|(k, _)| k.starts_with("--"));
        let candidate = candidate.map_or(arg.as_ref(), |(_, v)| v);
        secrets.add_url(candidate);
    }
    secrets.scrub(text)
}

/// A configured database: the URL handed to the driver, and what may be logged.
#[derive(Debug)]
pub struct DatabaseTarget {
    pub engine: Engine,
    pub url: String,
    /// The URL with its password replaced by `***`.
    pub redacted: String,
    /// Where the URL came from, e.g. `env:DATABASE_URL`.
    pub source: String,
}

/// Where to look, as given on the command line.
pub struct DatabaseSources<'a> {
    pub database_url: Option<&'a str>,
    pub database_url_env: &'a str,
    pub engine: Option<Engine>,
}

/// Resolves the database target; `Ok(None)` when nothing is configured. `env` looks up
/// an environment variable (a parameter so tests need not mutate the process).
pub fn resolve(
    sources: &DatabaseSources<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    secrets: &mut Secrets,
) -> Result<Option<DatabaseTarget>, MigrateError> {
    let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    // The PostgreSQL driver also reads libpq's PGPASSWORD: never print that either.
    if let Some(password) = env("PGPASSWORD") {
        secrets.add_password(&password);
    }
    if let Some(url) = sources.database_url {
        return from_url(url, "--database-url".into(), sources.engine, secrets).map(Some);
    }
    if let Some(url) = non_empty(sources.database_url_env) {
        let source = format!("env:{}", sources.database_url_env);
        return from_url(&url, source, sources.engine, secrets).map(Some);
    }
    if let Some(host) = non_empty("RDS_HOSTNAME") {
        return from_rds(&host, &non_empty, sources.engine, secrets).map(Some);
    }
    Ok(None)
}

fn config(message: String) -> MigrateError {
    MigrateError::new(Failure::Configuration, message)
}

fn from_url(
    url: &str,
    source: String,
    engine: Option<Engine>,
    secrets: &mut Secrets,
) -> Result<DatabaseTarget, MigrateError> {
    let url = url.trim();
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(err) => {
            // The password cannot be located reliably in an unparsable URL: scrub the
            // whole userinfo guess, and never print the URL itself.
            if let Some(userinfo) = url.split_once("://").and_then(|(_, r)| r.rsplit_once('@')) {
                if let Some((_, password)) = userinfo.0.split_once(':') {
                    secrets.add_password(password);
                }
            }
            return Err(config(format!(
                "the database URL from {source} is not a valid URL ({err})"
            )));
        }
    };
    if let Some(password) = parsed.password() {
        secrets.add_password(password);
    }
    for (key, value) in parsed.query_pairs() {
        if key == "password" {
            secrets.add_password(&value);
        }
    }
    let Some(scheme_engine) = Engine::from_scheme(parsed.scheme()) else {
        return Err(config(format!(
            "the database URL from {source} has scheme `{}`; use postgres://, postgresql://, \
             mysql:// or mariadb://",
            parsed.scheme()
        )));
    };
    if let Some(engine) = engine.filter(|e| *e != scheme_engine) {
        return Err(config(format!(
            "--engine {} contradicts the {} URL from {source}",
            engine.as_str(),
            scheme_engine.as_str()
        )));
    }
    Ok(DatabaseTarget {
        engine: scheme_engine,
        url: url.to_owned(),
        redacted: redact(&parsed),
        source,
    })
}

/// EB's RDS integration sets these environment properties when a database is attached
/// to the environment; the URL is built from them with user and password encoded.
fn from_rds(
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
    engine: Option<Engine>,
    secrets: &mut Secrets,
) -> Result<DatabaseTarget, MigrateError> {
    let port = match env("RDS_PORT") {
        Some(port) => port
            .trim()
            .parse::<u16>()
            .map_err(|_| config(format!("RDS_PORT `{}` is not a port number", port.trim())))?,
        None => match engine {
            Some(Engine::Postgres) => 5432,
            Some(Engine::Mysql) => 3306,
            None => {
                return Err(config(
                    "RDS_HOSTNAME is set but RDS_PORT is not; set RDS_PORT or --engine".into(),
                ))
            }
        },
    };
    let Some(engine) = engine.or_else(|| Engine::from_port(port)) else {
        return Err(config(format!(
            "cannot tell the engine from RDS_PORT {port}; pass --engine postgres or --engine mysql"
        )));
    };
    let encode = |v: String| utf8_percent_encode(&v, NON_ALPHANUMERIC).to_string();
    let user = env("RDS_USERNAME").map(encode).unwrap_or_default();
    let password = env("RDS_PASSWORD").unwrap_or_default();
    secrets.add_password(&password);
    let password = encode(password);
    let database = env("RDS_DB_NAME").map(encode).unwrap_or_default();
    let userinfo = match (user.is_empty(), password.is_empty()) {
        (true, _) => String::new(),
        (false, true) => format!("{user}@"),
        (false, false) => format!("{user}:{password}@"),
    };
    let url = format!(
        "{}://{userinfo}{}:{port}/{database}",
        engine.as_str(),
        host.trim()
    );
    let parsed = url::Url::parse(&url)
        .map_err(|err| config(format!("RDS_HOSTNAME does not form a valid URL ({err})")))?;
    Ok(DatabaseTarget {
        engine,
        redacted: redact(&parsed),
        url,
        source: "env:RDS_*".into(),
    })
}

fn redact(parsed: &url::Url) -> String {
    let mut shown = parsed.clone();
    if shown.password().is_some() {
        // Cannot fail: the URL already has a password, hence a host.
        let _ = shown.set_password(Some("***"));
    }
    if parsed.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_with(
        url: Option<&str>,
        vars: &[(&str, &str)],
        engine: Option<Engine>,
    ) -> (Result<Option<DatabaseTarget>, MigrateError>, Secrets) {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let sources = DatabaseSources {
            database_url: url,
            database_url_env: "DATABASE_URL",
            engine,
        };
        let mut secrets = Secrets::default();
        (resolve(&sources, &env, &mut secrets), secrets)
    }

    #[test]
    fn flag_beats_env_beats_rds() {
        let vars = [
            ("DATABASE_URL", "mysql://u@envhost/db"),
            ("RDS_HOSTNAME", "rds.example"),
        ];
        let (flag, _) = resolve_with(Some("postgres://u@flaghost/db"), &vars, None);
        assert_eq!(flag.unwrap().unwrap().source, "--database-url");
        let (env, _) = resolve_with(None, &vars, None);
        let env = env.unwrap().unwrap();
        assert_eq!(
            (env.source.as_str(), env.engine),
            ("env:DATABASE_URL", Engine::Mysql)
        );
        let (none, _) = resolve_with(None, &[("DATABASE_URL", " ")], None);
        assert!(none.unwrap().is_none());
    }

    #[test]
    fn rds_variables_build_an_encoded_url_and_guess_the_engine() {
        let vars = [
            ("RDS_HOSTNAME", "db.abc.eu-west-1.rds.amazonaws.com"),
            ("RDS_PORT", "3306"),
            ("RDS_DB_NAME", "ebdb"),
            ("RDS_USERNAME", "admin"),
            ("RDS_PASSWORD", "p@ss:w/rd S3cr3t"),
        ];
        let (target, secrets) = resolve_with(None, &vars, None);
        let target = target.unwrap().unwrap();
        assert_eq!(target.engine, Engine::Mysql);
        assert_eq!(
            target.url,
            "mysql://admin:p%40ss%3Aw%2Frd%20S3cr3t@db.abc.eu-west-1.rds.amazonaws.com:3306/ebdb"
        );
        assert_eq!(
            target.redacted,
            "mysql://admin:***@db.abc.eu-west-1.rds.amazonaws.com:3306/ebdb"
        );
        assert_eq!(secrets.scrub("x p@ss:w/rd S3cr3t y"), "x *** y");
        assert_eq!(secrets.scrub("p%40ss%3Aw%2Frd%20S3cr3t"), "***");
    }

    #[test]
    fn pgpassword_is_a_secret_too() {
        let (_, secrets) = resolve_with(None, &[("PGPASSWORD", "Pg5ecret")], None);
        assert_eq!(secrets.scrub("password Pg5ecret"), "password ***");
    }

    #[test]
    fn rds_port_must_name_an_engine() {
        let vars = [("RDS_HOSTNAME", "h"), ("RDS_PORT", "6000")];
        let (err, _) = resolve_with(None, &vars, None);
        assert_eq!(err.unwrap_err().failure, Failure::Configuration);
        let (ok, _) = resolve_with(None, &vars, Some(Engine::Postgres));
        assert_eq!(ok.unwrap().unwrap().url, "postgres://h:6000/");
        let (bad, _) = resolve_with(None, &[("RDS_HOSTNAME", "h"), ("RDS_PORT", "x")], None);
        assert_eq!(bad.unwrap_err().failure, Failure::Configuration);
    }

    #[test]
    fn redaction_hides_userinfo_and_query_passwords() {
        let url = "postgresql://app:S3cr%40Pw@h:5432/db?sslmode=verify-full&password=Qw3rty";
        let (target, secrets) = resolve_with(Some(url), &[], None);
        let target = target.unwrap().unwrap();
        assert!(!target.redacted.contains("S3cr"), "{}", target.redacted);
        assert!(!target.redacted.contains("Qw3rty"), "{}", target.redacted);
        assert!(target.redacted.contains("sslmode=verify-full"));
        assert_eq!(secrets.scrub("S3cr@Pw S3cr%40Pw Qw3rty"), "*** *** ***");
    }

    #[test]
    fn bad_urls_are_configuration_errors_without_the_password() {
        for url in [
            "http://u:S3cr3tPw@h/db",
            "postgres://u:S3cr3tPw@h:notaport/db",
        ] {
            let (err, secrets) = resolve_with(Some(url), &[], None);
            let err = err.unwrap_err();
            assert_eq!(err.failure, Failure::Configuration);
            assert!(!secrets.scrub(&err.message).contains("S3cr3tPw"));
        }
        let (err, _) = resolve_with(Some("mysql://h/db"), &[], Some(Engine::Postgres));
        assert_eq!(err.unwrap_err().failure, Failure::Configuration);
    }
}
