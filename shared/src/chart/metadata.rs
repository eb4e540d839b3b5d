//! `Chart.yaml`, its validation, and the `.Chart` object templates see.

use std::collections::BTreeMap;

use super::dependency::{Dependency, map_dependencies};
use super::fields::{FieldError, Fields};
use crate::constraints;
use crate::engine::Value;
use crate::engine::gofmt::is_print;
use crate::engine::value::{Map, MapKind};

/// The fields of `Chart.yaml` that Helm knows; `V` holds dependencies'
/// import values (see [`Dependency`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata<V = Value> {
    pub api_version: String,
    pub name: String,
    pub version: String,
    pub kube_version: String,
    pub description: String,
    pub chart_type: String,
    pub keywords: Vec<String>,
    pub home: String,
    pub sources: Vec<String>,
    /// `None` for a `null` entry, which validation refuses.
    pub maintainers: Vec<Option<Maintainer>>,
    pub icon: String,
    pub app_version: String,
    pub deprecated: bool,
    pub condition: String,
    pub tags: String,
    /// `None` when `Chart.yaml` has no `annotations`, which templates see as nil.
    pub annotations: Option<BTreeMap<String, String>>,
    /// `dependencies` (or, for `apiVersion: v1`, those of
    /// `requirements.yaml`); `None` for a `null` entry.
    pub dependencies: Option<Vec<Option<Dependency<V>>>>,
}

/// An entry of `maintainers`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// What Helm's `Metadata.Validate` refuses; shown after `validation: `.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ValidationError {
    #[error("chart.metadata.{0} is required")]
    Required(&'static str),
    #[error("chart.metadata.name {0:?} is invalid")]
    InvalidName(String),
    #[error("chart.metadata.version {0:?} is invalid")]
    InvalidVersion(String),
    #[error("chart.metadata.type must be application or library")]
    InvalidType,
    #[error("maintainers must not contain empty or null nodes")]
    NullMaintainer,
    #[error("dependencies must not contain empty or null nodes")]
    NullDependency,
    #[error("dependency {0:?} has disallowed characters in the alias")]
    InvalidAlias(String),
    #[error("more than one dependency with name or alias {0:?}")]
    DuplicateDependency(String),
}

impl Metadata {
    /// Reads the metadata from the parsed `Chart.yaml` document.
    pub fn from_value(doc: &Value) -> Result<Metadata, FieldError> {
        let mut metadata = Metadata::default();
        metadata.read(doc)?;
        Ok(metadata)
    }

    /// Overlays the fields present in `doc` (how `requirements.yaml` adds
    /// its `dependencies` to the metadata of `Chart.yaml`).
    pub fn read(&mut self, doc: &Value) -> Result<(), FieldError> {
        let fields = Fields::root(doc);
        let set = |target: &mut String, key: &str| -> Result<(), FieldError> {
            if let Some(v) = fields.string(key)? {
                *target = v;
            }
            Ok(())
        };
        set(&mut self.api_version, "apiVersion")?;
        set(&mut self.name, "name")?;
        set(&mut self.version, "version")?;
        set(&mut self.kube_version, "kubeVersion")?;
        set(&mut self.description, "description")?;
        set(&mut self.chart_type, "type")?;
        set(&mut self.home, "home")?;
        set(&mut self.icon, "icon")?;
        set(&mut self.app_version, "appVersion")?;
        set(&mut self.condition, "condition")?;
        set(&mut self.tags, "tags")?;
        if let Some(v) = fields.strings("keywords")? {
            self.keywords = v;
        }
        if let Some(v) = fields.strings("sources")? {
            self.sources = v;
        }
        if let Some(v) = fields.bool("deprecated")? {
            self.deprecated = v;
        }
        if let Some(items) = fields.list("maintainers", "v2.Maintainer")? {
            self.maintainers = items
                .iter()
                .map(|item| {
                    item.as_ref()
                        .map(|m| {
                            Ok(Maintainer {
                                name: m.string("name")?.unwrap_or_default(),
                                email: m.string("email")?.unwrap_or_default(),
                                url: m.string("url")?.unwrap_or_default(),
                            })
                        })
                        .transpose()
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(a) = fields.string_map("annotations")? {
            self.annotations = Some(a);
        }
        if let Some(items) = fields.list("dependencies", "v2.Dependency")? {
            let deps = items
                .iter()
                .map(|item| item.as_ref().map(Dependency::from_fields).transpose())
                .collect::<Result<_, _>>()?;
            self.dependencies = Some(deps);
        }
        Ok(())
    }

    /// Helm's checks of a loaded chart's metadata, in Helm's order. Strings
    /// are first sanitized as Helm does (whitespace becomes a space,
    /// unprintable characters go).
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err(ValidationError::Required("apiVersion"));
        }
        if self.name.is_empty() {
            return Err(ValidationError::Required("name"));
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return Err(ValidationError::InvalidName(self.name.clone()));
        }
        if self.version.is_empty() {
            return Err(ValidationError::Required("version"));
        }
        if constraints::parse_version(&self.version).is_err() {
            return Err(ValidationError::InvalidVersion(self.version.clone()));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(ValidationError::InvalidType);
        }
        for m in &mut self.maintainers {
            let Some(m) = m else {
                return Err(ValidationError::NullMaintainer);
            };
            for s in [&mut m.name, &mut m.email, &mut m.url] {
                *s = sanitize(s);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for dep in self.dependencies.iter_mut().flatten() {
            let Some(dep) = dep else {
                return Err(ValidationError::NullDependency);
            };
            dep.sanitize();
            if !dep.alias.is_empty() && !is_valid_alias(&dep.alias) {
                return Err(ValidationError::InvalidAlias(dep.name.clone()));
            }
            let key = if dep.alias.is_empty() {
                &dep.name
            } else {
                &dep.alias
            };
            if !seen.insert(key.clone()) {
                return Err(ValidationError::DuplicateDependency(key.clone()));
            }
        }
        Ok(())
    }

    /// The declared dependencies, without `null` entries (which
    /// validation has refused already).
    pub fn dependency_list(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten().flatten()
    }

    /// Whether this is a library chart (templates only lend partials).
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }

    /// `.Chart` as Helm 4 gives it to templates: a map keyed by the Go
    /// field names of its metadata struct, plus `IsRoot`.
    pub fn to_template_value(&self, is_root: bool) -> Value {
        let maintainers = self
            .maintainers
            .iter()
            .flatten()
            .map(|m| {
                map_of([
                    ("Email", Value::str(m.email.as_str())),
                    ("Name", Value::str(m.name.as_str())),
                    ("URL", Value::str(m.url.as_str())),
                ])
            })
            .collect();
        let annotations = match &self.annotations {
            None => Value::Map(Map::nil(MapKind::String)),
            Some(a) => Value::Map(Map::from_entries(
                MapKind::String,
                a.iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                    .collect(),
            )),
        };
        let dependencies = self
            .dependency_list()
            .map(Dependency::to_template_value)
            .collect();
        map_of([
            ("APIVersion", Value::str(self.api_version.as_str())),
            ("Annotations", annotations),
            ("AppVersion", Value::str(self.app_version.as_str())),
            ("Condition", Value::str(self.condition.as_str())),
            ("Dependencies", Value::list(dependencies)),
            ("Deprecated", Value::Bool(self.deprecated)),
            ("Description", Value::str(self.description.as_str())),
            ("Home", Value::str(self.home.as_str())),
            ("Icon", Value::str(self.icon.as_str())),
            ("IsRoot", Value::Bool(is_root)),
            ("Keywords", strings(&self.keywords)),
            ("KubeVersion", Value::str(self.kube_version.as_str())),
            ("Maintainers", Value::list(maintainers)),
            ("Name", Value::str(self.name.as_str())),
            ("Sources", strings(&self.sources)),
            ("Tags", Value::str(self.tags.as_str())),
            ("Type", Value::str(self.chart_type.as_str())),
            ("Version", Value::str(self.version.as_str())),
        ])
    }
}

impl<V> Metadata<V> {
    /// The same metadata with each dependency's import values converted
    /// (how a release record gets its JSON copy).
    pub fn try_map_imports<W, E>(
        &self,
        mut convert: impl FnMut(&V) -> Result<W, E>,
    ) -> Result<Metadata<W>, E> {
        Ok(Metadata {
            api_version: self.api_version.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            kube_version: self.kube_version.clone(),
            description: self.description.clone(),
            chart_type: self.chart_type.clone(),
            keywords: self.keywords.clone(),
            home: self.home.clone(),
            sources: self.sources.clone(),
            maintainers: self.maintainers.clone(),
            icon: self.icon.clone(),
            app_version: self.app_version.clone(),
            deprecated: self.deprecated,
            condition: self.condition.clone(),
            tags: self.tags.clone(),
            annotations: self.annotations.clone(),
            dependencies: map_dependencies(self.dependencies.as_deref(), &mut convert)?,
        })
    }
}

/// A list of strings as templates see a Go `[]string` that went through
/// Helm's conversion to a map: `[]interface {}`.
pub(super) fn strings(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s.as_str())).collect())
}

pub(super) fn map_of<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let entries = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Map(Map::from_entries(MapKind::Any, entries))
}

/// Helm's `sanitizeString`: whitespace becomes a space and unprintable
/// characters (controls, format characters such as U+200B, unassigned
/// code points) are dropped.
pub(super) fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// Aliases are made of letters, digits, `_` and `-`.
fn is_valid_alias(alias: &str) -> bool {
    alias
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::yaml;

    fn meta(text: &str) -> Metadata {
        Metadata::from_value(&yaml::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn validation_follows_helms_order_and_words() {
        let cases = [
            ("name: a", "chart.metadata.apiVersion is required"),
            ("apiVersion: v2", "chart.metadata.name is required"),
            (
                "apiVersion: v2\nname: a/b",
                "chart.metadata.name \"a/b\" is invalid",
            ),
            (
                "apiVersion: v2\nname: a",
                "chart.metadata.version is required",
            ),
            (
                "apiVersion: v2\nname: a\nversion: x",
                "chart.metadata.version \"x\" is invalid",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 1.0.0\ntype: lib",
                "chart.metadata.type must be application or library",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 1.0.0\nmaintainers: [null]",
                "maintainers must not contain empty or null nodes",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [null]",
                "dependencies must not contain empty or null nodes",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [{name: x, alias: a.b}]",
                "dependency \"x\" has disallowed characters in the alias",
            ),
            (
                "apiVersion: v2\nname: a\nversion: 1.0.0\ndependencies: [{name: x}, {name: y, alias: x}]",
                "more than one dependency with name or alias \"x\"",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                meta(text).validate().unwrap_err().to_string(),
                want,
                "{text}"
            );
        }
        assert!(
            meta("apiVersion: v2\nname: a\nversion: '1'")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn sanitizing_replaces_whitespace_and_drops_controls() {
        assert_eq!(sanitize("a\tb\u{7}c\u{200b}!"), "a bc!");
    }
}
