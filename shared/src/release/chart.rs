//! The chart as a release record holds it: Helm's `chart.Chart` as
//! `encoding/json` writes it. Subcharts are not part of it (Helm keeps them
//! in an unexported field), so a stored chart is the top chart only, with
//! the values and files it was installed with.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::gojson::{
    DecodeError, StructReader, StructWriter, write_bytes, write_list, write_map, write_strings,
    write_value,
};
use super::time::Time;
use crate::chart;
use crate::codec::json as gojson_codec;

/// Helm's `chart.Chart` in the record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredChart {
    /// `null` when absent.
    pub metadata: Option<Metadata>,
    pub lock: Option<Lock>,
    /// `null` for a nil slice.
    pub templates: Option<Vec<File>>,
    /// The chart's default values; `null` when nil.
    pub values: Option<Map<String, Value>>,
    /// `values.schema.json`, verbatim.
    pub schema: Option<Vec<u8>>,
    /// Written even when zero (Helm 4 tags it `omitempty`, which never
    /// omits a struct).
    pub schema_modtime: Time,
    pub files: Option<Vec<File>>,
    pub modtime: Time,
}

/// A file of a chart: a template or any other file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
    pub modtime: Time,
}

/// `Chart.yaml` as Helm's `chart.Metadata`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// `None` for a `null` entry, kept so it round-trips.
    pub maintainers: Vec<Option<Maintainer>>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Option<Dependency>>,
    pub chart_type: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency of `Chart.yaml` or an entry of `Chart.lock`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.lock`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    pub generated: Time,
    pub digest: String,
    /// `null` for a nil slice.
    pub dependencies: Option<Vec<Option<Dependency>>>,
}

impl StoredChart {
    /// The record of a loaded chart (its subcharts are not stored, as in
    /// Helm). Our loader keeps no modification times, so they are zero.
    /// Fails only on values the record cannot hold (see [`engine_map`]).
    pub fn from_chart(chart: &chart::Chart) -> Result<StoredChart, DecodeError> {
        // Helm's loader appends to nil slices: no files is `null`.
        let files = |files: &[chart::File]| {
            (!files.is_empty()).then(|| {
                files
                    .iter()
                    .map(|f| File {
                        name: f.name.clone(),
                        data: f.data.clone(),
                        modtime: Time::ZERO,
                    })
                    .collect()
            })
        };
        let lock = match &chart.lock {
            Some(lock) => Some(Lock {
                generated: Time::parse(&lock.generated).unwrap_or_default(),
                digest: lock.digest.clone(),
                dependencies: Some(
                    lock.dependencies
                        .iter()
                        .map(|d| Dependency::from_chart(d).map(Some))
                        .collect::<Result<_, _>>()?,
                ),
            }),
            None => None,
        };
        Ok(StoredChart {
            metadata: Some(Metadata::from_chart(&chart.metadata)?),
            lock,
            templates: files(&chart.templates),
            // Helm's loader leaves the values nil without a `values.yaml`,
            // and only dependency processing fills them in.
            values: if chart.raw_values.is_none() && chart.metadata.dependencies.is_none() {
                None
            } else {
                engine_map(&chart.values)?
            },
            schema: chart.schema.clone(),
            schema_modtime: Time::ZERO,
            files: files(&chart.files),
            modtime: Time::ZERO,
        })
    }

    pub(crate) fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        match &self.metadata {
            Some(m) => m.write(w.key("metadata")),
            None => w.key("metadata").push_str("null"),
        }
        match &self.lock {
            Some(l) => l.write(w.key("lock")),
            None => w.key("lock").push_str("null"),
        }
        write_list(self.templates.as_deref(), w.key("templates"), File::write);
        match &self.values {
            Some(v) => write_map(v, w.key("values")),
            None => w.key("values").push_str("null"),
        }
        write_bytes(self.schema.as_deref(), w.key("schema"));
        w.time("schemamodtime", &self.schema_modtime);
        write_list(self.files.as_deref(), w.key("files"), File::write);
        w.time_omitzero("modtime", &self.modtime);
        w.finish();
    }

    pub(crate) fn read(r: &StructReader<'_>) -> Result<StoredChart, DecodeError> {
        Ok(StoredChart {
            metadata: r
                .nested("metadata", "Metadata")?
                .map(|m| Metadata::read(&m))
                .transpose()?,
            lock: r
                .nested("lock", "Lock")?
                .map(|l| Lock::read(&l))
                .transpose()?,
            templates: r.structs("templates", "File", File::read)?,
            values: r.map("values")?,
            schema: r.bytes("schema")?,
            schema_modtime: r.time("schemamodtime")?,
            files: r.structs("files", "File", File::read)?,
            modtime: r.time("modtime")?,
        })
    }
}

/// An engine map as the JSON `map[string]interface{}` Helm stores (a
/// release's `config`, a chart's values); `None` for nil or anything that
/// is not a map. Fails on what `encoding/json` refuses, and on nesting
/// deeper than the record reader takes (128 levels).
pub fn engine_map(value: &crate::engine::Value) -> Result<Option<Map<String, Value>>, DecodeError> {
    if value.is_nil() {
        return Ok(None);
    }
    match engine_json(value)? {
        Value::Object(map) => Ok(Some(map)),
        _ => Ok(None),
    }
}

/// An engine value as the JSON the record holds.
fn engine_json(value: &crate::engine::Value) -> Result<Value, DecodeError> {
    let text = gojson_codec::to_string(value).map_err(|e| DecodeError::Syntax(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| DecodeError::Syntax(e.to_string()))
}

impl File {
    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.string("name", &self.name);
        write_bytes(Some(&self.data), w.key("data"));
        w.time_omitzero("modtime", &self.modtime);
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<File, DecodeError> {
        Ok(File {
            name: r.string("name")?,
            data: r.bytes("data")?.unwrap_or_default(),
            modtime: r.time("modtime")?,
        })
    }
}

impl Metadata {
    fn from_chart(m: &chart::Metadata) -> Result<Metadata, DecodeError> {
        Ok(Metadata {
            name: m.name.clone(),
            home: m.home.clone(),
            sources: m.sources.clone(),
            version: m.version.clone(),
            description: m.description.clone(),
            keywords: m.keywords.clone(),
            maintainers: m
                .maintainers
                .iter()
                .map(|mt| {
                    mt.as_ref().map(|mt| Maintainer {
                        name: mt.name.clone(),
                        email: mt.email.clone(),
                        url: mt.url.clone(),
                    })
                })
                .collect(),
            icon: m.icon.clone(),
            api_version: m.api_version.clone(),
            condition: m.condition.clone(),
            tags: m.tags.clone(),
            app_version: m.app_version.clone(),
            deprecated: m.deprecated,
            annotations: m.annotations.clone().unwrap_or_default(),
            kube_version: m.kube_version.clone(),
            dependencies: m
                .dependencies
                .iter()
                .flatten()
                .map(|d| d.as_ref().map(Dependency::from_chart).transpose())
                .collect::<Result<_, _>>()?,
            chart_type: m.chart_type.clone(),
        })
    }

    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.string_omitempty("name", &self.name);
        w.string_omitempty("home", &self.home);
        w.strings_omitempty("sources", &self.sources);
        w.string_omitempty("version", &self.version);
        w.string_omitempty("description", &self.description);
        w.strings_omitempty("keywords", &self.keywords);
        if !self.maintainers.is_empty() {
            write_list(
                Some(&self.maintainers),
                w.key("maintainers"),
                |m, out| match m {
                    Some(m) => m.write(out),
                    None => out.push_str("null"),
                },
            );
        }
        w.string_omitempty("icon", &self.icon);
        w.string_omitempty("apiVersion", &self.api_version);
        w.string_omitempty("condition", &self.condition);
        w.string_omitempty("tags", &self.tags);
        w.string_omitempty("appVersion", &self.app_version);
        if self.deprecated {
            w.key("deprecated").push_str("true");
        }
        if !self.annotations.is_empty() {
            let map = self
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            write_map(&map, w.key("annotations"));
        }
        w.string_omitempty("kubeVersion", &self.kube_version);
        if !self.dependencies.is_empty() {
            write_optional_dependencies(&self.dependencies, w.key("dependencies"));
        }
        w.string_omitempty("type", &self.chart_type);
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<Metadata, DecodeError> {
        Ok(Metadata {
            name: r.string("name")?,
            home: r.string("home")?,
            sources: r.strings("sources")?,
            version: r.string("version")?,
            description: r.string("description")?,
            keywords: r.strings("keywords")?,
            maintainers: read_optional(r, "maintainers", "Maintainer", Maintainer::read)?
                .unwrap_or_default(),
            icon: r.string("icon")?,
            api_version: r.string("apiVersion")?,
            condition: r.string("condition")?,
            tags: r.string("tags")?,
            app_version: r.string("appVersion")?,
            deprecated: r.bool("deprecated")?,
            annotations: r.string_map("annotations")?,
            kube_version: r.string("kubeVersion")?,
            dependencies: read_optional(r, "dependencies", "Dependency", Dependency::read)?
                .unwrap_or_default(),
            chart_type: r.string("type")?,
        })
    }
}

/// A slice of struct pointers whose `null` entries are kept as `None`.
fn read_optional<'a, T>(
    r: &StructReader<'a>,
    name: &str,
    type_name: &'static str,
    read: impl Fn(&StructReader<'a>) -> Result<T, DecodeError>,
) -> Result<Option<Vec<Option<T>>>, DecodeError> {
    let Some(items) = r.list(name)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|item| {
            StructReader::new(item, type_name, name)?
                .map(|s| read(&s))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn write_optional_dependencies(deps: &[Option<Dependency>], out: &mut String) {
    write_list(Some(deps), out, |d, out| match d {
        Some(d) => d.write(out),
        None => out.push_str("null"),
    });
}

impl Maintainer {
    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.string_omitempty("name", &self.name);
        w.string_omitempty("email", &self.email);
        w.string_omitempty("url", &self.url);
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<Maintainer, DecodeError> {
        Ok(Maintainer {
            name: r.string("name")?,
            email: r.string("email")?,
            url: r.string("url")?,
        })
    }
}

impl Dependency {
    fn from_chart(d: &chart::Dependency) -> Result<Dependency, DecodeError> {
        Ok(Dependency {
            name: d.name.clone(),
            version: d.version.clone(),
            repository: d.repository.clone(),
            condition: d.condition.clone(),
            tags: d.tags.clone(),
            enabled: d.enabled,
            import_values: d
                .import_values
                .iter()
                .map(engine_json)
                .collect::<Result<_, _>>()?,
            alias: d.alias.clone(),
        })
    }

    pub(crate) fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.string("name", &self.name);
        w.string_omitempty("version", &self.version);
        w.string("repository", &self.repository);
        w.string_omitempty("condition", &self.condition);
        if !self.tags.is_empty() {
            write_strings(&self.tags, w.key("tags"));
        }
        if self.enabled {
            w.key("enabled").push_str("true");
        }
        if !self.import_values.is_empty() {
            write_list(
                Some(&self.import_values),
                w.key("import-values"),
                write_value,
            );
        }
        w.string_omitempty("alias", &self.alias);
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<Dependency, DecodeError> {
        let import_values = match r.list("import-values")? {
            Some(items) => {
                for item in items {
                    super::gojson::check_numbers(item, "Dependency.import-values")?;
                }
                items.clone()
            }
            None => Vec::new(),
        };
        Ok(Dependency {
            name: r.string("name")?,
            version: r.string("version")?,
            repository: r.string("repository")?,
            condition: r.string("condition")?,
            tags: r.strings("tags")?,
            enabled: r.bool("enabled")?,
            import_values,
            alias: r.string("alias")?,
        })
    }
}

impl Lock {
    fn write(&self, out: &mut String) {
        let mut w = StructWriter::new(out);
        w.time("generated", &self.generated);
        w.string("digest", &self.digest);
        match &self.dependencies {
            Some(deps) => write_optional_dependencies(deps, w.key("dependencies")),
            None => w.key("dependencies").push_str("null"),
        }
        w.finish();
    }

    fn read(r: &StructReader<'_>) -> Result<Lock, DecodeError> {
        Ok(Lock {
            generated: r.time("generated")?,
            digest: r.string("digest")?,
            dependencies: read_optional(r, "dependencies", "Dependency", Dependency::read)?,
        })
    }
}
