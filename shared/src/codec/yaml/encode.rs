//! Values → YAML text: `toYaml` (sigs.k8s.io/yaml.Marshal: the value goes
//! through JSON, then go-yaml v2 writes what it reads back) and
//! `toYamlPretty` (go-yaml v3 over the Go values, indent 2).

use std::cmp::Ordering;

use base64::Engine as _;

use super::emit::{Ctx, Emitter, Flavor, Style};
use super::resolve::{Resolved, is_base60_float, is_old_bool, resolve_plain};
use crate::codec::gofloat::{format_g, write_json_float};
use crate::engine::value::Value;

/// Deeper values are refused (Go would detect a cycle; a real chart never
/// nests this deep).
const MAX_DEPTH: usize = 1000;

/// Why a value cannot be written as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EncodeError(pub String);

/// `toYaml`'s encoding of `value`, with the trailing newline yaml.Marshal
/// leaves.
pub(super) fn to_yaml_v2(value: &Value) -> Result<String, EncodeError> {
    let mut enc = Encoder {
        emitter: Emitter::new(Flavor::V2),
        flavor: Flavor::V2,
    };
    enc.node(value, Ctx::default(), 0)?;
    Ok(enc.emitter.finish())
}

/// `toYamlPretty`'s encoding of `value`, with a trailing newline.
pub(super) fn to_yaml_v3(value: &Value) -> Result<String, EncodeError> {
    let mut enc = Encoder {
        emitter: Emitter::new(Flavor::V3),
        flavor: Flavor::V3,
    };
    enc.node(value, Ctx::default(), 0)?;
    Ok(enc.emitter.finish())
}

struct Encoder {
    emitter: Emitter,
    flavor: Flavor,
}

impl Encoder {
    fn node(&mut self, value: &Value, ctx: Ctx, depth: usize) -> Result<(), EncodeError> {
        if depth > MAX_DEPTH {
            return Err(EncodeError(format!(
                "json: unsupported value: encountered a cycle via {}",
                value.type_name()
            )));
        }
        match value {
            Value::Nil => self.emitter.scalar("null", Style::Plain, ctx),
            Value::Bool(b) => {
                self.emitter
                    .scalar(if *b { "true" } else { "false" }, Style::Plain, ctx)
            }
            Value::Int(i, _) => self.emitter.scalar(&i.to_string(), Style::Plain, ctx),
            Value::Uint(u, _) => self.emitter.scalar(&u.to_string(), Style::Plain, ctx),
            Value::Float(f) => {
                let text = self.float_text(*f)?;
                self.emitter.scalar(&text, Style::Plain, ctx);
            }
            Value::String(s) => self.string(s, ctx)?,
            Value::Bytes(bytes) => self.bytes(bytes, ctx, depth)?,
            // v2 goes through JSON, where a nil slice or map is `null`.
            Value::List(list) if list.nil && self.flavor == Flavor::V2 => {
                self.emitter.scalar("null", Style::Plain, ctx)
            }
            Value::Map(map) if map.is_nil() && self.flavor == Flavor::V2 => {
                self.emitter.scalar("null", Style::Plain, ctx)
            }
            Value::List(list) => self.sequence(&list.items, ctx, depth)?,
            Value::Map(map) => {
                let entries = map.snapshot();
                self.mapping(entries, ctx, depth)?;
            }
            Value::Object(object) => {
                let json = object
                    .json_fields()
                    .map(struct_as_map)
                    .or_else(|| object.to_json());
                match json {
                    Some(json) => self.node(&json, ctx, depth + 1)?,
                    None => {
                        return Err(EncodeError(format!(
                            "json: unsupported type: {}",
                            object.type_name()
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// v2 sees the number JSON wrote: integral text reads back as an int.
    /// v3 formats the float64 itself.
    fn float_text(&self, f: f64) -> Result<String, EncodeError> {
        if self.flavor == Flavor::V3 {
            return Ok(match format_g(f).as_str() {
                "+Inf" => ".inf".into(),
                "-Inf" => "-.inf".into(),
                "NaN" => ".nan".into(),
                other => other.into(),
            });
        }
        if !f.is_finite() {
            return Err(EncodeError(format!(
                "json: unsupported value: {}",
                format_g(f)
            )));
        }
        let mut json = String::new();
        write_json_float(f, &mut json);
        if json.contains(['.', 'e']) {
            return Ok(format_g(f));
        }
        if let Ok(i) = json.parse::<i64>() {
            return Ok(i.to_string());
        }
        if json.parse::<u64>().is_ok() {
            return Ok(json);
        }
        Ok(format_g(f))
    }

    fn string(&mut self, s: &str, ctx: Ctx) -> Result<(), EncodeError> {
        if self.flavor == Flavor::V2 {
            let s = through_json(s)?;
            self.emitter.scalar(&s, string_style(&s, Flavor::V2), ctx);
        } else {
            self.emitter.scalar(s, string_style(s, Flavor::V3), ctx);
        }
        Ok(())
    }

    /// JSON writes `[]byte` as base64; go-yaml v3 sees a list of numbers.
    fn bytes(&mut self, bytes: &[u8], ctx: Ctx, depth: usize) -> Result<(), EncodeError> {
        if self.flavor == Flavor::V2 {
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            return self.string(&text, ctx);
        }
        let items: Vec<Value> = bytes.iter().map(|&b| Value::int(i64::from(b))).collect();
        self.sequence(&items, ctx, depth)
    }

    fn sequence(&mut self, items: &[Value], ctx: Ctx, depth: usize) -> Result<(), EncodeError> {
        if items.is_empty() {
            self.emitter.empty_collection("[]");
            return Ok(());
        }
        self.emitter.begin_sequence(ctx);
        for item in items {
            let item_ctx = self.emitter.sequence_item();
            self.node(item, item_ctx, depth + 1)?;
        }
        self.emitter.end_collection();
        Ok(())
    }

    fn mapping(
        &mut self,
        entries: Vec<(String, Value)>,
        _ctx: Ctx,
        depth: usize,
    ) -> Result<(), EncodeError> {
        if entries.is_empty() {
            self.emitter.empty_collection("{}");
            return Ok(());
        }
        let mut entries = if self.flavor == Flavor::V2 {
            let mut normalized = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                if k.contains('\u{85}') {
                    // A raw NEL makes the JSON key a multi-line simple key,
                    // which go-yaml refuses.
                    return Err(EncodeError(
                        "error converting JSON to YAML: yaml: could not find expected ':'".into(),
                    ));
                }
                normalized.push((through_json(&k)?.into_owned(), v));
            }
            normalized
        } else {
            entries
        };
        if !entries.is_sorted_by(|a, b| key_less(&a.0, &b.0) != Ordering::Greater) {
            entries = merge_sort_by(entries, |a, b| key_less(&a.0, &b.0) == Ordering::Greater);
        }
        self.emitter.begin_mapping();
        for (key, value) in &entries {
            let style = string_style(key, self.flavor);
            let value_ctx = self.emitter.mapping_key(key, style);
            self.node(value, value_ctx, depth + 1)?;
        }
        self.emitter.end_collection();
        Ok(())
    }
}

/// The style go-yaml's encoder asks for a string: literal when multi-line,
/// plain when it would read back as a string, double-quoted otherwise.
fn string_style(s: &str, flavor: Flavor) -> Style {
    // Both encoders write `<<` bare, though it reads back as a merge key.
    let reads_as_string = matches!(resolve_plain(s), Resolved::Str | Resolved::Merge);
    let plain = reads_as_string && !is_base60_float(s) && !(flavor == Flavor::V3 && is_old_bool(s));
    if s.contains('\n') {
        Style::Literal
    } else if plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// A string after Go's JSON encoding and go-yaml v2's decoding of it: the
/// characters YAML forbids in a stream fail, and a raw NEL (which JSON
/// leaves unescaped) is folded like a line break in a double-quoted scalar.
fn through_json(s: &str) -> Result<std::borrow::Cow<'_, str>, EncodeError> {
    if s.is_ascii() && !s.contains('\u{7f}') {
        return Ok(s.into());
    }
    if s.chars()
        .any(|c| matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'))
    {
        return Err(EncodeError(
            "error converting JSON to YAML: yaml: control characters are not allowed".into(),
        ));
    }
    if !s.contains('\u{85}') {
        return Ok(s.into());
    }
    Ok(fold_nel(s).into())
}

/// Double-quoted line folding around raw NEL characters: spaces around the
/// breaks vanish; one break becomes a space, n breaks become n-1 newlines.
fn fold_nel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{85}' {
            out.push(c);
            continue;
        }
        out.truncate(out.trim_end_matches(' ').len());
        let mut breaks = 1;
        while let Some(&next) = chars.peek() {
            match next {
                ' ' => {}
                '\u{85}' => breaks += 1,
                _ => break,
            }
            chars.next();
        }
        if breaks == 1 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    out
}

/// go-yaml's map key order for strings: letters after other characters,
/// and runs of digits compared by value ("a2" < "a10").
pub(crate) fn key_less(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            // A run of zeros after a non-zero digit is part of one number.
            let nonzero_before = ar[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .any(|&c| c != '0');
            if nonzero_before {
                an = 1;
                bn = 1;
            }
        }
        let ai = digits_from(&ar, i, &mut an);
        let bi = digits_from(&br, i, &mut bn);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// A stable merge sort that tolerates an inconsistent comparison.
///
/// go-yaml's key order is not a total order (digit runs overflow, zeros
/// are special), and Go's sort accepts that; the standard library's
/// `sort_by` may panic on it (found by fuzzing). `after(a, b)` says `a`
/// must come after `b`.
fn merge_sort_by<T>(items: Vec<T>, after: impl Fn(&T, &T) -> bool + Copy) -> Vec<T> {
    if items.len() <= 1 {
        return items;
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let (left, right) = (merge_sort_by(left, after), merge_sort_by(right, after));
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        let next = if after(l, r) {
            right.next()
        } else {
            left.next()
        };
        out.extend(next);
    }
    out.extend(left);
    out.extend(right);
    out
}

/// Accumulates the digit run starting at `i` into `n`; returns its end.
fn digits_from(s: &[char], i: usize, n: &mut i64) -> usize {
    let mut end = i;
    while let Some(d) = s.get(end).and_then(|c| c.to_digit(10)) {
        *n = n.wrapping_mul(10).wrapping_add(i64::from(d));
        end += 1;
    }
    end
}

/// A struct's JSON fields as a map: YAML writes keys sorted anyway.
fn struct_as_map(fields: Vec<(&'static str, Value)>) -> Value {
    let entries = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Map(crate::engine::value::Map::from_entries(
        crate::engine::value::MapKind::Any,
        entries,
    ))
}
