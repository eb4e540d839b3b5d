//! Sets of field paths, as `metadata.managedFields` records them
//! (`FieldsV1`: `f:` fields and map keys, `k:` list items by key, `v:` set
//! members, `.` for an item that is itself owned).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

/// How deep a `FieldsV1` document may nest before it is refused; objects
/// the cluster stores are bounded by serde_json's own limit of 128.
const MAX_DEPTH: usize = 128;

/// One step of a path into an object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElement {
    /// A struct field or a map key: `f:name`.
    Field(String),
    /// An item of an associative list, by its key fields, as compact JSON
    /// with the fields sorted: `k:{"name":"web"}`.
    Key(String),
    /// An item of a set-like list, by its value as compact JSON: `v:"x"`.
    Value(String),
}

impl PathElement {
    /// The `FieldsV1` key of this step.
    fn encode(&self) -> String {
        match self {
            Self::Field(name) => format!("f:{name}"),
            Self::Key(json) => format!("k:{json}"),
            Self::Value(json) => format!("v:{json}"),
        }
    }

    fn decode(key: &str) -> Result<Self, FieldsError> {
        let json_part = |rest: &str| -> Result<String, FieldsError> {
            // Re-encoded so that equal items compare equal whatever the
            // client's spacing.
            let value: Value =
                serde_json::from_str(rest).map_err(|_| FieldsError::BadKey(key.to_owned()))?;
            Ok(value.to_string())
        };
        match key.split_at_checked(2) {
            Some(("f:", name)) => Ok(Self::Field(name.to_owned())),
            Some(("k:", rest)) => Ok(Self::Key(json_part(rest)?)),
            Some(("v:", rest)) => Ok(Self::Value(json_part(rest)?)),
            _ => Err(FieldsError::BadKey(key.to_owned())),
        }
    }
}

/// A path as the API server prints it in conflicts:
/// `.spec.template.spec.containers[name="web"].image`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElement>);

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for element in &self.0 {
            match element {
                PathElement::Field(name) => write!(f, ".{name}")?,
                PathElement::Key(json) => {
                    let fields: Vec<String> = match serde_json::from_str::<Value>(json) {
                        Ok(Value::Object(map)) => {
                            map.iter().map(|(k, v)| format!("{k}={v}")).collect()
                        }
                        _ => vec![json.clone()],
                    };
                    write!(f, "[{}]", fields.join(","))?;
                }
                PathElement::Value(json) => write!(f, "[={json}]")?,
            }
        }
        Ok(())
    }
}

/// Why a `FieldsV1` document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    /// A key that is not `.`, `f:…`, or `k:`/`v:` followed by JSON.
    #[error("unknown field set key {0:?}")]
    BadKey(String),
    /// A value that is not an object.
    #[error("expected an object of fields")]
    NotAnObject,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("field set nested too deeply")]
    TooDeep,
}

/// A set of paths: each node says whether its own path is in the set
/// (`member`) and holds the sets below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    /// Whether no path at all is in the set.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.is_empty()
    }

    /// Adds `path`.
    pub fn insert(&mut self, path: &[PathElement]) {
        let mut node = self;
        for element in path {
            node = node.children.entry(element.clone()).or_default();
        }
        node.member = true;
    }

    /// The set below `element`, if any path goes through it.
    pub fn child(&self, element: &PathElement) -> Option<&FieldSet> {
        self.children.get(element)
    }

    /// Whether the root path itself is a member.
    pub fn is_member(&self) -> bool {
        self.member
    }

    /// Paths in either set.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.member |= other.member;
        for (element, child) in &other.children {
            let merged = match out.children.get(element) {
                Some(mine) => mine.union(child),
                None => child.clone(),
            };
            out.children.insert(element.clone(), merged);
        }
        out
    }

    /// Paths of this set that are not in `other`.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && !other.member,
            children: BTreeMap::new(),
        };
        for (element, child) in &self.children {
            let rest = match other.children.get(element) {
                Some(theirs) => child.difference(theirs),
                None => child.clone(),
            };
            if !rest.is_empty() {
                out.children.insert(element.clone(), rest);
            }
        }
        out
    }

    /// Paths in both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && other.member,
            children: BTreeMap::new(),
        };
        for (element, child) in &self.children {
            if let Some(theirs) = other.children.get(element) {
                let both = child.intersection(theirs);
                if !both.is_empty() {
                    out.children.insert(element.clone(), both);
                }
            }
        }
        out
    }

    /// This set without `path` and everything below it.
    pub fn without_subtree(&self, path: &[PathElement]) -> FieldSet {
        let mut out = self.clone();
        if let Some((last, parents)) = path.split_last() {
            let mut node = &mut out;
            for element in parents {
                match node.children.get_mut(element) {
                    Some(child) => node = child,
                    None => return out,
                }
            }
            node.children.remove(last);
        }
        out.prune_empty();
        out
    }

    fn prune_empty(&mut self) {
        for child in self.children.values_mut() {
            child.prune_empty();
        }
        self.children.retain(|_, child| !child.is_empty());
    }

    /// Every member path, in order.
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        let mut prefix = Vec::new();
        self.collect_paths(&mut prefix, &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Path>) {
        if self.member && !prefix.is_empty() {
            out.push(Path(prefix.clone()));
        }
        for (element, child) in &self.children {
            prefix.push(element.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The `FieldsV1` document of this set.
    pub fn to_fields_v1(&self) -> Value {
        let mut map = Map::new();
        if self.member && !self.children.is_empty() {
            map.insert(".".to_owned(), Value::Object(Map::new()));
        }
        for (element, child) in &self.children {
            map.insert(element.encode(), child.to_fields_v1());
        }
        Value::Object(map)
    }

    /// Reads a `FieldsV1` document; the root is never a member.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, FieldsError> {
        let mut set = Self::read(value, 0)?;
        set.member = false;
        Ok(set)
    }

    fn read(value: &Value, depth: usize) -> Result<FieldSet, FieldsError> {
        if depth > MAX_DEPTH {
            return Err(FieldsError::TooDeep);
        }
        let map = value.as_object().ok_or(FieldsError::NotAnObject)?;
        let mut set = FieldSet {
            // `{}` is an owned leaf; `.` marks an owned item with children.
            member: map.is_empty(),
            children: BTreeMap::new(),
        };
        for (key, child) in map {
            if key == "." {
                set.member = true;
                continue;
            }
            let element = PathElement::decode(key)?;
            set.children.insert(element, Self::read(child, depth + 1)?);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(name: &str) -> PathElement {
        PathElement::Field(name.to_owned())
    }

    #[test]
    fn fields_v1_round_trips_with_dots_for_owned_items() {
        let doc = json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}},
                       "f:finalizers": {"v:\"x\"": {}}}
        });
        let set = FieldSet::from_fields_v1(&doc).expect("reads");
        assert_eq!(set.to_fields_v1(), doc);
        let printed: Vec<String> = set.paths().iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            [
                ".metadata.labels",
                ".metadata.labels.app",
                ".spec.containers[name=\"web\"]",
                ".spec.containers[name=\"web\"].image",
                ".spec.finalizers[=\"x\"]",
            ]
        );
    }

    #[test]
    fn set_algebra() {
        let mut a = FieldSet::default();
        a.insert(&[field("spec"), field("replicas")]);
        a.insert(&[field("spec"), field("paused")]);
        let mut b = FieldSet::default();
        b.insert(&[field("spec"), field("replicas")]);
        assert_eq!(a.intersection(&b), b);
        let rest = a.difference(&b);
        assert_eq!(rest.paths(), [Path(vec![field("spec"), field("paused")])]);
        assert_eq!(rest.union(&b), a);
        assert!(a.without_subtree(&[field("spec")]).is_empty());
    }

    #[test]
    fn malformed_documents_are_errors() {
        for doc in [
            json!([]),
            json!({"x:1": {}}),
            json!({"k:{": {}}),
            json!({"f:a": 1}),
        ] {
            assert!(FieldSet::from_fields_v1(&doc).is_err(), "{doc}");
        }
    }
}
