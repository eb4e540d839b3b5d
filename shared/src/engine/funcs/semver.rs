//! Sprig's `semver` and `semverCompare`, over [`crate::constraints`].
//!
//! `semver` returns Masterminds' `*semver.Version`; templates may read its
//! methods (`.Major`, `.Prerelease`, `.Original`, `.Compare`, `.IncPatch`, …)
//! and print it (its `String()`).

use std::cmp::Ordering;
use std::rc::Rc;

use semver::Version;

use super::{Env, FuncMap, add};
use crate::constraints::{Constraint, compare, parse_version};
use crate::engine::value::{IntKind, MethodSig, Object, Ty, UintKind, Value};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "semver", &[Ty::String], semver);
    add(
        map,
        "semverCompare",
        &[Ty::String, Ty::String],
        semver_compare,
    );
}

fn semver(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let text = args[0].as_str().unwrap_or_default();
    let version = parse_version(text).map_err(|e| e.to_string())?;
    Ok(SemverObject::pointer(version, text.to_owned()))
}

fn semver_compare(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let constraint = args[0].as_str().unwrap_or_default();
    let version = args[1].as_str().unwrap_or_default();
    let constraint = Constraint::parse(constraint).map_err(|e| e.to_string())?;
    let version = parse_version(version).map_err(|e| e.to_string())?;
    Ok(Value::Bool(constraint.matches(&version)))
}

/// Masterminds' `Version`: `*semver.Version` from `semver`, or the plain
/// `semver.Version` value that `IncPatch` and friends return.
struct SemverObject {
    version: Version,
    original: String,
    pointer: bool,
}

const TYPE_POINTER: &str = "*semver.Version";
const TYPE_VALUE: &str = "semver.Version";

impl SemverObject {
    fn pointer(version: Version, original: String) -> Value {
        Value::Object(Rc::new(SemverObject {
            version,
            original,
            pointer: true,
        }))
    }

    /// `IncPatch`/`IncMinor`/`IncMajor`: the next version, prerelease and
    /// metadata dropped, keeping a leading `v` in `Original()`.
    fn incremented(&self, next: Version) -> Value {
        let prefix = if self.original.starts_with('v') {
            "v"
        } else {
            ""
        };
        let original = format!("{prefix}{next}");
        Value::Object(Rc::new(SemverObject {
            version: next,
            original,
            pointer: false,
        }))
    }

    fn next(&self, method: &str) -> Version {
        let v = &self.version;
        let (major, minor, patch) = match method {
            "IncMajor" => (v.major + 1, 0, 0),
            "IncMinor" => (v.major, v.minor + 1, 0),
            // A prerelease's next patch is its release.
            _ if !v.pre.is_empty() => (v.major, v.minor, v.patch),
            _ => (v.major, v.minor, v.patch + 1),
        };
        Version::new(major, minor, patch)
    }
}

/// The version another `*semver.Version` argument holds.
fn version_arg(args: &[Value]) -> Result<Version, String> {
    match args.first() {
        Some(Value::Object(o)) if o.type_name() == TYPE_POINTER => {
            parse_version(&o.format()).map_err(|e| e.to_string())
        }
        Some(other) => Err(format!(
            "wrong type for value; expected {TYPE_POINTER}; got {}",
            other.type_name()
        )),
        None => Err("wrong number of args: want 1 got 0".into()),
    }
}

const NO_ARGS: MethodSig = MethodSig {
    params: &[],
    variadic: None,
};
const ONE_VERSION: MethodSig = MethodSig {
    params: &[Ty::Any],
    variadic: None,
};

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.pointer {
            TYPE_POINTER
        } else {
            TYPE_VALUE
        }
    }

    fn kind_name(&self) -> &str {
        if self.pointer { "ptr" } else { "struct" }
    }

    fn method(&self, name: &str) -> Option<MethodSig> {
        match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
            | "IncPatch" | "IncMinor" | "IncMajor" => Some(NO_ARGS),
            "Compare" | "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual"
            | "Equal" => Some(ONE_VERSION),
            _ => None,
        }
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let v = &self.version;
        let uint = |n: u64| Value::Uint(n, UintKind::Uint64);
        Ok(match name {
            "Major" => uint(v.major),
            "Minor" => uint(v.minor),
            "Patch" => uint(v.patch),
            "Prerelease" => Value::from(v.pre.as_str()),
            "Metadata" => Value::from(v.build.as_str()),
            "Original" => Value::from(self.original.as_str()),
            "String" => Value::from(self.format()),
            "IncPatch" | "IncMinor" | "IncMajor" => self.incremented(self.next(name)),
            _ => {
                let order = compare(v, &version_arg(&args)?);
                match name {
                    "Compare" => Value::Int(order as i64, IntKind::Int),
                    "LessThan" => Value::Bool(order == Ordering::Less),
                    "LessThanEqual" => Value::Bool(order != Ordering::Greater),
                    "GreaterThan" => Value::Bool(order == Ordering::Greater),
                    "GreaterThanEqual" => Value::Bool(order != Ordering::Less),
                    "Equal" => Value::Bool(order == Ordering::Equal),
                    _ => return Err(format!("can't call method/function {name:?}")),
                }
            }
        })
    }

    fn format(&self) -> String {
        self.version.to_string()
    }

    fn to_json(&self) -> Option<Value> {
        Some(Value::from(self.format()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn version(text: &str) -> Rc<dyn Object> {
        match call("semver", vec![text.into()]) {
            Ok(Value::Object(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn semver_object_methods() {
        let v = version("v1.2.3-beta.1+build.5");
        assert_eq!(v.type_name(), "*semver.Version");
        assert_eq!(v.format(), "1.2.3-beta.1+build.5");
        let get = |m: &str| format!("{:?}", v.call(m, vec![]).unwrap());
        assert_eq!(get("Major"), "uint64(1)");
        assert_eq!(get("Prerelease"), r#""beta.1""#);
        assert_eq!(get("Metadata"), r#""build.5""#);
        assert_eq!(get("Original"), r#""v1.2.3-beta.1+build.5""#);
        assert_eq!(get("IncPatch"), "semver.Version(1.2.3)");
        assert_eq!(get("IncMinor"), "semver.Version(1.3.0)");
        let other = Value::Object(version("1.3.0"));
        assert_eq!(
            format!("{:?}", v.call("Compare", vec![other.clone()]).unwrap()),
            "int(-1)"
        );
        assert!(matches!(
            v.call("LessThan", vec![other]),
            Ok(Value::Bool(true))
        ));
        assert!(v.call("Compare", vec!["1.0.0".into()]).is_err());
    }

    #[test]
    fn semver_errors_are_masterminds_texts() {
        assert_eq!(
            call("semver", vec!["foo".into()]).unwrap_err(),
            "invalid semantic version"
        );
        assert_eq!(
            call("semver", vec!["1.2.3-01".into()]).unwrap_err(),
            "version segment starts with 0"
        );
    }

    #[test]
    fn semver_compare_checks_both_arguments() {
        let cmp = |c: &str, v: &str| call("semverCompare", vec![c.into(), v.into()]);
        assert!(matches!(cmp("^1.2.0", "1.2.3"), Ok(Value::Bool(true))));
        assert!(matches!(
            cmp(">=1.10.0", "v1.10.0-rc.1+build.5"),
            Ok(Value::Bool(false))
        ));
        assert_eq!(
            cmp("foo", "1.0.0").unwrap_err(),
            r#"improper constraint: "foo""#
        );
        assert_eq!(
            cmp(">1", "1.0.0.0").unwrap_err(),
            "invalid semantic version"
        );
    }
}
