//! A chart's declared dependencies (`dependencies` in `Chart.yaml`, or
//! `requirements.yaml` for `apiVersion: v1`) and their lock file.

use super::fields::{FieldError, Fields};
use super::metadata::{map_of, sanitize, strings};
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// One entry of `dependencies`.
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    /// A version or SemVer range.
    pub version: String,
    pub repository: String,
    /// Comma-separated value paths; the first that holds a boolean decides.
    pub condition: String,
    pub tags: Vec<String>,
    /// Decided by conditions and tags while processing dependencies.
    pub enabled: bool,
    /// Strings (`exports.` paths) or `{child, parent}` maps.
    pub import_values: Vec<Value>,
    pub alias: String,
}

impl Dependency {
    pub(super) fn from_fields(fields: &Fields) -> Result<Dependency, FieldError> {
        Ok(Dependency {
            name: fields.string("name")?.unwrap_or_default(),
            version: fields.string("version")?.unwrap_or_default(),
            repository: fields.string("repository")?.unwrap_or_default(),
            condition: fields.string("condition")?.unwrap_or_default(),
            tags: fields.strings("tags")?.unwrap_or_default(),
            enabled: fields.bool("enabled")?.unwrap_or_default(),
            import_values: fields.values("import-values")?.unwrap_or_default(),
            alias: fields.string("alias")?.unwrap_or_default(),
        })
    }

    pub(super) fn sanitize(&mut self) {
        for s in [
            &mut self.name,
            &mut self.version,
            &mut self.repository,
            &mut self.condition,
        ] {
            *s = sanitize(s);
        }
        for t in &mut self.tags {
            *t = sanitize(t);
        }
    }

    /// The name the chart goes by in its parent: the alias if any.
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }

    /// An entry of `.Chart.Dependencies`.
    pub fn to_template_value(&self) -> Value {
        map_of([
            ("Alias", Value::str(self.alias.as_str())),
            ("Condition", Value::str(self.condition.as_str())),
            ("Enabled", Value::Bool(self.enabled)),
            ("ImportValues", Value::list(self.import_values.clone())),
            ("Name", Value::str(self.name.as_str())),
            ("Repository", Value::str(self.repository.as_str())),
            ("Tags", strings(&self.tags)),
            ("Version", Value::str(self.version.as_str())),
        ])
    }
}

/// An import of values from a subchart, normalized as Helm records it
/// after processing: a `map[string]string` with `child` and `parent`.
pub(crate) fn import_record(child: &str, parent: &str) -> Value {
    let entries = [("child", child), ("parent", parent)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::str(v)))
        .collect();
    Value::Map(Map::from_entries(MapKind::String, entries))
}

/// `Chart.lock` (or `requirements.lock`): the exact versions resolved.
#[derive(Clone, Debug, Default)]
pub struct Lock {
    /// The `generated` timestamp, as written.
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

impl Lock {
    /// Reads a parsed lock file.
    pub fn from_value(doc: &Value) -> Result<Lock, FieldError> {
        let fields = Fields::root(doc);
        let dependencies = fields
            .list("dependencies", "v2.Dependency")?
            .unwrap_or_default()
            .iter()
            .flatten()
            .map(Dependency::from_fields)
            .collect::<Result<_, _>>()?;
        Ok(Lock {
            generated: fields.string("generated")?.unwrap_or_default(),
            digest: fields.string("digest")?.unwrap_or_default(),
            dependencies,
        })
    }
}
