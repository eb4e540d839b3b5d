//! Walks over objects with their [`Shape`]: the field set an object sets,
//! the comparison of two objects, the merge of an applied configuration
//! into the live object, and the removal of a set of items. These follow
//! the semantics of `sigs.k8s.io/structured-merge-diff` (`ToFieldSet`,
//! `Compare`, `Merge`, `RemoveItems`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::fieldset::{FieldSet, Path, PathElement};
use super::schema::{self, GoZero, Shape};

/// Why an object does not fit its shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// An item of an associative list lacks a key field without default.
    #[error(
        "{path}: element {index}: associative list with keys has an element that omits key field {key:?} (and doesn't have default value)"
    )]
    MissingKey {
        /// The list.
        path: Path,
        /// The item's position.
        index: usize,
        /// The missing key field.
        key: &'static str,
    },
    /// An item of an associative list that is not an object.
    #[error("{path}: element {index}: expected an object in an associative list")]
    NotAnObject {
        /// The list.
        path: Path,
        /// The item's position.
        index: usize,
    },
    /// Two items of an applied list with the same key.
    #[error("{path}: duplicate entries for key {key}")]
    Duplicate {
        /// The list.
        path: Path,
        /// The repeated key, as printed in paths.
        key: String,
    },
}

/// How a node is walked, given its shape and value.
enum Node<'a> {
    /// Compared and owned as a whole.
    Leaf,
    /// An object: named fields (`true`) or free map keys.
    Fields(&'a Map<String, Value>),
    /// A list merged item by item.
    List(&'a [Value]),
}

fn node<'a>(shape: &Shape, value: &'a Value) -> Node<'a> {
    match (shape, value) {
        (
            Shape::Struct(_) | Shape::Map(_) | Shape::Deduced | Shape::Inferred,
            Value::Object(map),
        ) => Node::Fields(map),
        (Shape::Associative { .. } | Shape::Set, Value::Array(items)) => Node::List(items),
        _ => Node::Leaf,
    }
}

/// Whether `null` in a node of this shape sets nothing (an absent object
/// or list) rather than owning the field (a scalar or atomic value).
fn is_container(shape: &Shape) -> bool {
    !matches!(shape, Shape::Atomic | Shape::Inferred | Shape::Deduced)
}

/// The items of a merged list with the path element naming each. Later
/// duplicates are dropped, or refused when `strict` (applied lists).
fn list_items<'a>(
    shape: &Shape,
    items: &'a [Value],
    path: &[PathElement],
    strict: bool,
) -> Result<Vec<(PathElement, &'a Value)>, ShapeError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let element = item_element(shape, item, path, index)?;
        if !seen.insert(element.clone()) {
            if strict {
                let mut key_path = Path(Vec::new());
                key_path.0.push(element);
                return Err(ShapeError::Duplicate {
                    path: Path(path.to_vec()),
                    key: key_path.to_string(),
                });
            }
            continue;
        }
        out.push((element, item));
    }
    Ok(out)
}

fn item_element(
    shape: &Shape,
    item: &Value,
    path: &[PathElement],
    index: usize,
) -> Result<PathElement, ShapeError> {
    let Shape::Associative { keys, .. } = shape else {
        return Ok(PathElement::Value(item.to_string()));
    };
    let object = item.as_object().ok_or_else(|| ShapeError::NotAnObject {
        path: Path(path.to_vec()),
        index,
    })?;
    let mut sorted: Vec<&(&'static str, Option<&'static str>)> = keys.iter().collect();
    sorted.sort_by_key(|(name, _)| *name);
    let mut fields = Vec::with_capacity(sorted.len());
    for (name, default) in sorted {
        let value = match (object.get(*name), default) {
            (Some(value), _) if !value.is_null() => value.to_string(),
            (_, Some(default)) => Value::from(*default).to_string(),
            _ => {
                return Err(ShapeError::MissingKey {
                    path: Path(path.to_vec()),
                    index,
                    key: name,
                });
            }
        };
        fields.push(format!("{}:{value}", Value::from(*name)));
    }
    Ok(PathElement::Key(format!("{{{}}}", fields.join(","))))
}

fn item_shape(shape: &'static Shape) -> &'static Shape {
    match shape {
        Shape::Associative { item, .. } => item,
        _ => &Shape::Atomic,
    }
}

/// What to do with two items of a list that have the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// An error: an applied configuration must name each item once.
    Refused,
    /// The first one counts: stored objects may hold duplicates written by
    /// plain updates.
    Tolerated,
}

/// Every path `value` sets: its scalars and atomic nodes, its list items,
/// and the keys of its free maps.
pub fn to_field_set(
    value: &Value,
    shape: &'static Shape,
    duplicates: Duplicates,
) -> Result<FieldSet, ShapeError> {
    let mut set = FieldSet::default();
    let mut path = Vec::new();
    collect(
        value,
        shape,
        &mut path,
        &mut set,
        duplicates == Duplicates::Refused,
    )?;
    Ok(set)
}

fn collect(
    value: &Value,
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
    set: &mut FieldSet,
    strict: bool,
) -> Result<(), ShapeError> {
    match node(shape, value) {
        // A null object or list sets nothing, a null scalar sets itself.
        Node::Leaf if value.is_null() && is_container(shape) => {}
        Node::Leaf => set.insert(path),
        Node::Fields(map) => {
            for (key, child) in map {
                let (child_shape, named) = shape.field(key);
                path.push(PathElement::Field(key.clone()));
                collect(child, child_shape, path, set, strict)?;
                if !named {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Node::List(items) => {
            for (element, item) in list_items(shape, items, path, strict)? {
                path.push(element);
                collect(item, item_shape(shape), path, set, strict)?;
                set.insert(path);
                path.pop();
            }
        }
    }
    Ok(())
}

/// What changed from one object to another.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Paths only the new object has.
    pub added: FieldSet,
    /// Leaves both have, with different values.
    pub modified: FieldSet,
    /// Paths only the old object has.
    pub removed: FieldSet,
}

/// Compares `old` with `new` (both of `shape`).
pub fn compare(old: &Value, new: &Value, shape: &'static Shape) -> Result<Comparison, ShapeError> {
    let mut comparison = Comparison::default();
    let mut path = Vec::new();
    compare_node(Some(old), Some(new), shape, &mut path, &mut comparison)?;
    Ok(comparison)
}

fn compare_node(
    old: Option<&Value>,
    new: Option<&Value>,
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
    out: &mut Comparison,
) -> Result<(), ShapeError> {
    let nothing = Map::new();
    let as_node = |value| present_node(shape, value, &nothing);
    let is_empty = |node: &Option<Node<'_>>| match node {
        None => true,
        Some(Node::Fields(map)) => map.is_empty(),
        Some(Node::List(items)) => items.is_empty(),
        Some(Node::Leaf) => false,
    };
    let (a, b) = (old.map(as_node), new.map(as_node));
    // Two empty (or absent) objects or lists compare as leaves, which keeps
    // `{}` apart from absent.
    let both_empty = is_empty(&a) && is_empty(&b);
    match (a, b) {
        (Some(Node::Fields(a)), Some(Node::Fields(b))) if !both_empty => {
            compare_fields(Some(a), Some(b), shape, path, out)?;
        }
        (None, Some(Node::Fields(b))) if !both_empty => {
            compare_fields(None, Some(b), shape, path, out)?;
        }
        (Some(Node::Fields(a)), None) if !both_empty => {
            compare_fields(Some(a), None, shape, path, out)?;
        }
        (Some(Node::List(a)), Some(Node::List(b))) if !both_empty => {
            compare_lists(a, b, shape, path, out)?;
        }
        (None, Some(Node::List(b))) if !both_empty => compare_lists(&[], b, shape, path, out)?,
        (Some(Node::List(a)), None) if !both_empty => compare_lists(a, &[], shape, path, out)?,
        _ => {
            match (old, new) {
                (None, Some(_)) => out.added.insert(path),
                (Some(_), None) => out.removed.insert(path),
                (Some(a), Some(b)) if a != b => out.modified.insert(path),
                _ => {}
            }
            return Ok(());
        }
    }
    // An object or list that appears or disappears is itself added or
    // removed, beside its leaves.
    match (old, new) {
        (None, Some(_)) => out.added.insert(path),
        (Some(_), None) => out.removed.insert(path),
        _ => {}
    }
    Ok(())
}

/// [`node`], but `null` in an object or list field is an empty one that
/// is there (`nothing` is the empty object to use).
fn present_node<'a>(shape: &Shape, value: &'a Value, nothing: &'a Map<String, Value>) -> Node<'a> {
    match (value, shape) {
        (Value::Null, Shape::Associative { .. } | Shape::Set) => Node::List(&[]),
        (Value::Null, Shape::Struct(_) | Shape::Map(_)) => Node::Fields(nothing),
        _ => node(shape, value),
    }
}

fn compare_fields(
    old: Option<&Map<String, Value>>,
    new: Option<&Map<String, Value>>,
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
    out: &mut Comparison,
) -> Result<(), ShapeError> {
    let keys: BTreeSet<&String> = old
        .iter()
        .chain(new.iter())
        .flat_map(|m| m.keys())
        .collect();
    // The API server compares Go objects: a struct holds its non-pointer
    // struct fields (and its lists without `omitempty`) even when the
    // JSON left them out.
    let empty_object = Value::Object(Map::new());
    let null = Value::Null;
    let go_struct = matches!(shape, Shape::Struct(_) | Shape::Inferred);
    for key in keys {
        let zero = match go_struct.then(|| schema::go_zero_value(key)).flatten() {
            Some(GoZero::EmptyStruct) => Some(&empty_object),
            Some(GoZero::Null) => Some(&null),
            None => None,
        };
        let old_child = old.and_then(|m| m.get(key).or(zero));
        let new_child = new.and_then(|m| m.get(key).or(zero));
        let (child_shape, _) = shape.field(key);
        path.push(PathElement::Field(key.clone()));
        compare_node(old_child, new_child, child_shape, path, out)?;
        path.pop();
    }
    Ok(())
}

fn compare_lists(
    old: &[Value],
    new: &[Value],
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
    out: &mut Comparison,
) -> Result<(), ShapeError> {
    let old_items = index(list_items(shape, old, path, false)?);
    let new_items = index(list_items(shape, new, path, false)?);
    let elements: BTreeSet<&PathElement> = old_items.keys().chain(new_items.keys()).collect();
    for element in elements {
        path.push(element.clone());
        compare_node(
            old_items.get(element).copied(),
            new_items.get(element).copied(),
            item_shape(shape),
            path,
            out,
        )?;
        path.pop();
    }
    Ok(())
}

/// List items by their path element, for lookups in logarithmic time.
fn index(items: Vec<(PathElement, &Value)>) -> BTreeMap<PathElement, &Value> {
    items.into_iter().collect()
}

/// `live` with `config` merged in: `config` wins at every leaf, objects
/// merge key by key, associative lists and sets item by item; nothing is
/// removed.
pub fn merge(live: &Value, config: &Value, shape: &'static Shape) -> Result<Value, ShapeError> {
    let mut path = Vec::new();
    merge_node(live, config, shape, &mut path)
}

fn merge_node(
    live: &Value,
    config: &Value,
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
) -> Result<Value, ShapeError> {
    match (node(shape, live), node(shape, config)) {
        (Node::Fields(a), Node::Fields(b)) => {
            let mut out = a.clone();
            for (key, value) in b {
                let (child_shape, _) = shape.field(key);
                path.push(PathElement::Field(key.clone()));
                let merged = match a.get(key) {
                    Some(existing) => merge_node(existing, value, child_shape, path)?,
                    None => value.clone(),
                };
                path.pop();
                out.insert(key.clone(), merged);
            }
            Ok(Value::Object(out))
        }
        (Node::List(a), Node::List(b)) => merge_lists(a, b, shape, path),
        _ => Ok(config.clone()),
    }
}

/// Merges two lists item by item. The order is the applied one for the
/// items it names, with the live items it does not name kept where they
/// were relative to the items both have.
fn merge_lists(
    live: &[Value],
    config: &[Value],
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
) -> Result<Value, ShapeError> {
    let lhs = list_items(shape, live, path, false)?;
    let rhs = list_items(shape, config, path, true)?;
    let (lhs_index, rhs_index) = (index(lhs.clone()), index(rhs.clone()));
    let in_rhs = |element: &PathElement| rhs_index.get(element).copied();
    let in_lhs = |element: &PathElement| lhs_index.get(element).copied();
    let mut shared = rhs
        .iter()
        .filter(|(e, _)| in_lhs(e).is_some())
        .map(|(e, _)| e);
    let mut next_shared = shared.next();
    let mut out = Vec::with_capacity(lhs.len() + rhs.len());
    let (mut l, mut r) = (0, 0);
    let merge_item = |element: &PathElement,
                      live_item: Option<&Value>,
                      config_item: &Value,
                      path: &mut Vec<PathElement>|
     -> Result<Value, ShapeError> {
        path.push(element.clone());
        let merged = match live_item {
            Some(existing) => merge_node(existing, config_item, item_shape(shape), path),
            None => Ok(config_item.clone()),
        };
        path.pop();
        merged
    };
    while l < lhs.len() || r < rhs.len() {
        if l < lhs.len() && r < rhs.len() {
            let (element, live_item) = &lhs[l];
            if *element == rhs[r].0 {
                out.push(merge_item(element, Some(live_item), rhs[r].1, path)?);
                l += 1;
                r += 1;
                next_shared = shared.next();
                continue;
            }
            if in_rhs(element).is_some() && next_shared.is_some_and(|s| s != element) {
                // Shared, but its turn comes later in the applied order.
                l += 1;
                continue;
            }
        }
        if l < lhs.len() && in_rhs(&lhs[l].0).is_none() {
            out.push(lhs[l].1.clone());
            l += 1;
            continue;
        }
        if r < rhs.len() {
            let (element, config_item) = &rhs[r];
            out.push(merge_item(element, in_lhs(element), config_item, path)?);
            r += 1;
            if next_shared.is_some_and(|s| s == element) {
                next_shared = shared.next();
            }
        } else {
            // Only shared live items are left, all merged already.
            l += 1;
        }
    }
    Ok(Value::Array(out))
}

/// `value` without the items (fields, map keys, list items) that are
/// members of `set`.
pub fn remove_items(
    value: &Value,
    set: &FieldSet,
    shape: &'static Shape,
) -> Result<Value, ShapeError> {
    let mut path = Vec::new();
    remove_node(value, set, shape, &mut path)
}

fn remove_node(
    value: &Value,
    set: &FieldSet,
    shape: &'static Shape,
    path: &mut Vec<PathElement>,
) -> Result<Value, ShapeError> {
    match node(shape, value) {
        Node::Leaf => Ok(value.clone()),
        Node::Fields(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                let element = PathElement::Field(key.clone());
                match set.child(&element) {
                    Some(below) if below.is_member() => {}
                    Some(below) => {
                        path.push(element);
                        let kept = remove_node(child, below, shape.field(key).0, path)?;
                        path.pop();
                        out.insert(key.clone(), kept);
                    }
                    None => {
                        out.insert(key.clone(), child.clone());
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Node::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let element = item_element(shape, item, path, index)?;
                match set.child(&element) {
                    Some(below) if below.is_member() => {}
                    Some(below) => {
                        path.push(element);
                        out.push(remove_node(item, below, item_shape(shape), path)?);
                        path.pop();
                    }
                    None => out.push(item.clone()),
                }
            }
            Ok(Value::Array(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment() -> &'static Shape {
        schema::for_kind("apps", "Deployment")
    }

    fn printed(set: &FieldSet) -> Vec<String> {
        set.paths().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn field_sets_name_list_items_by_key_and_map_keys_as_items() {
        let object = json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [
                    {"name": "web", "ports": [{"containerPort": 80}]}
                ]}}}
        });
        let set = to_field_set(&object, deployment(), Duplicates::Refused).expect("fits");
        assert_eq!(
            printed(&set),
            [
                ".metadata.labels.app",
                ".spec.replicas",
                ".spec.selector",
                ".spec.template.spec.containers[name=\"web\"]",
                ".spec.template.spec.containers[name=\"web\"].name",
                ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"]",
                ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
            ]
        );
    }

    #[test]
    fn services_own_their_selector_whole_and_ports_by_port_and_protocol() {
        let service = json!({"spec": {"selector": {"app": "web"}, "ports": [
            {"port": 53, "protocol": "UDP"}, {"port": 53, "name": "dns-tcp"}
        ]}});
        let set = to_field_set(
            &service,
            schema::for_kind("", "Service"),
            Duplicates::Refused,
        )
        .expect("fits");
        assert_eq!(
            printed(&set),
            [
                ".spec.ports[port=53,protocol=\"TCP\"]",
                ".spec.ports[port=53,protocol=\"TCP\"].name",
                ".spec.ports[port=53,protocol=\"TCP\"].port",
                ".spec.ports[port=53,protocol=\"UDP\"]",
                ".spec.ports[port=53,protocol=\"UDP\"].port",
                ".spec.ports[port=53,protocol=\"UDP\"].protocol",
                ".spec.selector",
            ]
        );
    }

    #[test]
    fn custom_resources_are_maps_of_maps_with_atomic_lists() {
        let object = json!({"spec": {"size": 1, "tags": ["a"], "nested": {"x": true}}});
        let set = to_field_set(
            &object,
            schema::for_kind("example.com", "Widget"),
            Duplicates::Refused,
        )
        .expect("fits");
        assert_eq!(
            printed(&set),
            [
                ".spec",
                ".spec.nested",
                ".spec.nested.x",
                ".spec.size",
                ".spec.tags"
            ]
        );
    }

    #[test]
    fn unlisted_fields_are_structs_or_owned_whole() {
        let object = json!({"spec": {"replicas": null, "paused": null, "strategy": {"type": "Recreate"},
            "template": {"spec": {"affinity": {"nodeAffinity": {}}, "tolerations": [{"key": "k"}],
                "containers": null}}}});
        let set = to_field_set(&object, deployment(), Duplicates::Refused).expect("fits");
        assert_eq!(
            printed(&set),
            [
                ".spec.paused",
                ".spec.replicas",
                ".spec.strategy.type",
                // An empty object sets nothing (`ToFieldSet` visits no field).
                ".spec.template.spec.tolerations",
            ]
        );
    }

    #[test]
    fn items_without_their_key_are_refused() {
        let object = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        let err = to_field_set(&object, deployment(), Duplicates::Refused).expect_err("no name");
        assert_eq!(
            err.to_string(),
            ".spec.template.spec.containers: element 0: associative list with keys has an \
             element that omits key field \"name\" (and doesn't have default value)"
        );
        let twice =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}}});
        let err = to_field_set(&twice, deployment(), Duplicates::Refused).expect_err("duplicate");
        assert_eq!(
            err.to_string(),
            ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
        );
    }

    #[test]
    fn comparisons_report_leaves_and_appearing_items() {
        let old = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}});
        let new = json!({"metadata": {"labels": {"k": "v"}}, "spec": {"replicas": 2,
            "template": {"spec": {"containers": [{"name": "b", "image": "x"}]}}}});
        let c = compare(&old, &new, deployment()).expect("fits");
        assert_eq!(printed(&c.modified), [".spec.replicas"]);
        assert_eq!(
            printed(&c.added),
            [
                // `metadata` is a Go struct, there even when left out.
                ".metadata.labels",
                ".metadata.labels.k",
                ".spec.template.spec.containers[name=\"b\"]",
                ".spec.template.spec.containers[name=\"b\"].image",
                ".spec.template.spec.containers[name=\"b\"].name",
            ]
        );
        assert_eq!(
            printed(&c.removed),
            [
                ".spec.template.spec.containers[name=\"a\"]",
                ".spec.template.spec.containers[name=\"a\"].image",
                ".spec.template.spec.containers[name=\"a\"].name",
            ]
        );
    }

    #[test]
    fn merges_keep_live_items_in_place_and_follow_the_applied_order() {
        let live = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "1"}, {"name": "x", "image": "live"}, {"name": "b", "image": "2"}
        ], "tolerations": [{"key": "t"}]}}}});
        let config = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "b", "image": "3"}, {"name": "a"}, {"name": "c"}
        ], "tolerations": []}}}});
        let merged = merge(&live, &config, deployment()).expect("fits");
        assert_eq!(
            merged["spec"]["template"]["spec"],
            json!({"containers": [
                {"name": "x", "image": "live"}, {"name": "b", "image": "3"},
                {"name": "a", "image": "1"}, {"name": "c"}
            ], "tolerations": []})
        );
    }

    #[test]
    fn removal_drops_member_items_only() {
        let object = json!({"metadata": {"labels": {"a": "1", "b": "2"}},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}});
        let mut set = FieldSet::default();
        set.insert(&[
            PathElement::Field("metadata".into()),
            PathElement::Field("labels".into()),
            PathElement::Field("a".into()),
        ]);
        set.insert(&[
            PathElement::Field("spec".into()),
            PathElement::Field("template".into()),
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key("{\"name\":\"b\"}".into()),
        ]);
        let removed = remove_items(&object, &set, deployment()).expect("fits");
        assert_eq!(
            removed,
            json!({"metadata": {"labels": {"b": "2"}},
                "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}})
        );
    }
}
