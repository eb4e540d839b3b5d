//! `.Files`: the chart's non-template files, with Helm's accessors.

use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine as _;

use super::Value;
use super::value::{Map, MapKind, MethodSig, Object, Ty};

/// Helm's `engine.files`: file name → contents.
#[derive(Clone, Debug, Default)]
pub struct Files(BTreeMap<String, Rc<[u8]>>);

const NO_ARGS: MethodSig = MethodSig {
    params: &[],
    variadic: None,
};
const ONE_STRING: MethodSig = MethodSig {
    params: &[Ty::String],
    variadic: None,
};

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Files {
        Files(files.into_iter().map(|(k, v)| (k, v.into())).collect())
    }

    pub fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    fn get(&self, name: &str) -> Option<&[u8]> {
        self.0.get(name).map(|d| &**d)
    }

    /// The files whose names match a glob in the syntax Helm uses
    /// (`*` stays within a path segment, `**` crosses them, `{a,b}`).
    fn glob(&self, pattern: &str) -> Result<Files, String> {
        let matcher = Glob::compile(pattern)?;
        Ok(Files(
            self.0
                .iter()
                .filter(|(name, _)| matcher.is_match(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    fn lines(&self, name: &str) -> Value {
        let Some(data) = self.get(name) else {
            return Value::strings(Vec::<&str>::new());
        };
        let text = String::from_utf8_lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Value::strings(text.split('\n'))
    }

    /// The files keyed by base name, encoded by `encode`, as YAML: what
    /// `AsConfig` and `AsSecrets` put under a ConfigMap's or Secret's data.
    fn as_data(&self, encode: impl Fn(&[u8]) -> String) -> Result<Value, String> {
        let map = Map::new(MapKind::String);
        for (name, data) in &self.0 {
            let base = name.rsplit('/').next().unwrap_or(name);
            map.insert(base, Value::str(encode(data)));
        }
        let yaml = crate::codec::yaml::to_yaml(&Value::Map(map)).map_err(|e| e.to_string())?;
        Ok(Value::str(yaml.trim_end_matches('\n')))
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn method(&self, name: &str) -> Option<MethodSig> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(ONE_STRING),
            "AsConfig" | "AsSecrets" => Some(NO_ARGS),
            _ => None,
        }
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let arg = args.first().and_then(Value::as_str).unwrap_or_default();
        match name {
            "Get" => Ok(Value::str(
                self.get(arg)
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default(),
            )),
            "GetBytes" => Ok(Value::Bytes(self.get(arg).unwrap_or_default().into())),
            "Glob" => Ok(self.glob(arg)?.into_value()),
            "Lines" => Ok(self.lines(arg)),
            "AsConfig" => self.as_data(|d| String::from_utf8_lossy(d).into_owned()),
            "AsSecrets" => self.as_data(|d| base64::engine::general_purpose::STANDARD.encode(d)),
            _ => Err(format!("can't call method/function {name:?}")),
        }
    }

    fn format(&self) -> String {
        let entries: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(u8::to_string).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", entries.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }

    fn to_json(&self) -> Option<Value> {
        Some(Value::Map(Map::from_entries(
            MapKind::Any,
            self.map_entries()?,
        )))
    }

    fn map_entries(&self) -> Option<BTreeMap<String, Value>> {
        Some(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }
}

/// A compiled glob in gobwas/glob syntax with `/` as the separator.
struct Glob(regex::Regex);

impl Glob {
    fn compile(pattern: &str) -> Result<Glob, String> {
        let mut re = String::from("^");
        let mut chars = pattern.chars().peekable();
        let mut alternation_depth = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    re.push_str(".*");
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                '\\' => match chars.next() {
                    Some(escaped) => re.push_str(&regex::escape(&escaped.to_string())),
                    None => return Err(format!("unexpected end of input in glob {pattern:?}")),
                },
                '[' => {
                    re.push('[');
                    if chars.peek() == Some(&'!') {
                        chars.next();
                        re.push('^');
                    }
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        if matches!(c, '[' | '\\' | '&' | '~') {
                            re.push('\\');
                        }
                        re.push(c);
                    }
                    if !closed {
                        return Err(format!("unexpected end of input in glob {pattern:?}"));
                    }
                    re.push(']');
                }
                '{' => {
                    alternation_depth += 1;
                    re.push_str("(?:");
                }
                '}' if alternation_depth > 0 => {
                    alternation_depth -= 1;
                    re.push(')');
                }
                ',' if alternation_depth > 0 => re.push('|'),
                other => re.push_str(&regex::escape(&other.to_string())),
            }
        }
        if alternation_depth > 0 {
            return Err(format!("unexpected end of input in glob {pattern:?}"));
        }
        re.push('$');
        regex::RegexBuilder::new(&re)
            .size_limit(1 << 20)
            .build()
            .map(Glob)
            .map_err(|e| e.to_string())
    }

    fn is_match(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::{List, ListElem};

    fn files() -> Files {
        Files::new([
            ("README.md".to_string(), b"readme\n".to_vec()),
            ("files/a.txt".to_string(), b"one\ntwo\n".to_vec()),
            ("files/sub/b.conf".to_string(), b"x".to_vec()),
        ])
    }

    fn names(f: &Files) -> Vec<&str> {
        f.0.keys().map(String::as_str).collect()
    }

    #[test]
    fn glob_star_stays_in_a_segment_and_double_star_crosses() {
        let f = files();
        assert_eq!(names(&f.glob("files/*").unwrap()), ["files/a.txt"]);
        assert_eq!(
            names(&f.glob("files/**").unwrap()),
            ["files/a.txt", "files/sub/b.conf"]
        );
        assert_eq!(
            names(&f.glob("**.{md,conf}").unwrap()),
            ["README.md", "files/sub/b.conf"]
        );
        assert!(f.glob("files/[").is_err());
    }

    #[test]
    fn lines_drop_one_trailing_newline() {
        let Value::List(lines) = files().lines("files/a.txt") else {
            panic!("lines is a list");
        };
        assert_eq!(lines.elem, ListElem::String);
        let got: Vec<&str> = lines.items.iter().filter_map(Value::as_str).collect();
        assert_eq!(got, ["one", "two"]);
        let List { items, .. } = &*match files().lines("missing") {
            Value::List(l) => l,
            other => panic!("{other:?}"),
        };
        assert!(items.is_empty());
    }
}
