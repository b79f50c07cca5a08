//! Django's migration graph, built the way `django.db.migrations.loader.MigrationLoader`
//! builds it on a database where none of the squashed migrations is applied (a fresh
//! database, and what `makemigrations --check` sees): nodes for every file, in-app
//! dependencies, then cross-app dependencies and `run_before` (`__first__`/`__latest__`
//! resolved against the graph so far), then squashed migrations (`replaces`) take the place of
//! the ones they replace. References to nodes that do not exist stay as dummy nodes, which
//! Django reports as `NodeNotFoundError` ("dependencies reference nonexistent parent node").
//!
//! Apps outside the bundle (django.contrib, third-party packages) are unknown: references to
//! them add no node and no error.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use super::django::{DropKind, Key, Migration, ObjectOp, Space, Target};
use super::sql::identifier_key;

/// A Django app found in the bundle: its label and its migration files.
#[derive(Debug)]
pub struct App {
    pub label: String,
    /// The `migrations` directory as shown to users.
    pub dir: String,
    pub migrations: Vec<Migration>,
}

/// Where a migration lives: (index in apps, index in the app's migrations).
pub type At = (usize, usize);

#[derive(Debug)]
enum Origin {
    File(At),
    /// A name nothing defines, referenced at `span` of migration `from`; `as_child` when a
    /// `run_before` entry named it.
    Dummy {
        from: At,
        span: Range<usize>,
        as_child: bool,
    },
}

#[derive(Debug)]
struct Node {
    key: Key,
    origin: Origin,
    alive: bool,
    parents: BTreeSet<usize>,
    children: BTreeSet<usize>,
}

/// A reference to a migration that does not exist (after squashes are taken into account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub key: Key,
    pub from: At,
    pub span: Range<usize>,
    /// Named by `run_before` (Django: "nonexistent child node") rather than `dependencies`.
    pub as_child: bool,
}

/// Two creations of the same name that the database rejects ("relation ... already exists").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub name: String,
    pub space: Space,
    pub first: (At, Range<usize>, &'static str),
    pub second: (At, Range<usize>, &'static str),
}

#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    index: HashMap<Key, usize>,
    /// Apps whose in-app edges are all known, so their leaves are exact.
    known_apps: HashSet<String>,
    /// Labels that more than one `migrations` directory claims.
    ambiguous: HashSet<String>,
}

impl Graph {
    /// Builds the graph of `apps`; `user_model_app` is the app of `settings.AUTH_USER_MODEL`
    /// when the bundle's settings name it literally.
    pub fn build(apps: &[App], user_model_app: Option<&str>) -> Graph {
        let mut g = Graph::default();
        let mut labels: HashMap<&str, usize> = HashMap::new();
        for app in apps {
            *labels.entry(&app.label).or_default() += 1;
        }
        g.ambiguous = labels
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(l, _)| l.to_string())
            .collect();
        let in_bundle: HashSet<&str> = labels.keys().copied().collect();
        let mut order: Vec<(Key, At)> = Vec::new();
        for (a, app) in apps.iter().enumerate() {
            for (m, migration) in app.migrations.iter().enumerate() {
                order.push(((app.label.clone(), migration.name.clone()), (a, m)));
            }
        }
        order.sort();
        for (key, at) in &order {
            if !g.index.contains_key(key) {
                g.push(key.clone(), Origin::File(*at));
            }
        }
        for app in apps {
            if !g.ambiguous.contains(&app.label) && app.migrations.iter().all(|m| m.edges_known()) {
                g.known_apps.insert(app.label.clone());
            }
        }
        let migration = |at: At| &apps[at.0].migrations[at.1];
        let resolve = |target: &Target| -> Option<Key> {
            match target {
                Target::Key(k) => Some(k.clone()),
                Target::Swappable(setting) if setting == "AUTH_USER_MODEL" => {
                    user_model_app.map(|app| (app.to_string(), "__first__".to_string()))
                }
                Target::Swappable(_) => None,
            }
        };
        // In-app dependencies first, so `__first__` finds the right root (as Django does).
        for (key, at) in &order {
            for dep in migration(*at).dependencies.iter().flatten() {
                let Some(parent) = resolve(&dep.target) else {
                    continue;
                };
                if parent.0 == key.0 && parent.1 != "__first__" {
                    g.depend(key, &parent, *at, &dep.span);
                }
            }
        }
        for (key, at) in &order {
            let m = migration(*at);
            for dep in m.dependencies.iter().flatten() {
                let Some(parent) = resolve(&dep.target) else {
                    continue;
                };
                if parent.0 == key.0 || !in_bundle.contains(parent.0.as_str()) {
                    continue;
                }
                if let Some(parent) = g.check_key(&parent, &key.0) {
                    g.depend(key, &parent, *at, &dep.span);
                }
            }
            for before in m.run_before.iter().flatten() {
                let Some(child) = resolve(&before.target) else {
                    continue;
                };
                if !in_bundle.contains(child.0.as_str()) {
                    continue;
                }
                if let Some(child) = g.check_key(&child, &key.0) {
                    g.depend(&child, key, *at, &before.span);
                }
            }
        }
        for (key, at) in &order {
            let replaces = migration(*at).replaces.iter().flatten();
            let replaced: Vec<&Key> = replaces.map(|(k, _)| k).collect();
            if !replaced.is_empty() {
                g.replace(key, &replaced);
            }
        }
        g
    }

    fn push(&mut self, key: Key, origin: Origin) -> usize {
        let id = self.nodes.len();
        self.index.insert(key.clone(), id);
        self.nodes.push(Node {
            key,
            origin,
            alive: true,
            parents: BTreeSet::new(),
            children: BTreeSet::new(),
        });
        id
    }

    fn live(&self, key: &Key) -> Option<usize> {
        self.index
            .get(key)
            .copied()
            .filter(|&i| self.nodes[i].alive)
    }

    /// `MigrationGraph.add_dependency`: missing ends become dummy nodes.
    fn depend(&mut self, child: &Key, parent: &Key, from: At, span: &Range<usize>) {
        let id = |g: &mut Graph, key: &Key, as_child: bool| match g.live(key) {
            Some(i) => i,
            None => g.push(
                key.clone(),
                Origin::Dummy {
                    from,
                    span: span.clone(),
                    as_child,
                },
            ),
        };
        let c = id(self, child, true);
        let p = id(self, parent, false);
        self.nodes[c].parents.insert(p);
        self.nodes[p].children.insert(c);
    }

    /// `MigrationLoader.check_key` for a reference into another app of the bundle.
    fn check_key(&self, key: &Key, current_app: &str) -> Option<Key> {
        if !matches!(key.1.as_str(), "__first__" | "__latest__") || self.live(key).is_some() {
            return Some(key.clone());
        }
        if key.0 == current_app {
            return None;
        }
        let found = if key.1 == "__first__" {
            self.roots(&key.0).into_iter().next()
        } else {
            self.leaves_with_dummies(&key.0).into_iter().next()
        };
        found.map(|i| self.nodes[i].key.clone())
    }

    /// `MigrationGraph.remove_replaced_nodes`.
    fn replace(&mut self, replacement: &Key, replaced: &[&Key]) {
        let Some(r) = self.live(replacement) else {
            return;
        };
        let replaced_set: HashSet<&Key> = replaced.iter().copied().collect();
        for key in replaced {
            let Some(old) = self.live(key) else { continue };
            self.nodes[old].alive = false;
            for child in std::mem::take(&mut self.nodes[old].children) {
                self.nodes[child].parents.remove(&old);
                if !replaced_set.contains(&self.nodes[child].key) {
                    self.nodes[r].children.insert(child);
                    self.nodes[child].parents.insert(r);
                }
            }
            for parent in std::mem::take(&mut self.nodes[old].parents) {
                self.nodes[parent].children.remove(&old);
                if !replaced_set.contains(&self.nodes[parent].key) {
                    self.nodes[r].parents.insert(parent);
                    self.nodes[parent].children.insert(r);
                }
            }
        }
    }

    fn live_ids(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].alive)
    }

    fn sorted(&self, mut ids: Vec<usize>) -> Vec<usize> {
        ids.sort_by(|a, b| self.nodes[*a].key.cmp(&self.nodes[*b].key));
        ids
    }

    fn roots(&self, app: &str) -> Vec<usize> {
        let ids = self
            .live_ids()
            .filter(|&i| self.nodes[i].key.0 == app)
            .filter(|&i| {
                self.nodes[i]
                    .parents
                    .iter()
                    .all(|&p| self.nodes[p].key.0 != app)
            })
            .collect();
        self.sorted(ids)
    }

    fn leaves_with_dummies(&self, app: &str) -> Vec<usize> {
        let ids = self
            .live_ids()
            .filter(|&i| app.is_empty() || self.nodes[i].key.0 == app)
            .filter(|&i| {
                let own = &self.nodes[i].key.0;
                self.nodes[i]
                    .children
                    .iter()
                    .all(|&c| &self.nodes[c].key.0 != own)
            })
            .collect();
        self.sorted(ids)
    }

    /// The apps with more than one leaf node, each with its leaves (files, in name order).
    /// Apps with an edge ebguard cannot read are left out: their leaves are not known.
    pub fn conflicts(&self) -> Vec<(String, Vec<At>)> {
        let mut by_app: std::collections::BTreeMap<String, Vec<At>> = Default::default();
        for i in self.leaves_with_dummies("") {
            if let Origin::File(at) = self.nodes[i].origin {
                by_app
                    .entry(self.nodes[i].key.0.clone())
                    .or_default()
                    .push(at);
            }
        }
        by_app
            .into_iter()
            .filter(|(app, leaves)| leaves.len() > 1 && self.known_apps.contains(app))
            .collect()
    }

    /// References to migrations that exist nowhere, in key order.
    pub fn missing(&self) -> Vec<Missing> {
        let mut out: Vec<Missing> = self
            .live_ids()
            .filter_map(|i| match &self.nodes[i].origin {
                Origin::Dummy {
                    from,
                    span,
                    as_child,
                } => Some(Missing {
                    key: self.nodes[i].key.clone(),
                    from: *from,
                    span: span.clone(),
                    as_child: *as_child,
                }),
                Origin::File(_) => None,
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// The order `manage.py migrate` applies every migration on a fresh database:
    /// `MigrationExecutor.migration_plan` over all leaves, each a depth-first walk of its
    /// parents in key order (`MigrationGraph.iterative_dfs`).
    pub fn plan(&self) -> Vec<At> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        for target in self.leaves_with_dummies("") {
            let mut stack = vec![(target, false)];
            while let Some((node, processed)) = stack.pop() {
                if seen[node] {
                    continue;
                }
                if processed {
                    seen[node] = true;
                    if let Origin::File(at) = self.nodes[node].origin {
                        out.push(at);
                    }
                } else {
                    stack.push((node, true));
                    let parents = self.sorted(self.nodes[node].parents.iter().copied().collect());
                    stack.extend(parents.into_iter().map(|p| (p, false)));
                }
            }
        }
        out
    }

    /// Index and constraint names created while another object of that name still exists,
    /// walking the migrations in [`Graph::plan`] order, in the one database all apps share.
    pub fn clashes(&self, apps: &[App]) -> Vec<Clash> {
        #[derive(Clone)]
        struct Object {
            at: At,
            span: Range<usize>,
            what: &'static str,
            model: Option<(String, String)>,
            fields: Option<Vec<String>>,
            constraint: bool,
        }
        let mut live: HashMap<(Space, String), Object> = HashMap::new();
        let mut out = Vec::new();
        for at in self.plan() {
            let app = &apps[at.0].label;
            let Some(ops) = &apps[at.0].migrations[at.1].operations else {
                live.clear();
                continue;
            };
            for op in ops {
                match op {
                    ObjectOp::Create {
                        name,
                        space,
                        model,
                        fields,
                        if_not_exists,
                        constraint,
                        what,
                        span,
                    } => {
                        let space = match space {
                            Space::Table(t) if model.is_some() => {
                                Space::Table(format!("{app}.{t}"))
                            }
                            other => other.clone(),
                        };
                        let key = (space, identifier_key(name));
                        if let Some(first) = live.get(&key) {
                            if !if_not_exists {
                                out.push(Clash {
                                    name: name.clone(),
                                    space: key.0.clone(),
                                    first: (first.at, first.span.clone(), first.what),
                                    second: (at, span.clone(), what),
                                });
                            }
                            continue;
                        }
                        live.insert(
                            key,
                            Object {
                                at,
                                span: span.clone(),
                                what,
                                model: model.as_ref().map(|m| (app.clone(), m.clone())),
                                fields: fields.clone(),
                                constraint: *constraint,
                            },
                        );
                    }
                    ObjectOp::Drop { name, kind } => {
                        let name = identifier_key(name);
                        live.retain(|(_, n), o| {
                            *n != name
                                || match kind {
                                    DropKind::Any => false,
                                    DropKind::Index => o.constraint,
                                    DropKind::Constraint => !o.constraint,
                                }
                        });
                    }
                    ObjectOp::DropModel { model } => {
                        let target = (app.clone(), model.clone());
                        live.retain(|_, o| o.model.as_ref() != Some(&target));
                    }
                    ObjectOp::DropField { model, field } => {
                        let target = (app.clone(), model.clone());
                        live.retain(|_, o| {
                            o.model.as_ref() != Some(&target)
                                || o.fields.as_ref().is_some_and(|f| !f.contains(field))
                        });
                    }
                    ObjectOp::RenameModel { old, new } => {
                        let moved: Vec<(Space, String)> = live
                            .iter()
                            .filter(|(_, o)| o.model.as_ref() == Some(&(app.clone(), old.clone())))
                            .map(|(k, _)| k.clone())
                            .collect();
                        for key in moved {
                            let mut o = live.remove(&key).unwrap();
                            o.model = Some((app.clone(), new.clone()));
                            let space = match key.0 {
                                Space::Table(_) => Space::Table(format!("{app}.{new}")),
                                s => s,
                            };
                            live.insert((space, key.1), o);
                        }
                    }
                    ObjectOp::Opaque => live.clear(),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::django::read;
    use super::*;
    use crate::source::SourceFile;

    fn app(label: &str, files: &[(&str, &str)]) -> App {
        App {
            label: label.into(),
            dir: format!("{label}/migrations"),
            migrations: files
                .iter()
                .map(|(name, body)| {
                    let text = format!(
                        "from django.db import migrations, models\nclass Migration(migrations.Migration):\n{body}\n"
                    );
                    read(name, SourceFile::new(format!("{name}.py"), text))
                })
                .collect(),
        }
    }

    fn leaves(g: &Graph, apps: &[App]) -> Vec<(String, Vec<String>)> {
        g.conflicts()
            .into_iter()
            .map(|(app, ats)| {
                let names = ats
                    .iter()
                    .map(|at| apps[at.0].migrations[at.1].name.clone())
                    .collect();
                (app, names)
            })
            .collect()
    }

    #[test]
    fn two_children_of_one_parent_conflict_until_merged() {
        let mut apps = vec![app(
            "blog",
            &[
                ("0001_initial", "    pass"),
                ("0002_a", "    dependencies = [('blog', '0001_initial')]"),
                ("0002_b", "    dependencies = [('blog', '0001_initial')]"),
            ],
        )];
        let g = Graph::build(&apps, None);
        assert_eq!(
            leaves(&g, &apps),
            [(
                "blog".to_string(),
                vec!["0002_a".to_string(), "0002_b".to_string()]
            )]
        );
        apps[0].migrations.extend(
            app(
                "blog",
                &[(
                    "0003_merge",
                    "    dependencies = [('blog', '0002_a'), ('blog', '0002_b')]",
                )],
            )
            .migrations,
        );
        assert!(Graph::build(&apps, None).conflicts().is_empty());
    }

    #[test]
    fn run_before_and_squashes_join_branches() {
        let apps = vec![app(
            "blog",
            &[
                ("0001_initial", "    run_before = [('blog', '0002_b')]"),
                ("0002_a", "    dependencies = [('blog', '0001_initial')]"),
                ("0002_b", "    pass"),
                (
                    "0003_c",
                    "    dependencies = [('blog', '0002_a'), ('blog', '0002_b')]",
                ),
            ],
        )];
        assert!(Graph::build(&apps, None).conflicts().is_empty());
        // The old files were deleted after squashing; 0003 still names one of them.
        let apps = vec![app(
            "blog",
            &[
                (
                    "0001_squashed_0002",
                    "    replaces = [('blog', '0001_initial'), ('blog', '0002_a')]",
                ),
                ("0003_c", "    dependencies = [('blog', '0002_a')]"),
            ],
        )];
        let g = Graph::build(&apps, None);
        assert!(g.conflicts().is_empty());
        assert!(g.missing().is_empty());
    }

    #[test]
    fn missing_nodes_and_cross_app_references() {
        let apps = vec![
            app(
                "blog",
                &[(
                    "0001_initial",
                    "    dependencies = [('shop', '0009_gone'), ('auth', '0001_initial'), ('shop', '__first__'), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]",
                )],
            ),
            app("shop", &[("0001_initial", "    pass")]),
        ];
        let g = Graph::build(&apps, None);
        let missing: Vec<Key> = g.missing().into_iter().map(|m| m.key).collect();
        assert_eq!(missing, [("shop".to_string(), "0009_gone".to_string())]);
        assert_eq!(g.plan(), [(1, 0), (0, 0)]);
    }

    #[test]
    fn index_names_clash_unless_dropped_in_between() {
        let idx = |name: &str| {
            format!("migrations.AddIndex(model_name='page', index=models.Index(fields=['a'], name='{name}'))")
        };
        let apps = vec![app(
            "blog",
            &[
                ("0001_initial", &format!("    operations = [{}]", idx("x"))),
                (
                    "0002_b",
                    &format!(
                        "    dependencies = [('blog', '0001_initial')]\n    operations = [migrations.RemoveIndex('page', 'x'), {}]",
                        idx("x")
                    ),
                ),
                (
                    "0003_c",
                    "    dependencies = [('blog', '0002_b')]\n    operations = [migrations.RunSQL('CREATE INDEX x ON blog_page (a)')]",
                ),
            ],
        )];
        let g = Graph::build(&apps, None);
        let clashes = g.clashes(&apps);
        assert_eq!(clashes.len(), 1);
        assert_eq!(clashes[0].first.0, (0, 1));
        assert_eq!(clashes[0].second.0, (0, 2));
    }
}
