//! `ebguard server`: a language server over stdio. It is another reporter with a loop around
//! it: the editor's unsaved buffers become an [`Overlay`] and the bundle they belong to goes
//! through the same [`crate::check_roots`] as `ebguard check`; findings become diagnostics.
//!
//! Threads: the main loop only reads messages, keeps the buffers and schedules checks; a
//! worker runs the checks (debounced, coalesced per bundle) and publishes diagnostics; code
//! actions, which re-check an edited copy, get a thread each. So a slow check never delays
//! the editor's requests. Design notes: docs/server.md.

mod actions;
mod convert;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Url,
};
use serde_json::Value;

use crate::bundle::{self, BundleRoot, Overlay};
use crate::config::{Config, FILE_NAME};
use crate::finding::{Finding, Severity};

/// How long after the last change a bundle is checked: typing bursts become one check.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Settings from `initializationOptions` or `workspace/didChangeConfiguration`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Settings {
    /// Findings below this severity are not shown (`--fail-on`'s scale).
    min_severity: Option<Severity>,
    /// One configuration file for every bundle, as `--config` (relative to the workspace).
    config: Option<PathBuf>,
}

impl Settings {
    /// Reads `{"minSeverity": "warning", "config": "ci/ebguard.toml"}`, also nested under
    /// `"ebguard"` (VS Code-style clients send every extension's settings in one object).
    fn read(value: &Value, base: Option<&Path>) -> Result<Settings, String> {
        let value = value.get("ebguard").unwrap_or(value);
        let min_severity = match value.get("minSeverity").and_then(Value::as_str) {
            None | Some("info") => None,
            Some("warning") => Some(Severity::Warning),
            Some("error") => Some(Severity::Error),
            Some(other) => {
                return Err(format!(
                    "ebguard.minSeverity must be \"error\", \"warning\" or \"info\", not {other:?}"
                ))
            }
        };
        let config = value.get("config").and_then(Value::as_str).map(|p| {
            let p = PathBuf::from(p);
            match base {
                Some(base) if p.is_relative() => base.join(p),
                _ => p,
            }
        });
        Ok(Settings {
            min_severity,
            config,
        })
    }

    fn shows(&self, finding: &Finding) -> bool {
        self.min_severity.is_none_or(|min| finding.severity >= min)
    }
}

/// An open document.
struct Doc {
    text: String,
    version: i32,
}

/// The last findings published for one file, for hover and code actions.
#[derive(Clone)]
struct Published {
    root: BundleRoot,
    findings: Vec<(Finding, lsp_types::Range)>,
    /// The fingerprint of each file the findings' fixes edit, as the check read it: a fix's
    /// byte offsets hold only for that text, so a code action offers it only while the file
    /// is unchanged.
    checked: HashMap<String, u64>,
}

type Shared = Arc<Mutex<HashMap<Url, Published>>>;

/// What the worker is asked to do.
enum Job {
    /// Check one bundle with the buffers as they were when the job was made.
    Bundle {
        root: BundleRoot,
        overlay: Overlay,
        versions: HashMap<PathBuf, i32>,
        settings: Settings,
    },
    /// Publish the problems of a configuration file that belongs to no open bundle.
    Config { path: PathBuf, overlay: Overlay },
}

impl Job {
    fn key(&self) -> PathBuf {
        match self {
            Job::Bundle { root, .. } => root.dir.clone(),
            Job::Config { path, .. } => path.clone(),
        }
    }
}

/// Runs the server on stdin/stdout until the client says `exit`. Returns whether the client
/// asked to shut down first (the exit code is 1 otherwise, as LSP says).
pub fn run() -> Result<bool, String> {
    let (connection, io) = Connection::stdio();
    let clean = serve(connection)?;
    io.join().map_err(|e| e.to_string())?;
    Ok(clean)
}

/// The server on any connection (stdio, or memory in tests).
pub fn serve(connection: Connection) -> Result<bool, String> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::FIX_ALL]),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        ..Default::default()
    };
    let init = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": {"name": "ebguard", "version": env!("CARGO_PKG_VERSION")},
    });
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, init)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection.sender.clone(), &params);
    server.register_watchers(&params);
    server.main_loop(&connection)
}

struct Server {
    sender: Sender<Message>,
    docs: HashMap<PathBuf, Doc>,
    settings: Settings,
    /// The workspace folder, for relative settings.
    base: Option<PathBuf>,
    /// Bundles with a check due, and when.
    pending: HashMap<PathBuf, (Instant, Option<BundleRoot>)>,
    /// Every bundle an open document belongs to, by root directory.
    roots: HashMap<PathBuf, BundleRoot>,
    shared: Shared,
    worker: mpsc::Sender<Job>,
    /// Whether the client answers `workspace/configuration`.
    pull_config: bool,
    /// Whether the client can rename files in a workspace edit, for fixes that rename.
    rename_files: bool,
    next_id: i32,
    config_request: Option<RequestId>,
    shutdown: bool,
}

impl Server {
    fn new(sender: Sender<Message>, params: &InitializeParams) -> Server {
        #[allow(deprecated)] // root_uri: older clients send only it
        let base = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or_else(|| params.root_uri.clone())
            .and_then(|u| u.to_file_path().ok());
        let shared: Shared = Arc::default();
        let (worker, jobs) = mpsc::channel();
        let publisher = Publisher {
            sender: sender.clone(),
            shared: shared.clone(),
            published: HashMap::new(),
        };
        std::thread::spawn(move || publisher.run(jobs));
        let mut server = Server {
            sender,
            docs: HashMap::new(),
            settings: Settings::default(),
            base,
            pending: HashMap::new(),
            roots: HashMap::new(),
            shared,
            worker,
            pull_config: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.configuration)
                .unwrap_or(false),
            rename_files: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Rename)),
            next_id: 0,
            config_request: None,
            shutdown: false,
        };
        if let Some(options) = &params.initialization_options {
            server.apply_settings(options);
        }
        server
    }

    fn main_loop(&mut self, connection: &Connection) -> Result<bool, String> {
        loop {
            let wait = self
                .pending
                .values()
                .map(|(due, _)| due.saturating_duration_since(Instant::now()))
                .min()
                .unwrap_or(Duration::from_secs(3600));
            match connection.receiver.recv_timeout(wait) {
                Ok(Message::Request(request)) => self.on_request(request),
                Ok(Message::Notification(n)) if n.method == notif::Exit::METHOD => {
                    return Ok(self.shutdown)
                }
                Ok(Message::Notification(n)) => self.on_notification(n),
                Ok(Message::Response(response)) => self.on_response(response),
                Err(RecvTimeoutError::Timeout) => {}
                // The client went away without `exit`.
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
            }
            self.run_due();
        }
    }

    fn send(&self, message: impl Into<Message>) {
        // A closed connection ends the main loop on its next read.
        let _ = self.sender.send(message.into());
    }

    fn log(&self, message: String) {
        let params = lsp_types::LogMessageParams {
            typ: lsp_types::MessageType::WARNING,
            message,
        };
        self.send(Notification::new(notif::LogMessage::METHOD.into(), params));
    }

    fn on_request(&mut self, request: Request) {
        if self.shutdown {
            self.send(Response::new_err(
                request.id,
                lsp_server::ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        match request.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutdown = true;
                self.send(Response::new_ok(request.id, ()));
            }
            req::HoverRequest::METHOD => {
                let response = match serde_json::from_value(request.params) {
                    Ok(params) => {
                        Response::new_ok(request.id, actions::hover(&self.shared, &params))
                    }
                    Err(e) => invalid(request.id, e),
                };
                self.send(response);
            }
            req::CodeActionRequest::METHOD => {
                match serde_json::from_value::<lsp_types::CodeActionParams>(request.params) {
                    Ok(params) => self.code_actions(request.id, params),
                    Err(e) => self.send(invalid(request.id, e)),
                }
            }
            _ => self.send(Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("ebguard does not handle {}", request.method),
            )),
        }
    }

    /// Code actions re-check an edited copy of the bundle, so they run on their own thread.
    fn code_actions(&self, id: RequestId, params: lsp_types::CodeActionParams) {
        let uri = params.text_document.uri.clone();
        let published = self.shared.lock().ok().and_then(|s| s.get(&uri).cloned());
        let Some(published) = published else {
            self.send(Response::new_ok(id, Vec::<()>::new()));
            return;
        };
        let text = match uri.to_file_path().ok().and_then(|p| self.doc(&p)) {
            Some(doc) => doc.text.clone(),
            None => uri
                .to_file_path()
                .ok()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default(),
        };
        let context = actions::Context {
            config: self.settings.config.clone(),
            overlay: self.overlay(),
            rename_files: self.rename_files,
        };
        let sender = self.sender.clone();
        std::thread::spawn(move || {
            let actions = actions::code_actions(&params, &published, &text, &context);
            let _ = sender.send(Response::new_ok(id, actions).into());
        });
    }

    fn on_notification(&mut self, n: Notification) {
        fn read<P: serde::de::DeserializeOwned>(n: &Notification) -> Result<P, String> {
            serde_json::from_value(n.params.clone()).map_err(|e| e.to_string())
        }
        let result = match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => read::<lsp_types::DidOpenTextDocumentParams>(&n)
                .map(|p| {
                    let doc = p.text_document;
                    self.opened(doc.uri, doc.text, doc.version)
                }),
            notif::DidChangeTextDocument::METHOD => read(&n).map(|p| self.changed(p)),
            notif::DidCloseTextDocument::METHOD => {
                read::<lsp_types::DidCloseTextDocumentParams>(&n)
                    .map(|p| self.closed(&p.text_document.uri))
            }
            notif::DidChangeConfiguration::METHOD => {
                read::<lsp_types::DidChangeConfigurationParams>(&n).map(|p| {
                    if p.settings.is_null() && self.pull_config {
                        self.request_settings();
                    } else {
                        self.apply_settings(&p.settings);
                    }
                })
            }
            notif::DidChangeWatchedFiles::METHOD => {
                // Files changed on disk (a checkout, a formatter): every bundle again.
                self.schedule_all(Duration::ZERO);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.log(format!("ebguard: cannot read {}: {e}", n.method));
        }
    }

    fn on_response(&mut self, response: Response) {
        if self.config_request.as_ref() == Some(&response.id) {
            self.config_request = None;
            if let Ok(Value::Array(items)) = response.response_result {
                if let Some(first) = items.first() {
                    self.apply_settings(first);
                }
            }
        }
    }

    fn apply_settings(&mut self, value: &Value) {
        match Settings::read(value, self.base.as_deref()) {
            Ok(settings) if settings != self.settings => {
                self.settings = settings;
                self.schedule_all(Duration::ZERO);
            }
            Ok(_) => {}
            Err(e) => self.log(e),
        }
    }

    fn request_settings(&mut self) {
        self.next_id += 1;
        let id = RequestId::from(format!("ebguard-config-{}", self.next_id));
        let params = lsp_types::ConfigurationParams {
            items: vec![lsp_types::ConfigurationItem {
                scope_uri: None,
                section: Some("ebguard".into()),
            }],
        };
        self.config_request = Some(id.clone());
        self.send(Request::new(
            id,
            req::WorkspaceConfiguration::METHOD.into(),
            params,
        ));
    }

    /// Asks the client to tell about changes on disk to the files a check reads, when it can.
    fn register_watchers(&mut self, params: &InitializeParams) {
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let watchers = ["**/ebguard.toml", "**/.ebextensions/**", "**/.platform/**"]
            .into_iter()
            .map(|glob| lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String(glob.into()),
                kind: None,
            })
            .collect();
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "ebguard-files".into(),
                method: notif::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let id = RequestId::from(format!("ebguard-register-{}", self.next_id));
        self.send(Request::new(
            id,
            req::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    fn doc(&self, path: &Path) -> Option<&Doc> {
        self.docs.get(&bundle::normalize(path))
    }

    fn opened(&mut self, uri: Url, text: String, version: i32) {
        let Some(path) = ours(&uri) else { return };
        self.docs
            .insert(bundle::normalize(&path), Doc { text, version });
        self.touched(&path, Duration::ZERO);
    }

    fn changed(&mut self, params: lsp_types::DidChangeTextDocumentParams) {
        let Some(path) = ours(&params.text_document.uri) else {
            return;
        };
        let Some(doc) = self.docs.get_mut(&bundle::normalize(&path)) else {
            return;
        };
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let start = convert::offset(&doc.text, range.start);
                    let end = convert::offset(&doc.text, range.end).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
                None => doc.text = change.text,
            }
        }
        doc.version = params.text_document.version;
        self.touched(&path, DEBOUNCE);
    }

    fn closed(&mut self, uri: &Url) {
        let Some(path) = ours(uri) else { return };
        self.docs.remove(&bundle::normalize(&path));
        // What is on disk counts again.
        self.touched(&path, Duration::ZERO);
    }

    /// Schedules the check of the bundle `path` belongs to, or of every bundle when it is a
    /// configuration file.
    fn touched(&mut self, path: &Path, delay: Duration) {
        let due = Instant::now() + delay;
        // Only this file's buffer matters to find its bundle (it may not be on disk yet).
        let mut own = Overlay::default();
        if let Some(doc) = self.doc(path) {
            own.insert(path, doc.text.clone());
        }
        let found = bundle::discover_overlaid(&[path.to_path_buf()], &own);
        for root in found.roots {
            self.roots.insert(root.dir.clone(), root.clone());
            self.pending.insert(root.dir.clone(), (due, Some(root)));
        }
        if path.file_name().is_some_and(|n| n == FILE_NAME) {
            // It may configure every bundle; and its own problems are shown even when no
            // bundle of it is open.
            self.schedule_all(delay);
            self.pending.insert(path.to_path_buf(), (due, None));
        }
    }

    fn schedule_all(&mut self, delay: Duration) {
        let due = Instant::now() + delay;
        for (dir, root) in &self.roots {
            self.pending.insert(dir.clone(), (due, Some(root.clone())));
        }
    }

    fn overlay(&self) -> Overlay {
        let mut overlay = Overlay::default();
        for (path, doc) in &self.docs {
            overlay.insert(path, doc.text.clone());
        }
        overlay
    }

    /// Hands the checks that are due to the worker.
    fn run_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some((_, root)) = self.pending.remove(&key) else {
                continue;
            };
            let overlay = self.overlay();
            let job = match root {
                Some(root) => Job::Bundle {
                    root,
                    overlay,
                    versions: self
                        .docs
                        .iter()
                        .map(|(p, d)| (p.clone(), d.version))
                        .collect(),
                    settings: self.settings.clone(),
                },
                None => Job::Config { path: key, overlay },
            };
            let _ = self.worker.send(job);
        }
    }
}

fn invalid(id: RequestId, e: serde_json::Error) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        e.to_string(),
    )
}

/// The path of a document ebguard lints: a file under `.ebextensions/` or `.platform/`, or
/// an `ebguard.toml`. Other documents a client sends are none of its business.
fn ours(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    let in_bundle = path
        .components()
        .any(|c| c.as_os_str() == ".ebextensions" || c.as_os_str() == ".platform");
    (in_bundle || path.file_name().is_some_and(|n| n == FILE_NAME)).then_some(path)
}

/// The worker: runs checks and publishes diagnostics.
struct Publisher {
    sender: Sender<Message>,
    shared: Shared,
    /// The files each bundle (or configuration file) last published diagnostics for, so
    /// files whose problems are gone get an empty list.
    published: HashMap<PathBuf, HashSet<Url>>,
}

impl Publisher {
    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        while let Ok(job) = jobs.recv() {
            // Only the newest job per bundle matters: older buffers are stale.
            let mut latest = vec![job];
            while let Ok(more) = jobs.try_recv() {
                latest.retain(|j| j.key() != more.key());
                latest.push(more);
            }
            for job in latest {
                let key = job.key();
                // A bug in ebguard costs this check, not the server: the editor keeps its
                // last diagnostics and the next change is checked again.
                let run = crate::guard::catch(|| match job {
                    Job::Bundle {
                        root,
                        overlay,
                        versions,
                        settings,
                    } => self.check(root, overlay, &versions, &settings),
                    Job::Config { path, overlay } => {
                        let diagnostics = config_diagnostics(&path, &overlay);
                        self.publish_set(path.clone(), diagnostics, &HashMap::new());
                    }
                });
                if let Err(message) = run {
                    let params = lsp_types::LogMessageParams {
                        typ: lsp_types::MessageType::ERROR,
                        message: format!(
                            "ebguard: internal error while checking {}: {message}",
                            key.display()
                        ),
                    };
                    let _ = self
                        .sender
                        .send(Notification::new(notif::LogMessage::METHOD.into(), params).into());
                }
            }
        }
    }

    fn check(
        &mut self,
        root: BundleRoot,
        overlay: Overlay,
        versions: &HashMap<PathBuf, i32>,
        settings: &Settings,
    ) {
        let config = settings.config.clone().or_else(|| Config::find(&root.dir));
        let mut by_uri: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
        let mut kept: HashMap<Url, Published> = HashMap::new();
        if let Some(path) = &config {
            for (uri, diagnostics) in config_diagnostics(path, &overlay) {
                by_uri.entry(uri).or_default().extend(diagnostics);
            }
        }
        let options = crate::Options {
            config: settings.config.clone(),
            overlay,
            ..Default::default()
        };
        let outcome = crate::check_roots(std::slice::from_ref(&root), Vec::new(), &options);
        if outcome.bundles.is_empty() && !outcome.input_errors.is_empty() {
            // The configuration is broken: its diagnostics say so; the bundle's last
            // diagnostics stay until it can be checked again.
            for (uri, diagnostics) in by_uri {
                self.publish(uri, diagnostics, versions);
            }
            return;
        }
        for bundle in &outcome.bundles {
            // Every open file of the bundle hears back, so the editor knows its version was
            // checked even when it is clean.
            let sources = bundle.configs.iter().map(|c| c.source.path.clone());
            let hooks = bundle.hooks.iter().map(|h| h.source.path.clone());
            let ignored =
                (bundle.ignored_ebextensions.iter()).map(|f| bundle.display_path(&f.rel_path));
            for path in sources.chain(hooks).chain(ignored) {
                if versions.contains_key(&bundle::normalize(Path::new(&path))) {
                    if let Some(uri) = convert::uri(&path) {
                        by_uri.entry(uri).or_default();
                    }
                }
            }
            for finding in outcome.findings.iter().filter(|f| settings.shows(f)) {
                let Some(uri) = convert::uri(&finding.location.path) else {
                    continue;
                };
                let range = convert::range(bundle, &finding.location);
                by_uri
                    .entry(uri.clone())
                    .or_default()
                    .push(convert::diagnostic(bundle, finding));
                let published = kept.entry(uri).or_insert_with(|| Published {
                    root: root.clone(),
                    findings: Vec::new(),
                    checked: HashMap::new(),
                });
                for edit in finding.fixes.iter().flat_map(|f| &f.edits) {
                    if let Some(source) = bundle.source(edit.path()) {
                        published
                            .checked
                            .insert(source.path.clone(), convert::fingerprint(&source.text));
                    }
                }
                published.findings.push((finding.clone(), range));
            }
        }
        if let Ok(mut shared) = self.shared.lock() {
            shared.retain(|_, p| p.root.dir != root.dir);
            shared.extend(kept);
        }
        self.publish_set(root.dir.clone(), by_uri, versions);
    }

    /// Publishes `by_uri` as everything `key` has to say: files it spoke about before and
    /// not now are cleared.
    fn publish_set(
        &mut self,
        key: PathBuf,
        by_uri: HashMap<Url, Vec<lsp_types::Diagnostic>>,
        versions: &HashMap<PathBuf, i32>,
    ) {
        let now: HashSet<Url> = by_uri.keys().cloned().collect();
        let before = self.published.insert(key, now.clone()).unwrap_or_default();
        for uri in before.difference(&now) {
            self.publish(uri.clone(), Vec::new(), versions);
        }
        let mut by_uri: Vec<_> = by_uri.into_iter().collect();
        by_uri.sort_by(|a, b| a.0.cmp(&b.0));
        for (uri, diagnostics) in by_uri {
            self.publish(uri, diagnostics, versions);
        }
    }

    fn publish(
        &self,
        uri: Url,
        diagnostics: Vec<lsp_types::Diagnostic>,
        versions: &HashMap<PathBuf, i32>,
    ) {
        let version = uri
            .to_file_path()
            .ok()
            .and_then(|p| versions.get(&bundle::normalize(&p)).copied());
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let _ = self
            .sender
            .send(Notification::new(notif::PublishDiagnostics::METHOD.into(), params).into());
    }
}

/// The problems of a configuration file (unsaved text first), as diagnostics on it; an
/// empty list when it is fine.
fn config_diagnostics(path: &Path, overlay: &Overlay) -> HashMap<Url, Vec<lsp_types::Diagnostic>> {
    let mut out = HashMap::new();
    let Some(uri) = Url::from_file_path(path).ok() else {
        return out;
    };
    let mut diagnostics = Vec::new();
    if let Err(e) = Config::load_text(path, overlay.get(path)) {
        let text = overlay
            .get(path)
            .map(str::to_string)
            .or_else(|| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        // ConfigError counts columns in code points; LSP wants UTF-16 units.
        let lines = crate::source::LineIndex::new(&text);
        let line = lines.line_span(&text, e.line.max(1));
        let at = text[line.clone()]
            .char_indices()
            .nth(e.column.saturating_sub(1))
            .map_or(line.end, |(i, _)| line.start + i);
        let position = convert::position(&text, at);
        diagnostics.push(lsp_types::Diagnostic {
            range: lsp_types::Range::new(position, position),
            severity: Some(lsp_types::DiagnosticSeverity::ERROR),
            source: Some("ebguard".into()),
            message: format!("invalid configuration: {}", e.message),
            ..Default::default()
        });
    }
    out.insert(uri, diagnostics);
    out
}
