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
use crate::chart::{self, Maintainer};
use crate::codec::json as gojson_codec;

/// `Chart.yaml` as a record holds it: [`chart::Metadata`] with the import
/// values of its dependencies as JSON.
pub type Metadata = chart::Metadata<Value>;
/// A dependency as a record holds it (see [`Metadata`]).
pub type Dependency = chart::Dependency<Value>;
/// `Chart.lock` as a record holds it (see [`Metadata`]).
pub type Lock = chart::Lock<Value>;

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
        Ok(StoredChart {
            metadata: Some(chart.metadata.try_map_imports(engine_json)?),
            lock: chart
                .lock
                .as_ref()
                .map(|lock| lock.try_map_imports(engine_json))
                .transpose()?,
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
            Some(m) => write_metadata(m, w.key("metadata")),
            None => w.key("metadata").push_str("null"),
        }
        match &self.lock {
            Some(l) => write_lock(l, w.key("lock")),
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
                .map(|m| read_metadata(&m))
                .transpose()?,
            lock: r
                .nested("lock", "Lock")?
                .map(|l| read_lock(&l))
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

/// Helm's `chart.Metadata` as `encoding/json` writes it.
fn write_metadata(m: &Metadata, out: &mut String) {
    let mut w = StructWriter::new(out);
    w.string_omitempty("name", &m.name);
    w.string_omitempty("home", &m.home);
    w.strings_omitempty("sources", &m.sources);
    w.string_omitempty("version", &m.version);
    w.string_omitempty("description", &m.description);
    w.strings_omitempty("keywords", &m.keywords);
    if !m.maintainers.is_empty() {
        write_list(
            Some(&m.maintainers),
            w.key("maintainers"),
            |m, out| match m {
                Some(m) => write_maintainer(m, out),
                None => out.push_str("null"),
            },
        );
    }
    w.string_omitempty("icon", &m.icon);
    w.string_omitempty("apiVersion", &m.api_version);
    w.string_omitempty("condition", &m.condition);
    w.string_omitempty("tags", &m.tags);
    w.string_omitempty("appVersion", &m.app_version);
    if m.deprecated {
        w.key("deprecated").push_str("true");
    }
    if let Some(annotations) = m.annotations.as_ref().filter(|a| !a.is_empty()) {
        let map = annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        write_map(&map, w.key("annotations"));
    }
    w.string_omitempty("kubeVersion", &m.kube_version);
    if let Some(deps) = m.dependencies.as_deref().filter(|d| !d.is_empty()) {
        write_optional_dependencies(deps, w.key("dependencies"));
    }
    w.string_omitempty("type", &m.chart_type);
    w.finish();
}

fn read_metadata(r: &StructReader<'_>) -> Result<Metadata, DecodeError> {
    let annotations: BTreeMap<String, String> = r.string_map("annotations")?;
    Ok(Metadata {
        name: r.string("name")?,
        home: r.string("home")?,
        sources: r.strings("sources")?,
        version: r.string("version")?,
        description: r.string("description")?,
        keywords: r.strings("keywords")?,
        maintainers: read_optional(r, "maintainers", "Maintainer", read_maintainer)?
            .unwrap_or_default(),
        icon: r.string("icon")?,
        api_version: r.string("apiVersion")?,
        condition: r.string("condition")?,
        tags: r.string("tags")?,
        app_version: r.string("appVersion")?,
        deprecated: r.bool("deprecated")?,
        // Empty or absent, the record says the same.
        annotations: (!annotations.is_empty()).then_some(annotations),
        kube_version: r.string("kubeVersion")?,
        dependencies: read_optional(r, "dependencies", "Dependency", read_dependency)?,
        chart_type: r.string("type")?,
    })
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
        Some(d) => write_dependency(d, out),
        None => out.push_str("null"),
    });
}

fn write_maintainer(m: &Maintainer, out: &mut String) {
    let mut w = StructWriter::new(out);
    w.string_omitempty("name", &m.name);
    w.string_omitempty("email", &m.email);
    w.string_omitempty("url", &m.url);
    w.finish();
}

fn read_maintainer(r: &StructReader<'_>) -> Result<Maintainer, DecodeError> {
    Ok(Maintainer {
        name: r.string("name")?,
        email: r.string("email")?,
        url: r.string("url")?,
    })
}

/// Helm's `chart.Dependency`.
pub(crate) fn write_dependency(d: &Dependency, out: &mut String) {
    let mut w = StructWriter::new(out);
    w.string("name", &d.name);
    w.string_omitempty("version", &d.version);
    w.string("repository", &d.repository);
    w.string_omitempty("condition", &d.condition);
    if !d.tags.is_empty() {
        write_strings(&d.tags, w.key("tags"));
    }
    if d.enabled {
        w.key("enabled").push_str("true");
    }
    if !d.import_values.is_empty() {
        write_list(Some(&d.import_values), w.key("import-values"), write_value);
    }
    w.string_omitempty("alias", &d.alias);
    w.finish();
}

fn read_dependency(r: &StructReader<'_>) -> Result<Dependency, DecodeError> {
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

/// Helm's `chart.Lock`: `generated` is a `time.Time`, written as Go
/// writes one. A chart's lock keeps the text of its file, which may not be
/// a time at all: that is written as the zero time.
fn write_lock(l: &Lock, out: &mut String) {
    let mut w = StructWriter::new(out);
    w.time("generated", &Time::parse(&l.generated).unwrap_or_default());
    w.string("digest", &l.digest);
    match &l.dependencies {
        Some(deps) => write_optional_dependencies(deps, w.key("dependencies")),
        None => w.key("dependencies").push_str("null"),
    }
    w.finish();
}

fn read_lock(r: &StructReader<'_>) -> Result<Lock, DecodeError> {
    Ok(Lock {
        generated: r.time("generated")?.to_go_string(),
        digest: r.string("digest")?,
        dependencies: read_optional(r, "dependencies", "Dependency", read_dependency)?,
    })
}
