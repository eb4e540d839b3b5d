//! `Chart.yaml` and `Chart.lock` written again from the loaded chart, as
//! Helm marshals its chart structs (sigs.k8s.io/yaml): keys sorted, empty
//! fields left out, unknown fields and comments gone. `helm show chart`,
//! `helm package` and `helm create` all write this form.

use std::collections::BTreeMap;

use super::dependency::{Dependency, Lock};
use super::metadata::Metadata;
use crate::codec::yaml::{self, EncodeError};
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// Go's zero `time.Time`, which a lock without `generated` marshals as.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl Metadata {
    /// The text of `Chart.yaml` for this metadata. The strings are written
    /// as they are: [`Metadata::validate`] has sanitized them already.
    pub fn to_chart_yaml(&self) -> Result<String, EncodeError> {
        let mut fields = Fields::default();
        fields.text("apiVersion", &self.api_version);
        fields.text("appVersion", &self.app_version);
        fields.text("condition", &self.condition);
        fields.text("description", &self.description);
        fields.text("home", &self.home);
        fields.text("icon", &self.icon);
        fields.text("kubeVersion", &self.kube_version);
        fields.text("name", &self.name);
        fields.text("tags", &self.tags);
        fields.text("type", &self.chart_type);
        fields.text("version", &self.version);
        fields.strings("keywords", &self.keywords);
        fields.strings("sources", &self.sources);
        if self.deprecated {
            fields.set("deprecated", Value::Bool(true));
        }
        if let Some(annotations) = self.annotations.as_ref().filter(|a| !a.is_empty()) {
            let mut map = Fields::default();
            for (k, v) in annotations {
                map.set(k, Value::str(v.as_str()));
            }
            fields.set("annotations", map.into_value());
        }
        if !self.maintainers.is_empty() {
            let list = self
                .maintainers
                .iter()
                .map(|m| {
                    // Helm writes a missing maintainer entry as `null`.
                    let Some(m) = m else { return Value::Nil };
                    let mut map = Fields::default();
                    map.text("email", &m.email);
                    map.text("name", &m.name);
                    map.text("url", &m.url);
                    map.into_value()
                })
                .collect();
            fields.set("maintainers", Value::list(list));
        }
        if let Some(deps) = self.dependencies.as_ref().filter(|d| !d.is_empty()) {
            let list = deps
                .iter()
                .map(|d| d.as_ref().map_or(Value::Nil, Dependency::to_yaml_value))
                .collect();
            fields.set("dependencies", Value::list(list));
        }
        yaml::to_yaml(&fields.into_value())
    }
}

impl Lock {
    /// The text of `Chart.lock` for this lock.
    pub fn to_lock_yaml(&self) -> Result<String, EncodeError> {
        let mut fields = Fields::default();
        let generated = if self.generated.is_empty() {
            ZERO_TIME
        } else {
            &self.generated
        };
        fields.set("generated", Value::str(generated));
        fields.set("digest", Value::str(self.digest.as_str()));
        // Unlike the metadata's, the lock's list is written even when empty.
        let deps = match self.dependencies.as_deref() {
            None | Some([]) => Value::Nil,
            Some(deps) => Value::list(
                deps.iter()
                    .map(|d| d.as_ref().map_or(Value::Nil, Dependency::to_yaml_value))
                    .collect(),
            ),
        };
        fields.set("dependencies", deps);
        yaml::to_yaml(&fields.into_value())
    }
}

impl Dependency {
    /// Helm's `Dependency` struct: `name` and `repository` always, the
    /// rest when set.
    fn to_yaml_value(&self) -> Value {
        let mut fields = Fields::default();
        fields.set("name", Value::str(self.name.as_str()));
        fields.set("repository", Value::str(self.repository.as_str()));
        fields.text("version", &self.version);
        fields.text("condition", &self.condition);
        fields.strings("tags", &self.tags);
        if self.enabled {
            fields.set("enabled", Value::Bool(true));
        }
        if !self.import_values.is_empty() {
            fields.set("import-values", Value::list(self.import_values.clone()));
        }
        fields.text("alias", &self.alias);
        fields.into_value()
    }
}

/// The fields of one struct being marshalled; the map sorts them.
#[derive(Default)]
struct Fields(BTreeMap<String, Value>);

impl Fields {
    fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    /// A string field with `omitempty`.
    fn text(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.set(key, Value::str(value));
        }
    }

    /// A `[]string` field with `omitempty`.
    fn strings(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.set(key, Value::strings(items.iter().map(String::as_str)));
        }
    }

    fn into_value(self) -> Value {
        Value::Map(Map::from_entries(MapKind::Any, self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart_yaml(text: &str) -> String {
        let doc = yaml::from_str(text).unwrap();
        let mut meta = Metadata::from_value(&doc).unwrap();
        meta.validate().unwrap();
        meta.to_chart_yaml().unwrap()
    }

    #[test]
    fn chart_yaml_sorts_and_drops_empty_and_unknown_fields() {
        assert_eq!(
            chart_yaml("version: 1.0.0\nname: x\napiVersion: v2\nfoo: bar\nhome: ''\n"),
            "apiVersion: v2\nname: x\nversion: 1.0.0\n"
        );
    }

    #[test]
    fn dependencies_keep_name_and_repository_even_when_empty() {
        assert_eq!(
            chart_yaml(
                "apiVersion: v2\nname: x\nversion: 1.0.0\n\
                 dependencies: [{name: a, enabled: false, tags: []}]\n"
            ),
            "apiVersion: v2\ndependencies:\n- name: a\n  repository: \"\"\nname: x\nversion: 1.0.0\n"
        );
    }

    #[test]
    fn an_empty_lock_keeps_every_field() {
        assert_eq!(
            Lock::default().to_lock_yaml().unwrap(),
            "dependencies: null\ndigest: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\n"
        );
    }
}
