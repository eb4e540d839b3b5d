//! A chart's declared dependencies (`dependencies` in `Chart.yaml`, or
//! `requirements.yaml` for `apiVersion: v1`) and their lock file.

use super::fields::{FieldError, Fields};
use super::metadata::{map_of, sanitize, strings};
use crate::engine::Value;
use crate::engine::value::{Map, MapKind};

/// One entry of `dependencies`. `V` is how its import values are held:
/// template values in a loaded chart, JSON in a release record (which must
/// be `Send`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency<V = Value> {
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
    pub import_values: Vec<V>,
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

/// `Chart.lock` (or `requirements.lock`): the exact versions resolved;
/// `V` as for [`Dependency`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock<V = Value> {
    /// The `generated` timestamp, as written.
    pub generated: String,
    pub digest: String,
    /// `None` when the file has no `dependencies`, and `None` for a `null`
    /// entry, as Helm's nil slice and nil pointers (a release record keeps
    /// both).
    pub dependencies: Option<Vec<Option<Dependency<V>>>>,
}

impl Lock {
    /// Reads a parsed lock file.
    pub fn from_value(doc: &Value) -> Result<Lock, FieldError> {
        let fields = Fields::root(doc);
        let dependencies = fields
            .list("dependencies", "v2.Dependency")?
            .map(|list| {
                list.iter()
                    .map(|d| d.as_ref().map(Dependency::from_fields).transpose())
                    .collect::<Result<_, _>>()
            })
            .transpose()?;
        Ok(Lock {
            generated: fields.string("generated")?.unwrap_or_default(),
            digest: fields.string("digest")?.unwrap_or_default(),
            dependencies,
        })
    }
}

impl<V> Lock<V> {
    /// The locked dependencies, `null` entries left out.
    pub fn dependency_list(&self) -> impl Iterator<Item = &Dependency<V>> {
        self.dependencies.iter().flatten().flatten()
    }

    /// The same lock with each dependency's import values converted.
    pub fn try_map_imports<W, E>(
        &self,
        mut convert: impl FnMut(&V) -> Result<W, E>,
    ) -> Result<Lock<W>, E> {
        Ok(Lock {
            generated: self.generated.clone(),
            digest: self.digest.clone(),
            dependencies: map_dependencies(self.dependencies.as_deref(), &mut convert)?,
        })
    }
}

impl<V> Dependency<V> {
    /// The same dependency with its import values converted.
    pub fn try_map_imports<W, E>(
        &self,
        convert: &mut impl FnMut(&V) -> Result<W, E>,
    ) -> Result<Dependency<W>, E> {
        Ok(Dependency {
            name: self.name.clone(),
            version: self.version.clone(),
            repository: self.repository.clone(),
            condition: self.condition.clone(),
            tags: self.tags.clone(),
            enabled: self.enabled,
            import_values: self
                .import_values
                .iter()
                .map(convert)
                .collect::<Result<_, _>>()?,
            alias: self.alias.clone(),
        })
    }
}

/// A list of dependencies (`None` entries kept) with their import values
/// converted.
pub(super) fn map_dependencies<V, W, E>(
    deps: Option<&[Option<Dependency<V>>]>,
    convert: &mut impl FnMut(&V) -> Result<W, E>,
) -> Result<Option<Vec<Option<Dependency<W>>>>, E> {
    deps.map(|deps| {
        deps.iter()
            .map(|d| d.as_ref().map(|d| d.try_map_imports(convert)).transpose())
            .collect()
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::yaml;

    fn lock(text: &str) -> Lock {
        Lock::from_value(&yaml::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn locks_keep_helms_nil_list_and_null_entries() {
        assert!(lock("digest: x\n").dependencies.is_none());
        let l = lock("dependencies:\n- null\n- name: a\n  version: 1.0.0\n");
        let deps = l.dependencies.as_deref().unwrap();
        assert!(deps[0].is_none());
        let names: Vec<&str> = l.dependency_list().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn import_values_convert_with_nulls_kept() {
        let l = lock("dependencies:\n- null\n- name: a\n  import-values: [x]\n");
        let converted: Lock<String> = l
            .try_map_imports(|v| Ok::<_, ()>(crate::engine::gofmt::format_value(v)))
            .unwrap();
        let deps = converted.dependencies.unwrap();
        assert!(deps[0].is_none());
        assert_eq!(deps[1].as_ref().unwrap().import_values, ["x"]);
    }
}
