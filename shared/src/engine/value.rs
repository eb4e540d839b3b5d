//! Template values with Go's types.
//!
//! Templates observe Go types: `typeOf`, `kindOf`, `printf "%T"`, comparisons
//! and the argument checks of Go's function calls all depend on them. So a
//! [`Value`] keeps the Go type it would have in Helm, not just its data.
//!
//! Go maps are reference types: `set $d "k" v` mutates `$d` for every holder
//! of that map (charts rely on it, e.g. `set .Values …`). [`Map`] is therefore
//! shared and mutable. Slices are never mutated in place by any template
//! function (Sprig copies), so [`List`] is shared and immutable.

use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A Go value as a template sees it.
#[derive(Clone, Default)]
pub enum Value {
    /// The nil interface: a missing map key, `nil`, a YAML `null`.
    #[default]
    Nil,
    Bool(bool),
    /// A signed integer; [`IntKind`] says which Go type (`int`, `int64`, …).
    Int(i64, IntKind),
    /// An unsigned integer (`uint`, `uint8` from indexing a string, `uint64`).
    Uint(u64, UintKind),
    /// A float64 (every number read from YAML or JSON is one).
    Float(f64),
    String(Rc<str>),
    /// `[]byte`.
    Bytes(Rc<[u8]>),
    List(Rc<List>),
    Map(Map),
    /// A Go struct or other named type with fields and methods
    /// (`.Release`, `.Files`, `time.Time`, `*semver.Version`, …).
    Object(Rc<dyn Object>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntKind {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UintKind {
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
}

/// A Go slice: `[]interface {}`, `[]string` or `[][]interface {}`.
#[derive(Clone, Debug, Default)]
pub struct List {
    pub items: Vec<Value>,
    pub elem: ListElem,
    /// A nil slice (no items, but `toJson` writes `null`), as Sprig returns
    /// from `rest []` or `concat`.
    pub nil: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListElem {
    /// `[]interface {}`
    #[default]
    Any,
    /// `[]string`; every item is a [`Value::String`].
    String,
    /// `[][]interface {}` (Sprig's `chunk`); every item is a list.
    List,
}

/// A Go map with string keys. Iteration is in sorted key order, as Go's
/// `range` and `fmt` present maps.
///
/// The Go type belongs to the handle, not to the data: passing `.Values`
/// (`common.Values`) to a `map[string]interface {}` parameter gives a
/// handle of the plain type onto the same map, as Go's conversion does.
#[derive(Clone)]
pub struct Map {
    entries: Rc<RefCell<BTreeMap<String, Value>>>,
    kind: MapKind,
    nil: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`
    Any,
    /// `map[string]string`; every value is a [`Value::String`].
    String,
    /// Helm's named values type (`.Values`): `common.Values`, a
    /// `map[string]interface {}` underneath.
    Values,
}

/// A Go struct (or other named type) exposed to templates.
pub trait Object {
    /// The Go type name, as `%T` and `typeOf` print it (e.g. `*chart.Metadata`).
    fn type_name(&self) -> &str;
    /// The Go kind, as `kindOf` prints it (`struct`, `ptr`, …).
    fn kind_name(&self) -> &str {
        "struct"
    }
    /// An exported field, or `None` if the type has no such field.
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The signature of an exported method, or `None` if there is none.
    fn method(&self, _name: &str) -> Option<MethodSig> {
        None
    }
    /// Calls a method whose arguments were checked against [`Object::method`].
    fn call(&self, name: &str, _args: Vec<Value>) -> Result<Value, String> {
        Err(format!("can't call method/function {name:?}"))
    }
    /// How `%v`/`print` render the value: its `String()` method if the Go type
    /// has one, otherwise Go's struct formatting.
    fn format(&self) -> String;
    /// Go's truth of the value (a non-nil pointer or a struct is true).
    fn truthy(&self) -> bool {
        true
    }
    /// The value as `encoding/json` would marshal it, for types that
    /// marshal as something other than a struct (e.g. a list).
    fn to_json(&self) -> Option<Value> {
        None
    }
    /// For a struct, its JSON fields in declaration order, which is the
    /// order `encoding/json` writes them in (a [`Map`] would sort them).
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }
    /// For a Go map type with methods (Helm's `.Files`), its entries:
    /// field access, `range`, `index` and `len` treat it as that map.
    fn map_entries(&self) -> Option<BTreeMap<String, Value>> {
        None
    }
    /// The concrete Rust value, for functions whose Go parameter is this
    /// very type (Sprig's `dateModify` takes a `time.Time`).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// The declared parameters of a method or function, for Go's argument checks.
#[derive(Clone, Copy, Debug)]
pub struct MethodSig {
    pub params: &'static [Ty],
    /// The element type of a trailing `...T` parameter.
    pub variadic: Option<Ty>,
}

/// A parameter type, as Go's reflection checks it before a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface {}`: anything, nil included.
    Any,
    String,
    Bool,
    Int,
    Int64,
    Float64,
    /// `[]interface {}`
    List,
    /// `[]string`
    Strings,
    /// `map[string]interface {}` (Helm's `Values` is assignable to it).
    Dict,
    Bytes,
    /// `uint32` (Sprig's `derivePassword` counter).
    Uint32,
    /// A Go struct type, by the name [`Object::type_name`] gives
    /// (`time.Time`, `sprig.certificate`).
    Object(&'static str),
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn int(i: i64) -> Value {
        Value::Int(i, IntKind::Int)
    }

    pub fn int64(i: i64) -> Value {
        Value::Int(i, IntKind::Int64)
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(List {
            items,
            elem: ListElem::Any,
            nil: false,
        }))
    }

    /// A nil slice of the given element type.
    pub fn nil_list(elem: ListElem) -> Value {
        Value::List(Rc::new(List {
            items: Vec::new(),
            elem,
            nil: true,
        }))
    }

    pub fn strings(items: impl IntoIterator<Item = impl Into<Rc<str>>>) -> Value {
        Value::List(Rc::new(List {
            items: items.into_iter().map(|s| Value::String(s.into())).collect(),
            elem: ListElem::String,
            nil: false,
        }))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Go's truth, as `if`, `and`, `or` and `not` judge it: false, 0, nil,
    /// and empty strings, slices and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Uint(u, _) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.items.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// The Go type name, as `typeOf` and `%T` print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_, k) => k.name().into(),
            Value::Uint(_, k) => k.name().into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(l) => match l.elem {
                ListElem::Any => "[]interface {}".into(),
                ListElem::String => "[]string".into(),
                ListElem::List => "[][]interface {}".into(),
            },
            Value::Map(m) => match m.kind() {
                MapKind::Any => "map[string]interface {}".into(),
                MapKind::String => "map[string]string".into(),
                MapKind::Values => "common.Values".into(),
            },
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// The Go kind, as `kindOf` prints it.
    pub fn kind_name(&self) -> String {
        match self {
            Value::Nil => "invalid".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_, k) => k.name().into(),
            Value::Uint(_, k) => k.name().into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) | Value::List(_) => "slice".into(),
            Value::Map(_) => "map".into(),
            Value::Object(o) => o.kind_name().into(),
        }
    }
}

impl IntKind {
    pub fn name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int8 => "int8",
            IntKind::Int16 => "int16",
            IntKind::Int32 => "int32",
            IntKind::Int64 => "int64",
        }
    }
}

impl UintKind {
    pub fn name(self) -> &'static str {
        match self {
            UintKind::Uint => "uint",
            UintKind::Uint8 => "uint8",
            UintKind::Uint16 => "uint16",
            UintKind::Uint32 => "uint32",
            UintKind::Uint64 => "uint64",
            UintKind::Uintptr => "uintptr",
        }
    }
}

impl Map {
    pub fn new(kind: MapKind) -> Map {
        Map::from_entries(kind, BTreeMap::new())
    }

    pub fn from_entries(kind: MapKind, entries: BTreeMap<String, Value>) -> Map {
        Map {
            entries: Rc::new(RefCell::new(entries)),
            kind,
            nil: false,
        }
    }

    /// A nil map of the given type: empty, `toJson` writes `null`, and Go
    /// refuses to assign into it.
    pub fn nil(kind: MapKind) -> Map {
        let mut map = Map::new(kind);
        map.nil = true;
        map
    }

    pub fn kind(&self) -> MapKind {
        self.kind
    }

    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// The same map seen through another Go type (a Go conversion).
    pub fn with_kind(&self, kind: MapKind) -> Map {
        let mut map = self.clone();
        map.kind = kind;
        map
    }

    /// The entries, in sorted key order.
    ///
    /// Do not hold the borrow across a call that may mutate the same map
    /// (a template function or a nested execution).
    pub fn entries(&self) -> Ref<'_, BTreeMap<String, Value>> {
        self.entries.borrow()
    }

    /// The entries copied out, in sorted key order: for walking a map
    /// while running code that may borrow or change it.
    pub fn snapshot(&self) -> Vec<(String, Value)> {
        self.entries()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn entries_mut(&self) -> RefMut<'_, BTreeMap<String, Value>> {
        self.entries.borrow_mut()
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.entries().get(key).cloned()
    }

    pub fn insert(&self, key: impl Into<String>, value: Value) {
        self.entries_mut().insert(key.into(), value);
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// Whether two handles name the same Go map (for `eq`-free identity
    /// checks and recursion guards).
    pub fn same(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.entries, &other.entries)
    }

    /// A new map with the same entries (a shallow copy, as Go's `for k, v`
    /// copy loops in Sprig make).
    pub fn shallow_copy(&self, kind: MapKind) -> Map {
        Map::from_entries(kind, self.entries().clone())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i, k) => write!(f, "{}({i})", k.name()),
            Value::Uint(u, k) => write!(f, "{}({u})", k.name()),
            Value::Float(x) => write!(f, "float64({x:?})"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "[]uint8({b:?})"),
            Value::List(l) => f.debug_list().entries(&l.items).finish(),
            Value::Map(m) => f.debug_map().entries(m.entries().iter()).finish(),
            Value::Object(o) => write!(f, "{}({})", o.type_name(), o.format()),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

/// Go's `reflect.DeepEqual` over template values, as Sprig's list functions
/// (`has`, `uniq`, `without`, …) compare items: types must match exactly.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, kx), Value::Int(y, ky)) => kx == ky && x == y,
        (Value::Uint(x, kx), Value::Uint(y, ky)) => kx == ky && x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.elem == y.elem
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.same(y) {
                return true;
            }
            let (ex, ey) = (x.entries(), y.entries());
            x.kind() == y.kind()
                && ex.len() == ey.len()
                && ex
                    .iter()
                    .all(|(k, v)| ey.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            Rc::ptr_eq(x, y) || (x.type_name() == y.type_name() && x.format() == y.format())
        }
        _ => false,
    }
}

// Values nest as deep as users make them (`--set a[0][0]…`, `--set-json`,
// `fromJson`): dropping them recursively would overflow the stack, so lists
// and maps that nobody else holds are taken apart here, level by level.
impl Drop for List {
    fn drop(&mut self) {
        dismantle(std::mem::take(&mut self.items));
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if Rc::strong_count(&self.entries) == 1 {
            let entries = std::mem::take(&mut *self.entries.borrow_mut());
            dismantle(entries.into_values().collect());
        }
    }
}

/// Drops `pending` without recursion: the contents of each list or map
/// about to be freed join the queue, so each is freed empty.
fn dismantle(mut pending: Vec<Value>) {
    while let Some(value) = pending.pop() {
        match value {
            Value::List(list) => {
                if let Ok(mut list) = Rc::try_unwrap(list) {
                    pending.append(&mut list.items);
                }
            }
            Value::Map(map) if Rc::strong_count(&map.entries) == 1 => {
                let entries = std::mem::take(&mut *map.entries.borrow_mut());
                pending.extend(entries.into_values());
            }
            _ => {}
        }
    }
}
