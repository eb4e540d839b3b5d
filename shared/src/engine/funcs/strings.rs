//! Sprig's string functions, with the behaviour of the Go libraries behind
//! them: `strings`, `Masterminds/goutils` (`abbrev`, `wrap`, `initials`,
//! `nospace`, `swapcase`, `untitle`) and `huandu/xstrings` v1.5.0
//! (`snakecase`, `camelcase`, `kebabcase`, `shuffle`).
//!
//! Several of these work on bytes, not characters, in Go (`substr`,
//! `trunc`, `abbrev`, `wrapWith`, `initials`, `nospace`). They are byte
//! based here too; where Go would produce a broken UTF-8 sequence, we can
//! only produce U+FFFD.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};

use unicode_general_category::{GeneralCategory, get_general_category};

use super::{Env, FuncMap, add, add_variadic};
use crate::engine::cast::{strslice, strval, to_int64};
use crate::engine::gofmt::{format_value, quote};
use crate::engine::value::{Map, MapKind, Ty, Value};

/// The longest string `repeat`, `indent` and friends build. Go's limit is
/// memory; past this a template is broken, not useful.
const MAX_OUTPUT: usize = 1 << 28;

pub(super) fn register(map: &mut FuncMap) {
    use Ty::{Any, Int, String as Str};
    add(map, "hello", &[], |_, _| Ok(Value::str("Hello!")));
    add(map, "abbrev", &[Int, Str], abbrev);
    add(map, "abbrevboth", &[Int, Int, Str], abbrevboth);
    add(map, "trunc", &[Int, Str], trunc);
    add(map, "trim", &[Str], |_, a| {
        Ok(text(go_trim_space(s(&a[0]))))
    });
    add(map, "upper", &[Str], |_, a| {
        Ok(text(map_runes(s(&a[0]), to_upper)))
    });
    add(map, "lower", &[Str], |_, a| {
        Ok(text(map_runes(s(&a[0]), to_lower)))
    });
    add(map, "title", &[Str], |_, a| Ok(text(title(s(&a[0])))));
    add(map, "untitle", &[Str], |_, a| Ok(text(untitle(s(&a[0])))));
    add(map, "substr", &[Int, Int, Str], substr);
    add(map, "repeat", &[Int, Str], repeat);
    add(map, "trimall", &[Str, Str], trim_all);
    add(map, "trimAll", &[Str, Str], trim_all);
    add(map, "trimSuffix", &[Str, Str], |_, a| {
        let (suffix, x) = (s(&a[0]), s(&a[1]));
        Ok(text(x.strip_suffix(suffix).unwrap_or(x)))
    });
    add(map, "trimPrefix", &[Str, Str], |_, a| {
        let (prefix, x) = (s(&a[0]), s(&a[1]));
        Ok(text(x.strip_prefix(prefix).unwrap_or(x)))
    });
    add(map, "nospace", &[Str], |_, a| {
        Ok(text(delete_white_space(s(&a[0]))))
    });
    add(map, "initials", &[Str], |_, a| Ok(text(initials(s(&a[0])))));
    add(map, "swapcase", &[Str], |_, a| {
        Ok(text(swap_case(s(&a[0]))))
    });
    add(map, "shuffle", &[Str], |_, a| Ok(text(shuffle(s(&a[0])))));
    add(map, "snakecase", &[Str], |_, a| {
        Ok(text(to_lower_words(s(&a[0]), '_')))
    });
    add(map, "kebabcase", &[Str], |_, a| {
        Ok(text(to_lower_words(s(&a[0]), '-')))
    });
    add(map, "camelcase", &[Str], |_, a| {
        Ok(text(to_pascal_case(s(&a[0]))))
    });
    add(map, "wrap", &[Int, Str], |_, a| {
        Ok(text(wrap_custom(s(&a[1]), to_int64(&a[0]), "\n", false)))
    });
    add(map, "wrapWith", &[Int, Str, Str], |_, a| {
        Ok(text(wrap_custom(s(&a[2]), to_int64(&a[0]), s(&a[1]), true)))
    });
    add(map, "contains", &[Str, Str], |_, a| {
        Ok(s(&a[1]).contains(s(&a[0])).into())
    });
    add(map, "hasPrefix", &[Str, Str], |_, a| {
        Ok(s(&a[1]).starts_with(s(&a[0])).into())
    });
    add(map, "hasSuffix", &[Str, Str], |_, a| {
        Ok(s(&a[1]).ends_with(s(&a[0])).into())
    });
    add_variadic(map, "quote", &[], Any, quote_all);
    add_variadic(map, "squote", &[], Any, squote_all);
    add_variadic(map, "cat", &[], Any, cat);
    add(map, "indent", &[Int, Str], indent);
    add(map, "nindent", &[Int, Str], nindent);
    add(map, "replace", &[Str, Str, Str], |_, a| {
        Ok(text(s(&a[2]).replace(s(&a[0]), s(&a[1]))))
    });
    add(map, "plural", &[Str, Str, Int], |_, a| {
        let one = to_int64(&a[2]) == 1;
        Ok(a[if one { 0 } else { 1 }].clone())
    });
    add(map, "toString", &[Any], |_, a| Ok(text(strval(&a[0]))));
    add(map, "toStrings", &[Any], |_, a| {
        Ok(Value::strings(strslice(&a[0])))
    });
    add(map, "join", &[Str, Any], |_, a| {
        Ok(text(strslice(&a[1]).join(s(&a[0]))))
    });
    add(map, "sortAlpha", &[Any], sort_alpha);
    add(map, "split", &[Str, Str], |_, a| {
        Ok(index_map(go_split(s(&a[1]), s(&a[0]), -1)))
    });
    add(map, "splitn", &[Str, Int, Str], |_, a| {
        Ok(index_map(go_split(s(&a[2]), s(&a[0]), to_int64(&a[1]))))
    });
    add(map, "splitList", &[Str, Str], |_, a| {
        Ok(Value::strings(go_split(s(&a[1]), s(&a[0]), -1)))
    });
}

/// A string argument (the executor has checked the declared type).
fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn text(s: impl Into<String>) -> Value {
    Value::str(s.into())
}

/// Bytes cut from a string, as text: a cut through a character becomes
/// U+FFFD (Go would keep the raw bytes).
fn bytes_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Go's `strings.Repeat`, with its errors.
fn go_repeat(s: &str, count: i64) -> Result<String, String> {
    let count = usize::try_from(count).map_err(|_| "strings: negative Repeat count")?;
    // Go's limit is the largest int, not the largest usize.
    match s
        .len()
        .checked_mul(count)
        .filter(|&n| n <= i64::MAX as usize)
    {
        None => Err("strings: Repeat output length overflow".into()),
        Some(n) if n > MAX_OUTPUT => Err(format!("repeat: output longer than {MAX_OUTPUT} bytes")),
        Some(_) => Ok(s.repeat(count)),
    }
}

fn repeat(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    go_repeat(s(&args[1]), to_int64(&args[0])).map(text)
}

fn indent_text(spaces: i64, v: &str) -> Result<String, String> {
    let pad = go_repeat(" ", spaces)?;
    if v.matches('\n').count().saturating_mul(pad.len()) > MAX_OUTPUT {
        return Err(format!("indent: output longer than {MAX_OUTPUT} bytes"));
    }
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

fn indent(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    indent_text(to_int64(&args[0]), s(&args[1])).map(text)
}

fn nindent(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    indent_text(to_int64(&args[0]), s(&args[1])).map(|t| text(format!("\n{t}")))
}

fn trim_all(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (cutset, x) = (s(&args[0]), s(&args[1]));
    Ok(text(x.trim_matches(|c| cutset.contains(c))))
}

/// Go's `strings.TrimSpace` (Unicode white space, as Rust's `trim`).
fn go_trim_space(s: &str) -> &str {
    s.trim()
}

/// Sprig's `trunc`: the first `c` bytes, or for a negative `c` the last.
fn trunc(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (c, x) = (to_int64(&args[0]), s(&args[1]).as_bytes());
    let len = x.len() as i64;
    let cut = if c < 0 && len + c > 0 {
        &x[(len + c) as usize..]
    } else if c >= 0 && len > c {
        &x[..c as usize]
    } else {
        x
    };
    Ok(text(bytes_text(cut)))
}

/// Sprig's `substr start end s`, byte based, with Go's slice panics.
fn substr(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (start, end, x) = (
        to_int64(&args[0]),
        to_int64(&args[1]),
        s(&args[2]).as_bytes(),
    );
    let len = x.len() as i64;
    let out_of_range =
        |what: String| Err(format!("runtime error: slice bounds out of range {what}"));
    if start < 0 {
        if end < 0 {
            return out_of_range(format!("[:{end}]"));
        }
        if end > len {
            return out_of_range(format!("[:{end}] with length {len}"));
        }
        return Ok(text(bytes_text(&x[..end as usize])));
    }
    if end < 0 || end > len {
        if start > len {
            return out_of_range(format!("[{start}:{len}]"));
        }
        return Ok(text(bytes_text(&x[start as usize..])));
    }
    if start > end {
        return out_of_range(format!("[{start}:{end}]"));
    }
    Ok(text(bytes_text(&x[start as usize..end as usize])))
}

fn abbrev(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (width, x) = (to_int64(&args[0]), s(&args[1]));
    if width < 4 {
        return Ok(text(x));
    }
    Ok(text(abbreviate_full(x.as_bytes(), 0, width)))
}

fn abbrevboth(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (left, right, x) = (to_int64(&args[0]), to_int64(&args[1]), s(&args[2]));
    if right < 4 || (left > 0 && right < 7) {
        return Ok(text(x));
    }
    Ok(text(abbreviate_full(x.as_bytes(), left, right)))
}

/// goutils' `AbbreviateFull`: at most `max_width` bytes with "..." marking
/// what was cut, keeping the byte at `offset` in view. (The widths that make
/// goutils fail are filtered out by the callers.)
fn abbreviate_full(x: &[u8], offset: i64, max_width: i64) -> String {
    let len = x.len() as i64;
    if x.is_empty() || max_width < 4 {
        return String::new();
    }
    if len <= max_width {
        return bytes_text(x);
    }
    let keep = max_width - 3;
    let mut offset = offset.min(len);
    if len - offset < keep {
        offset = len - keep;
    }
    if offset <= 4 {
        return bytes_text(&x[..keep as usize]) + "...";
    }
    if max_width < 7 {
        return String::new();
    }
    if offset + keep < len {
        return "...".to_string() + &abbreviate_full(&x[offset as usize..], 0, keep);
    }
    "...".to_string() + &bytes_text(&x[(len - keep) as usize..])
}

/// goutils' `DeleteWhiteSpace`, which reads the string byte by byte: bytes
/// that are white space as Latin-1 characters are dropped, and when any
/// byte is dropped the others are re-encoded as Latin-1 characters.
fn delete_white_space(x: &str) -> String {
    let bytes = x.as_bytes();
    let kept: Vec<char> = bytes
        .iter()
        .map(|&b| char::from(b))
        .filter(|c| !c.is_whitespace())
        .collect();
    if kept.len() == bytes.len() {
        return x.to_string();
    }
    kept.into_iter().collect()
}

/// goutils' `Initials`: the first byte of each white-space separated word
/// (bytes read as Latin-1 characters, as goutils does).
fn initials(x: &str) -> String {
    let mut out = String::new();
    let mut after_gap = true;
    for c in x.bytes().map(char::from) {
        if c.is_whitespace() {
            after_gap = true;
        } else if after_gap {
            out.push(c);
            after_gap = false;
        }
    }
    out
}

/// goutils' `WrapCustom`: breaks lines at spaces before `width` bytes;
/// words longer than that stay whole unless `wrap_long_words`.
fn wrap_custom(x: &str, width: i64, newline: &str, wrap_long_words: bool) -> String {
    if x.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let bytes = x.as_bytes();
    let len = bytes.len();
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width * newline.len());
    let mut offset = 0;
    while len - offset > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        let window = &bytes[offset..offset + width + 1];
        if let Some(space) = window.iter().rposition(|&b| b == b' ') {
            out.extend_from_slice(&bytes[offset..offset + space]);
            out.extend_from_slice(newline.as_bytes());
            offset += space + 1;
        } else if wrap_long_words {
            out.extend_from_slice(&bytes[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = offset + width;
            match bytes[end..].iter().position(|&b| b == b' ') {
                Some(space) => {
                    out.extend_from_slice(&bytes[offset..end + space]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + space + 1;
                }
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = len;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset..]);
    bytes_text(&out)
}

/// Sprig's `quote`: each non-nil argument as text, Go-quoted.
fn quote_all(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(|a| quote(&strval(a)))
        .collect();
    Ok(text(parts.join(" ")))
}

/// Sprig's `squote`: each non-nil argument as `%v` in single quotes.
fn squote_all(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(|a| format!("'{}'", format_value(a)))
        .collect();
    Ok(text(parts.join(" ")))
}

/// Sprig's `cat`: the non-nil arguments as `%v`, space separated.
fn cat(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let parts: Vec<String> = args
        .iter()
        .filter(|a| !a.is_nil())
        .map(format_value)
        .collect();
    Ok(text(parts.join(" ")))
}

/// Sprig's `sortAlpha`: a slice's items as sorted strings; anything else as
/// a one-item list.
fn sort_alpha(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let mut items = match &args[0] {
        Value::List(_) | Value::Bytes(_) => strslice(&args[0]),
        other => vec![strval(other)],
    };
    items.sort();
    Ok(Value::strings(items))
}

/// Go's `strings.SplitN` (`n < 0`: all parts; `0`: none); an empty
/// separator splits after each character.
fn go_split(x: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    if sep.is_empty() {
        let mut parts: Vec<String> = Vec::new();
        for (i, c) in x.char_indices() {
            if parts.len() + 1 == limit {
                parts.push(x[i..].to_string());
                return parts;
            }
            parts.push(c.to_string());
        }
        return parts;
    }
    x.splitn(limit, sep).map(str::to_string).collect()
}

/// Sprig's `split` result: a `map[string]string` keyed `_0`, `_1`, …
fn index_map(parts: Vec<String>) -> Value {
    let entries: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::str(p)))
        .collect();
    Value::Map(Map::from_entries(MapKind::String, entries))
}

/// xstrings' `Shuffle`: the characters in random order.
fn shuffle(x: &str) -> String {
    let mut chars: Vec<char> = x.chars().collect();
    let mut state = RandomState::new().hash_one(x.len()) | 1;
    for i in (1..chars.len()).rev() {
        // xorshift64: only unpredictability matters here.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

fn map_runes(x: &str, f: fn(char) -> char) -> String {
    x.chars().map(f).collect()
}

fn category(c: char) -> GeneralCategory {
    get_general_category(c)
}

/// Go's `unicode.IsUpper` (category Lu).
fn is_upper(c: char) -> bool {
    category(c) == GeneralCategory::UppercaseLetter
}

/// Go's `unicode.IsLower` (category Ll).
fn is_lower(c: char) -> bool {
    category(c) == GeneralCategory::LowercaseLetter
}

/// Go's `unicode.IsTitle` (category Lt).
fn is_title(c: char) -> bool {
    category(c) == GeneralCategory::TitlecaseLetter
}

/// Go's `unicode.IsLetter` (categories L*).
fn is_letter(c: char) -> bool {
    use GeneralCategory as G;
    matches!(
        category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// Go's `unicode.IsPunct` (categories P*).
fn is_punct(c: char) -> bool {
    use GeneralCategory as G;
    matches!(
        category(c),
        G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
    )
}

/// Go's `unicode.ToUpper`: the simple (one character) mapping.
pub(crate) fn to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        // Greek letters with iota subscript map to their title forms.
        _ => match c as u32 {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(c as u32 + 8).unwrap_or(c)
            }
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower`: the simple (one character) mapping.
pub(crate) fn to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.ToTitle`: the upper case, except for the digraphs that
/// have a title form and Georgian letters, whose title form is themselves.
pub(crate) fn to_title(c: char) -> char {
    match c as u32 {
        0x01C4..=0x01C6 => '\u{01C5}',
        0x01C7..=0x01C9 => '\u{01C8}',
        0x01CA..=0x01CC => '\u{01CB}',
        0x01F1..=0x01F3 => '\u{01F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => to_upper(c),
    }
}

/// Go's (deprecated) `strings.Title`: the first letter of each word in
/// title case, words being separated by anything but letters, digits and
/// `_`.
fn title(x: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if is_letter(c) || category(c) == GeneralCategory::DecimalNumber {
            return false;
        }
        c.is_whitespace()
    };
    let mut prev = ' ';
    x.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils' `Uncapitalize`: the first letter of each white-space separated
/// word in lower case.
fn untitle(x: &str) -> String {
    let mut at_start = true;
    x.chars()
        .map(|c| {
            if c.is_whitespace() {
                at_start = true;
                c
            } else if at_start {
                at_start = false;
                to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils' `SwapCase`: upper and title case to lower; lower case to title
/// case at the start of a word, else to upper.
fn swap_case(x: &str) -> String {
    let mut after_space = true;
    x.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                after_space = false;
                to_lower(c)
            } else if is_lower(c) {
                if after_space {
                    after_space = false;
                    to_title(c)
                } else {
                    to_upper(c)
                }
            } else {
                after_space = c.is_whitespace();
                c
            }
        })
        .collect()
}

/// xstrings' connectors: `-`, `_` and white space.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `isAlphabet`: a letter, but not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    !matches!(c as u32, 0x4E00..=0x9FCC | 0x3400..=0x4D85 | 0x20000..=0x2B81D)
}

/// xstrings v1.5.0 `ToCamelCase` as Sprig's `camelcase` gets it: words
/// split at connectors, each capitalized (runs of capitals lowered after the
/// first), connectors dropped except doubled, leading or trailing ones.
fn to_pascal_case(x: &str) -> String {
    let mut chars = x.chars();
    let mut out = String::with_capacity(x.len());
    let mut first_upper = false;
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = Some(to_upper(c));
            break;
        }
        out.push(c);
        r0 = Some(c);
    }
    let Some(mut r0) = r0 else {
        return out;
    };
    let rest = chars.as_str();
    if rest.is_empty() {
        // xstrings writes the last rune once more here, even a connector.
        out.push(r0);
        return out;
    }
    for c in rest.chars() {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// The kinds of words xstrings splits text into for snake and kebab case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    /// No word: the text is used up.
    None,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextWord`: the kind and text of the word at the start of `x`,
/// and what follows it.
fn next_word(x: &str) -> (Word, &str, &str) {
    let Some(first) = x.chars().next() else {
        return (Word::None, "", "");
    };
    let run = |pred: &dyn Fn(char) -> bool| -> usize {
        x.char_indices()
            .skip(1)
            .find(|&(_, c)| !pred(c))
            .map_or(x.len(), |(i, _)| i)
    };
    let (kind, end) = if is_connector(first) {
        (Word::Connector, run(&is_connector))
    } else if is_punct(first) {
        (Word::Punct, run(&is_punct))
    } else if is_upper(first) {
        (Word::Upper, upper_word_end(x, first))
    } else if is_alphabet(first) {
        (Word::Alphabet, run(&|c| is_alphabet(c) && !is_upper(c)))
    } else if first.is_numeric() {
        (Word::Number, run(&char::is_numeric))
    } else {
        let other = |c: char| !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c));
        (Word::Other, run(&other))
    };
    (kind, &x[..end], &x[end..])
}

/// Where a word starting with the capital `first` ends: `Word`, `HTTP`, or
/// the `HTTP` of `HTTPServer` (the capital before a lower-case letter starts
/// the next word).
fn upper_word_end(x: &str, first: char) -> usize {
    let mut end = first.len_utf8();
    let mut rest = x[end..].chars();
    let Some(second) = rest.next() else {
        return end;
    };
    if is_upper(second) {
        let mut last_size = second.len_utf8();
        end += last_size;
        for c in rest {
            if !is_upper(c) {
                if is_alphabet(c) {
                    end -= last_size;
                }
                return end;
            }
            last_size = c.len_utf8();
            end += last_size;
        }
        end
    } else if is_alphabet(second) {
        end += second.len_utf8();
        for c in rest {
            if !is_alphabet(c) || is_upper(c) {
                break;
            }
            end += c.len_utf8();
        }
        end
    } else {
        end
    }
}

/// xstrings' `toLower` of one word: capitals and connectors of upper-case
/// and connector words are lowered and replaced; other words stay.
fn push_lowered(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.push(to_lower(c));
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (`ToSnakeCase`, `ToKebabCase`): words
/// lowered and joined with `connector`; numbers stick to the word before
/// them unless lower-case letters follow (`Bld4Floor` → `bld4_floor`,
/// `HTTP2xx` → `http_2xx`).
fn to_lower_words(x: &str, connector: char) -> String {
    let mut out = String::with_capacity(x.len() + x.len() / 4);
    let (mut kind, mut word, mut rest) = next_word(x);
    let ends_word = |k: Word| !matches!(k, Word::None | Word::Connector | Word::Punct);
    while !rest.is_empty() {
        if kind != Word::Connector {
            push_lowered(&mut out, kind, word, connector);
        }
        let (prev, last) = (kind, word);
        (kind, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while matches!(kind, Word::Alphabet | Word::Number) {
                    push_lowered(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if ends_word(kind) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lowered(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word, rest) = next_word(rest);
                if kind != Word::Alphabet {
                    push_lowered(&mut out, Word::Number, number, connector);
                    if kind != Word::Connector && kind != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lowered(&mut out, Word::Number, number, connector);
                while matches!(kind, Word::Alphabet | Word::Number) {
                    push_lowered(&mut out, kind, word, connector);
                    (kind, word, rest) = next_word(rest);
                }
                if ends_word(kind) {
                    out.push(connector);
                }
            }
        }
    }
    push_lowered(&mut out, kind, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::call;
    use crate::engine::gofmt::sprintf;
    use crate::engine::gofmt::test_operands::cases;

    /// Calls of the string, math, default and reflection functions, each
    /// printed with `%#v` by the reference Helm.
    #[test]
    fn functions_match_go() {
        let mut failures = Vec::new();
        for case in cases(include_str!("../testdata/funcs.jsonl")) {
            let got = match call(&case.head, case.args) {
                Ok(v) => sprintf("%#v", &[v]),
                Err(e) => format!("error: {e}"),
            };
            if got != case.want {
                failures.push(format!(
                    "{} {}: got {got:?}, want {:?}",
                    case.head, case.raw_args, case.want
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
