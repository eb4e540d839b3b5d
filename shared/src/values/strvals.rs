//! Helm's `--set` syntax: `a.b=1,c[0].d=x,list={a,b}`.
//!
//! A hand-written reader over the runes of one `--set` argument, following
//! Helm's grammar: keys stop at `=`, `[`, `,` and `.`; a backslash escapes
//! the next rune; `{a,b}` is a list; `--set` guesses scalar types
//! (`true`, `null`, integers without a leading zero) while `--set-string`
//! keeps text.

use std::rc::Rc;

use crate::engine::Value;
use crate::engine::value::{IntKind, List, ListElem, Map, MapKind};

/// Helm's bounds: list indexes and key nesting.
const MAX_INDEX: usize = 65536;
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How a `--set` family flag turns value text into a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typing {
    /// `--set`: booleans, null and integers are recognised.
    Guess,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: the value is one JSON document.
    Json,
    /// `--set-file`: the value is a path; the file's text is the value.
    File,
    /// `--set-literal`: everything after the first `=` is the value, as is.
    Literal,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct SetError(String, Ending);

/// Whether an error is Helm's `io.EOF` from running out of input, which
/// ends parsing quietly with what was set so far (`a[=1` sets nothing and
/// is no error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Fails,
    EndsInput,
}

impl SetError {
    fn new(message: impl Into<String>) -> SetError {
        SetError(message.into(), Ending::Fails)
    }

    fn end_of_input(message: &str) -> SetError {
        SetError(message.into(), Ending::EndsInput)
    }
}

/// Parses one `--set` argument into `dest`, overwriting what it names.
pub fn parse_into(text: &str, dest: &Map, typing: Typing) -> Result<(), SetError> {
    let mut parser = Parser {
        runes: text.chars().collect(),
        pos: 0,
        typing,
    };
    while parser.pos < parser.runes.len() {
        match parser.key(dest, 0) {
            Err(SetError(_, Ending::EndsInput)) => return Ok(()),
            other => other?,
        }
    }
    Ok(())
}

/// Why a read stopped: at one of the stop runes, or at the end.
enum Stop {
    At(char),
    End,
}

struct Parser {
    runes: Vec<char>,
    pos: usize,
    typing: Typing,
}

impl Parser {
    /// Reads up to (and consumes) the first unescaped rune of `stops`.
    fn until(&mut self, stops: &[char]) -> (String, Stop) {
        let mut out = String::new();
        while let Some(&c) = self.runes.get(self.pos) {
            self.pos += 1;
            if stops.contains(&c) {
                return (out, Stop::At(c));
            }
            if c == '\\' {
                match self.runes.get(self.pos) {
                    Some(&escaped) => {
                        self.pos += 1;
                        out.push(escaped);
                    }
                    None => return (out, Stop::End),
                }
            } else {
                out.push(c);
            }
        }
        (out, Stop::End)
    }

    fn peek(&self) -> Option<char> {
        self.runes.get(self.pos).copied()
    }

    fn key(&mut self, data: &Map, level: usize) -> Result<(), SetError> {
        // A literal value may hold commas, so they do not end its key.
        let stops: &[char] = if self.typing == Typing::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (key, stop) = self.until(stops);
        match stop {
            Stop::End if key.is_empty() => Ok(()),
            Stop::End => Err(SetError::new(format!("key {key:?} has no value"))),
            Stop::At('[') => {
                let index = self.index()?;
                let list = match data.get(&key) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.items.clone(),
                    Some(other) => return Err(not_a(&other, "[]interface {}")),
                };
                // On failure Helm still stores the list as it was before
                // this item (an empty one for a new key).
                match self.list_item(list.clone(), index, level) {
                    Ok(list) => {
                        set(data, &key, list_value(list));
                        Ok(())
                    }
                    Err(e) => {
                        set(data, &key, list_value(list));
                        Err(e)
                    }
                }
            }
            Stop::At('=') => {
                let value = self.value()?;
                set(data, &key, value);
                Ok(())
            }
            Stop::At(',') => {
                set(data, &key, Value::str(""));
                Err(SetError::new(format!(
                    "key {key:?} has no value (cannot end with ,)"
                )))
            }
            Stop::At(_) => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(SetError::new(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let inner = match data.get(&key) {
                    None => Map::new(MapKind::Any),
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(not_a(&other, "map[string]interface {}")),
                };
                let result = self.key(&inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(SetError::new(format!("key map {key:?} has no value")));
                }
                if !inner.is_empty() {
                    set(data, &key, Value::Map(inner));
                }
                result
            }
        }
    }

    fn index(&mut self) -> Result<usize, SetError> {
        let (text, stop) = self.until(&[']']);
        if matches!(stop, Stop::End) {
            return Err(SetError::end_of_input("error parsing index: EOF"));
        }
        let parsed: i64 = text.parse().map_err(|_| {
            SetError::new(format!(
                "error parsing index: strconv.Atoi: parsing {text:?}: invalid syntax"
            ))
        })?;
        if parsed < 0 {
            return Err(SetError::new(format!(
                "negative {parsed} index not allowed"
            )));
        }
        let index = parsed as usize;
        if index > MAX_INDEX {
            return Err(SetError::new(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )));
        }
        Ok(index)
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        index: usize,
        level: usize,
    ) -> Result<Vec<Value>, SetError> {
        let (rest, stop) = self.until(&['[', '.', '=']);
        if !rest.is_empty() {
            // Helm quotes the runes it read (`%q` of a `[]rune`: `['x' 'y']`).
            let runes = Value::list(
                rest.chars()
                    .map(|c| Value::int(i64::from(u32::from(c))))
                    .collect(),
            );
            return Err(SetError::new(format!(
                "unexpected data at end of array index: {}",
                crate::engine::gofmt::sprintf("%q", &[runes])
            )));
        }
        let item = match stop {
            Stop::End => return Err(SetError::end_of_input("EOF")),
            Stop::At('=') => self.value()?,
            Stop::At('[') => {
                let next = self.index()?;
                let inner = match list.get(index) {
                    Some(Value::List(l)) => l.items.clone(),
                    None | Some(Value::Nil) => Vec::new(),
                    Some(other) => return Err(not_a(other, "[]interface {}")),
                };
                // Helm sets no limit on nested indexes (`a[0][0]…`): grow
                // the stack rather than overflow it.
                let nested = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                    self.list_item(inner, next, level)
                });
                list_value(nested?)
            }
            Stop::At(_) => {
                let inner = match list.get(index) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => Map::new(MapKind::Any),
                };
                self.key(&inner, level)?;
                Value::Map(inner)
            }
        };
        if list.len() <= index {
            list.resize(index + 1, Value::Nil);
        }
        list[index] = item;
        Ok(list)
    }

    /// The value after `=`: a `{a,b}` list or a scalar up to the next `,`.
    fn value(&mut self) -> Result<Value, SetError> {
        match self.typing {
            Typing::Literal => {
                let rest: String = self.runes[self.pos..].iter().collect();
                self.pos = self.runes.len();
                return Ok(Value::from(rest));
            }
            Typing::Json => return self.json_value(),
            Typing::File => {
                let (path, _) = self.until(&[',']);
                return super::set_readers::read_file(&path).map_err(SetError::new);
            }
            Typing::Guess | Typing::String => {}
        }
        match self.peek() {
            None => Ok(Value::str("")),
            Some('{') => {
                self.pos += 1;
                self.list()
            }
            Some(_) => {
                let (text, _) = self.until(&[',']);
                Ok(self.typed(text))
            }
        }
    }

    /// One JSON document, then a `,` or the end.
    fn json_value(&mut self) -> Result<Value, SetError> {
        let rest: String = self.runes[self.pos..].iter().collect();
        let (value, used) = super::set_readers::json_prefix(&rest).map_err(SetError::new)?;
        self.pos += rest[..used].chars().count();
        match self.peek() {
            None => Ok(value),
            Some(',') => {
                self.pos += 1;
                Ok(value)
            }
            Some(other) => Err(SetError::new(format!(
                "unexpected {other:?} after JSON value"
            ))),
        }
    }

    fn list(&mut self) -> Result<Value, SetError> {
        let mut items = Vec::new();
        loop {
            let (text, stop) = self.until(&[',', '}']);
            match stop {
                Stop::End => return Err(SetError::new("list must terminate with '}'")),
                Stop::At('}') => {
                    if self.peek() == Some(',') {
                        self.pos += 1;
                    }
                    items.push(self.typed(text));
                    return Ok(list_value(items));
                }
                Stop::At(_) => items.push(self.typed(text)),
            }
        }
    }

    fn typed(&self, text: String) -> Value {
        if self.typing != Typing::Guess {
            return Value::from(text);
        }
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            "null" => return Value::Nil,
            "0" => return Value::Int(0, IntKind::Int64),
            _ => {}
        }
        if !text.starts_with('0')
            && let Ok(i) = go_parse_int(&text)
        {
            return Value::Int(i, IntKind::Int64);
        }
        Value::from(text)
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`: sign, ASCII digits, underscores not
/// allowed in base 10.
fn go_parse_int(s: &str) -> Result<i64, ()> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    s.parse().map_err(|_| ())
}

fn set(data: &Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key, value);
    }
}

fn list_value(items: Vec<Value>) -> Value {
    Value::List(Rc::new(List {
        items,
        elem: ListElem::Any,
        nil: false,
    }))
}

/// Helm panics on a type assertion here and reports the recovered panic.
fn not_a(found: &Value, wanted: &str) -> SetError {
    SetError::new(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {wanted}",
        found.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gofmt::format_value;

    fn parse(text: &str, typing: Typing) -> Result<String, SetError> {
        let map = Map::new(MapKind::Any);
        parse_into(text, &map, typing)?;
        Ok(format_value(&Value::Map(map)))
    }

    #[test]
    fn nested_keys_lists_and_escapes() {
        assert_eq!(
            parse("a.b=1,c=x", Typing::Guess).unwrap(),
            "map[a:map[b:1] c:x]"
        );
        assert_eq!(
            parse("l={a, b},m=2", Typing::Guess).unwrap(),
            "map[l:[a  b] m:2]"
        );
        assert_eq!(parse(r"a\.b=c\,d", Typing::Guess).unwrap(), "map[a.b:c,d]");
        assert_eq!(
            parse("x[1].y=z", Typing::Guess).unwrap(),
            "map[x:[<nil> map[y:z]]]"
        );
        assert_eq!(
            parse("x[0][1]=z", Typing::Guess).unwrap(),
            "map[x:[[<nil> z]]]"
        );
        assert_eq!(parse("e=", Typing::Guess).unwrap(), "map[e:]");
    }

    #[test]
    fn running_out_of_input_ends_quietly_as_helms_eof() {
        assert_eq!(parse("b=2,a[=1", Typing::Guess).unwrap(), "map[b:2]");
        assert_eq!(parse("a[0]", Typing::Guess).unwrap(), "map[a:[]]");
        assert_eq!(parse("a[0][", Typing::Guess).unwrap(), "map[a:[]]");
        assert_eq!(parse("a.c[", Typing::Guess).unwrap(), "map[]");
        assert_eq!(
            parse("a[0]xy=1", Typing::Guess).unwrap_err().0,
            "unexpected data at end of array index: ['x' 'y']"
        );
        // Other errors still fail.
        assert!(parse("a[x]=1", Typing::Guess).is_err());
    }

    #[test]
    fn guessing_types_like_helm() {
        let map = Map::new(MapKind::Any);
        parse_into("i=10,z=0,o=012,b=TRUE,n=null,f=1.5", &map, Typing::Guess).unwrap();
        let get = |k: &str| map.get(k).unwrap();
        assert!(matches!(get("i"), Value::Int(10, IntKind::Int64)));
        assert!(matches!(get("z"), Value::Int(0, IntKind::Int64)));
        assert_eq!(get("o").as_str(), Some("012"));
        assert!(matches!(get("b"), Value::Bool(true)));
        assert!(get("n").is_nil());
        assert_eq!(get("f").as_str(), Some("1.5"));
        parse_into("i=10", &map, Typing::String).unwrap();
        assert_eq!(get("i").as_str(), Some("10"));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(
            parse("a", Typing::Guess).unwrap_err().0,
            "key \"a\" has no value"
        );
        assert_eq!(
            parse("a,b=1", Typing::Guess).unwrap_err().0,
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            parse("a[-1]=1", Typing::Guess).unwrap_err().0,
            "negative -1 index not allowed"
        );
        assert_eq!(
            parse("a[70000]=1", Typing::Guess).unwrap_err().0,
            "index of 70000 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            parse("a={x,y", Typing::Guess).unwrap_err().0,
            "list must terminate with '}'"
        );
        let deep = vec!["k"; 10_000].join(".") + "=v";
        assert!(
            parse(&deep, Typing::Guess)
                .unwrap_err()
                .0
                .contains("nested level")
        );
    }
}
