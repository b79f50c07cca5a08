//! Migration graphs: the app's own migration files, read into a small model the EB3xx rules
//! judge (STYLE.md: "framework migration graphs are a reader, not a rule").
//!
//! - Django: `<app>/migrations/*.py` next to `migrations/__init__.py` ([`django`],
//!   [`django_graph`]).
//! - Alembic / Flask-Migrate: the `versions/` folders an `alembic.ini` names, or a
//!   `migrations/` folder holding `env.py` and `versions/` ([`alembic`]).
//! - Rails: `db/migrate/**` and `db/<database>_migrate/**` ([`rails`]).
//! - Laravel: `database/migrations/*_*.php` ([`laravel`]).
//!
//! Nothing here runs the app's code: Python is parsed with tree-sitter-python and only
//! literals are read; anything computed is unknown, and unknown is never an error. Only the
//! frameworks asked for are scanned (`ebguard check` asks for those whose migrations the
//! bundle's commands and hooks run), and virtualenvs, `node_modules`, `vendor` and
//! `site-packages` are never entered.

pub mod alembic;
pub mod django;
pub mod django_graph;
pub mod laravel;
mod python;
pub mod rails;
pub mod sql;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use walkdir::WalkDir;

use crate::source::{display_join, SourceFile};
use django_graph::{App, Graph};

/// Which frameworks' migrations to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frameworks {
    pub django: bool,
    pub alembic: bool,
    pub rails: bool,
    pub laravel: bool,
}

impl Frameworks {
    pub const ALL: Frameworks = Frameworks {
        django: true,
        alembic: true,
        rails: true,
        laravel: true,
    };

    pub fn any(self) -> bool {
        self.django || self.alembic || self.rails || self.laravel
    }

    /// The framework a recognised migration tool belongs to (the shell recogniser's names).
    pub fn add_tool(&mut self, tool: &str) {
        match tool {
            "Django" => self.django = true,
            "Alembic" | "Flask-Migrate" => self.alembic = true,
            "Rails" => self.rails = true,
            "Laravel" => self.laravel = true,
            _ => {}
        }
    }
}

/// The Django apps of a bundle and their graph, built on first use.
#[derive(Debug)]
pub struct Django {
    pub apps: Vec<App>,
    /// The app of a literal `AUTH_USER_MODEL` in the bundle's settings modules, when exactly
    /// one value is set (`None`: unknown, or Django's default `auth.User`, outside the bundle).
    pub user_model_app: Option<String>,
    graph: OnceLock<Graph>,
}

impl Django {
    pub fn new(apps: Vec<App>, user_model_app: Option<String>) -> Django {
        Django {
            apps,
            user_model_app,
            graph: OnceLock::new(),
        }
    }

    pub fn graph(&self) -> &Graph {
        self.graph
            .get_or_init(|| Graph::build(&self.apps, self.user_model_app.as_deref()))
    }

    pub fn migration(&self, at: django_graph::At) -> &django::Migration {
        &self.apps[at.0].migrations[at.1]
    }
}

/// Everything read from one bundle's migration folders.
#[derive(Debug, Default)]
pub struct Migrations {
    /// The frameworks that were looked for.
    pub scanned: Frameworks,
    pub django: Option<Django>,
    pub alembic: Vec<alembic::Scripts>,
    pub rails: Vec<rails::Folder>,
    pub laravel: Vec<laravel::Folder>,
}

impl Migrations {
    /// Every file read, for reporters that show source lines.
    pub fn sources(&self) -> impl Iterator<Item = &SourceFile> {
        let django = self
            .django
            .iter()
            .flat_map(|d| d.apps.iter())
            .flat_map(|a| a.migrations.iter().map(|m| &m.source));
        let alembic = self
            .alembic
            .iter()
            .flat_map(|s| s.revisions.iter().map(|r| &r.source));
        let rails = self
            .rails
            .iter()
            .flat_map(|f| f.migrations.iter().map(|m| &m.source));
        let laravel = self
            .laravel
            .iter()
            .flat_map(|f| f.migrations.iter().map(|m| &m.source));
        django.chain(alembic).chain(rails).chain(laravel)
    }

    pub fn file_count(&self) -> usize {
        self.sources().count()
    }
}

/// The largest migration file read; generated ones are a few kilobytes.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// How deep below the bundle root apps are looked for.
const MAX_DEPTH: usize = 24;

/// Directories that never hold the app's own migrations: those bundle discovery skips, plus
/// installed packages (whose migrations are the package's business), more caches, and EB's
/// own configuration folders.
fn skipped_dir(name: &str) -> bool {
    crate::bundle::skipped_dir(name)
        || matches!(
            name,
            "site-packages"
                | "dist-packages"
                | ".nox"
                | ".mypy_cache"
                | ".pytest_cache"
                | ".ruff_cache"
                | ".ebextensions"
                | ".platform"
        )
}

fn read_text(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Sorted regular files directly in `dir` whose names `keep` accepts.
fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            keep(&name).then(|| (name, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// What the walk of the bundle found.
#[derive(Default)]
struct Found {
    django_dirs: Vec<PathBuf>,
    alembic_script_dirs: BTreeSet<PathBuf>,
    alembic_inis: Vec<PathBuf>,
    settings: Vec<PathBuf>,
}

fn walk(root: &Path, wanted: Frameworks) -> Found {
    let mut found = Found::default();
    if !(wanted.django || wanted.alembic) {
        return found;
    }
    let walker = WalkDir::new(root)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !(skipped_dir(&e.file_name().to_string_lossy())
                    || e.path().join("pyvenv.cfg").is_file())
        });
    for entry in walker.flatten() {
        let name = entry.file_name().to_string_lossy();
        let path = entry.path();
        if entry.file_type().is_dir() {
            let alembic_env = path.join("env.py").is_file() && path.join("versions").is_dir();
            if wanted.alembic && alembic_env {
                found.alembic_script_dirs.insert(path.to_path_buf());
            }
            if wanted.django
                && name == "migrations"
                && !alembic_env
                && path.join("__init__.py").is_file()
            {
                found.django_dirs.push(path.to_path_buf());
            }
            if wanted.django && name == "settings" && path.join("__init__.py").is_file() {
                found.settings.extend(
                    files_in(path, |n| n.ends_with(".py"))
                        .into_iter()
                        .map(|(_, p)| p),
                );
            }
        } else if wanted.alembic && name == "alembic.ini" {
            found.alembic_inis.push(path.to_path_buf());
        } else if wanted.django && name == "settings.py" {
            found.settings.push(path.to_path_buf());
        }
    }
    found
}

/// Reads the migrations of `wanted` frameworks below bundle directory `root`, shown as
/// `display_root`.
pub fn scan(root: &Path, display_root: &str, wanted: Frameworks) -> Migrations {
    let mut out = Migrations {
        scanned: wanted,
        ..Migrations::default()
    };
    if !wanted.any() {
        return out;
    }
    let found = walk(root, wanted);
    let source = |path: &Path| {
        read_text(path)
            .map(|text| SourceFile::new(display_join(display_root, &rel(root, path)), text))
    };
    if wanted.django {
        let apps = django_apps(root, display_root, &found.django_dirs, &source);
        if !apps.is_empty() {
            let models: BTreeSet<String> = found
                .settings
                .iter()
                .filter_map(|p| read_text(p))
                .filter_map(|text| django::auth_user_model(&text))
                .collect();
            let user_model_app = match models.len() {
                1 => models
                    .into_iter()
                    .next()
                    .and_then(|m| m.split('.').next().map(String::from)),
                _ => None,
            };
            out.django = Some(Django::new(apps, user_model_app));
        }
    }
    if wanted.alembic {
        out.alembic = alembic_scripts(root, display_root, &found, &source);
    }
    if wanted.rails {
        out.rails = rails_folders(root, display_root, &source);
    }
    if wanted.laravel {
        let dir = root.join("database/migrations");
        let migrations: Vec<laravel::Migration> =
            files_in(&dir, |n| n.ends_with(".php") && n.contains('_'))
                .into_iter()
                .filter_map(|(file, path)| {
                    let source = source(&path)?;
                    Some(laravel::Migration {
                        class: laravel::declared_class(&source.text),
                        source,
                        file,
                    })
                })
                .collect();
        if !migrations.is_empty() {
            out.laravel.push(laravel::Folder {
                dir: display_join(display_root, "database/migrations"),
                migrations,
            });
        }
    }
    out
}

/// Files read and parsed per thread before spreading the work pays for the threads.
const FILES_PER_THREAD: usize = 64;

/// The Django apps in `dirs` (their `migrations` folders), files parsed on every core when
/// there are many: parsing is nearly all of the graph rules' cost (bench/graph.sh).
fn django_apps(
    root: &Path,
    display_root: &str,
    dirs: &[PathBuf],
    source: &(impl Fn(&Path) -> Option<SourceFile> + Sync),
) -> Vec<App> {
    let mut apps = Vec::new();
    let mut jobs = Vec::new();
    for dir in dirs {
        let app_dir = dir.parent().unwrap_or(dir);
        let label = read_text(&app_dir.join("apps.py"))
            .and_then(|text| django::app_label(&text))
            .unwrap_or_else(|| {
                app_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        // Django loads every module of the package whose name does not start with `_` or
        // `~` (`MigrationLoader.load_disk`).
        for (file, path) in files_in(dir, |n| {
            n.ends_with(".py") && !n.starts_with('_') && !n.starts_with('~')
        }) {
            let name = file.trim_end_matches(".py").to_string();
            jobs.push((apps.len(), name, path));
        }
        apps.push(App {
            label,
            dir: display_join(display_root, &rel(root, dir)),
            migrations: Vec::new(),
        });
    }
    let read = |(app, name, path): &(usize, String, PathBuf)| {
        source(path).map(|s| (*app, django::read(name, s)))
    };
    let read: Vec<_> = if jobs.len() > FILES_PER_THREAD {
        crate::parallel::map(&jobs, read)
    } else {
        jobs.iter().map(read).collect()
    };
    for (app, migration) in read.into_iter().flatten() {
        apps[app].migrations.push(migration);
    }
    apps.retain(|app| !app.migrations.is_empty());
    apps
}

fn alembic_scripts(
    root: &Path,
    display_root: &str,
    found: &Found,
    source: &impl Fn(&Path) -> Option<SourceFile>,
) -> Vec<alembic::Scripts> {
    // script dir -> (versions dirs, recursive)
    let mut dirs: BTreeMap<PathBuf, (Vec<PathBuf>, bool)> = BTreeMap::new();
    for ini in &found.alembic_inis {
        let base = ini.parent().unwrap_or(root);
        let Some((script, versions, recursive)) =
            read_text(ini).and_then(|t| alembic::ini_version_dirs(&t))
        else {
            continue;
        };
        let versions = versions.iter().map(|v| base.join(v)).collect();
        dirs.insert(base.join(script), (versions, recursive));
    }
    for script in &found.alembic_script_dirs {
        let covered = dirs
            .keys()
            .any(|d| d == script || d.canonicalize().ok() == script.canonicalize().ok());
        if !covered {
            dirs.insert(script.clone(), (vec![script.join("versions")], false));
        }
    }
    let mut out = Vec::new();
    for (script, (versions, recursive)) in dirs {
        let mut revisions = Vec::new();
        for dir in versions {
            let depth = if recursive { MAX_DEPTH } else { 1 };
            let mut files: Vec<PathBuf> = WalkDir::new(&dir)
                .max_depth(depth)
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .filter(|e| {
                    let n = e.file_name().to_string_lossy();
                    n.ends_with(".py") && !n.starts_with("__init__") && !n.starts_with(".#")
                })
                .map(|e| e.into_path())
                .collect();
            files.sort();
            revisions.extend(files.iter().filter_map(|p| source(p)).map(alembic::read));
        }
        if !revisions.is_empty() {
            out.push(alembic::Scripts {
                dir: display_join(display_root, &rel(root, &script)),
                revisions,
            });
        }
    }
    out
}

fn rails_folders(
    root: &Path,
    display_root: &str,
    source: &impl Fn(&Path) -> Option<SourceFile>,
) -> Vec<rails::Folder> {
    let db = root.join("db");
    let mut dirs: Vec<String> = files_or_dirs(&db)
        .into_iter()
        .filter(|n| n == "migrate" || n.ends_with("_migrate"))
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for name in dirs {
        let dir = db.join(&name);
        let mut migrations = Vec::new();
        // `MigrationContext#migration_files`: "#{path}/**/[0-9]*_*.rb".
        for entry in WalkDir::new(&dir)
            .max_depth(MAX_DEPTH)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            let file = entry.file_name().to_string_lossy().into_owned();
            if !file.ends_with(".rb") || !file.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            let Some((version, name)) = rails::parse_file_name(&file) else {
                continue;
            };
            let Some(source) = source(entry.path()) else {
                continue;
            };
            migrations.push(rails::Migration {
                class: rails::declared_class(&source.text),
                source,
                file: rel(&dir, entry.path()),
                version,
                name,
            });
        }
        if !migrations.is_empty() {
            out.push(rails::Folder {
                dir: display_join(display_root, &rel(root, &dir)),
                migrations,
            });
        }
    }
    out
}

fn files_or_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}
