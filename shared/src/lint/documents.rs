//! Reading rendered manifests as Kubernetes reads them
//! (`k8s.io/apimachinery`'s YAML stream decoder): documents split at `---`
//! lines, each decoded just far enough to know its `apiVersion`, `kind` and
//! `metadata.name`.

use std::collections::BTreeMap;

use crate::codec::yaml;
use crate::engine::Value;

/// The fields of a manifest the rules look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// Splits a YAML stream into documents: a line starting with `---` whose
/// rest is empty or a comment ends a document; empty documents are skipped.
pub(super) fn split(stream: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in stream.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                if !current.is_empty() {
                    docs.push(std::mem::take(&mut current));
                }
                continue;
            }
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        docs.push(current);
    }
    docs
}

/// Decodes one document: `Ok(None)` for a document that holds only
/// comments or `null`; `Err` is the decoder's text.
pub(super) fn decode(doc: &str) -> Result<Option<Object>, String> {
    let value = yaml::from_str(doc).map_err(|e| e.to_string())?;
    let map = match value {
        Value::Nil => return Ok(None),
        Value::Map(m) => m,
        other => {
            return Err(json_error(&format!(
                "cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
                json_kind(&other)
            )));
        }
    };
    let entries = map.entries();
    let top = |name: &str| field(&entries, name);
    let text = |value: Option<Value>, path: &str| -> Result<String, String> {
        match value {
            None | Some(Value::Nil) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(other) => Err(json_error(&format!(
                "cannot unmarshal {} into Go struct field {path} of type string",
                json_kind(&other)
            ))),
        }
    };
    let api_version = text(top("apiVersion"), "k8sYamlStruct.apiVersion")?;
    let kind = text(top("kind"), "k8sYamlStruct.Kind")?;
    let name = match top("metadata") {
        None | Some(Value::Nil) => String::new(),
        Some(Value::Map(meta)) => text(
            field(&meta.entries(), "name"),
            "k8sYamlStruct.Metadata.Name",
        )?,
        Some(other) => {
            return Err(json_error(&format!(
                "cannot unmarshal {} into Go struct field k8sYamlStruct.Metadata of type rules.k8sYamlMetadata",
                json_kind(&other)
            )));
        }
    };
    Ok(Some(Object {
        api_version,
        kind,
        name,
    }))
}

/// A field as Go's JSON decoding finds it: names match regardless of
/// case, and of several matching keys the last (in sorted order) wins.
fn field(entries: &BTreeMap<String, Value>, name: &str) -> Option<Value> {
    entries
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn json_error(problem: &str) -> String {
    format!("error unmarshaling JSON: while decoding JSON: json: {problem}")
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) => "object",
        _ => "number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_separator_lines() {
        let docs = split("a: 1\n---\nb: 2\n--- # c\n---x: 1\n");
        assert_eq!(docs, vec!["a: 1\n", "b: 2\n", "---x: 1\n"]);
    }

    #[test]
    fn objects_decode_case_insensitively() {
        let obj = decode("APIVersion: v1\nKind: Pod\nmetadata:\n  Name: p\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            obj,
            Object {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: "p".into(),
            }
        );
        assert_eq!(decode("# only a comment\n").unwrap(), None);
        assert!(decode("- a\n").is_err());
    }
}
