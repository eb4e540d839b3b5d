//! Sprig's regex functions over Go's RE2 `regexp`, implemented with the
//! `regex` crate (also RE2-style: linear time, leftmost-first).
//!
//! Go and Rust regexes differ in a few places that matter to templates, so a
//! pattern is first rewritten ([`translate`]): Go's `\d \w \s \b` are ASCII
//! (Rust's are Unicode), Go has `\Q…\E`, and Go reads a `{` that starts no
//! valid repetition as a literal. Matching loops (`FindAll`, `ReplaceAll`,
//! `Split`) and `$` expansion follow Go's rules for empty matches and names
//! (`$1x` is the group named `1x`), so they are written out here.
//!
//! Known differences from Helm: Go accepts duplicate group names (Rust does
//! not); error texts for rarer syntax errors come from the `regex` crate
//! after Go's `error parsing regexp: ` prefix.

use regex::{Captures, Regex, RegexBuilder};
use regex_syntax::ast::ErrorKind as AstKind;
use regex_syntax::hir::ErrorKind as HirKind;

use super::{Env, FuncMap, add};
use crate::engine::gofmt;
use crate::engine::value::{ListElem, Ty, Value};

/// Compiled-program size limit: Go bounds patterns by its own limits; this
/// keeps a hostile pattern from using unbounded memory.
const SIZE_LIMIT: usize = 16 << 20;

/// Go's largest repeat count in `{n,m}`.
const MAX_REPEAT: u32 = 1000;

pub(super) fn register(map: &mut FuncMap) {
    let two = &[Ty::String, Ty::String];
    let three = &[Ty::String, Ty::String, Ty::String];
    let find_all = &[Ty::String, Ty::String, Ty::Int];
    add(map, "regexMatch", two, regex_match);
    add(map, "mustRegexMatch", two, must_regex_match);
    add(map, "regexFind", two, |_, a| regex_find(a, panic_style));
    add(map, "mustRegexFind", two, |_, a| regex_find(a, plain));
    add(map, "regexFindAll", find_all, |_, a| {
        regex_find_all(a, panic_style)
    });
    add(map, "mustRegexFindAll", find_all, |_, a| {
        regex_find_all(a, plain)
    });
    add(map, "regexReplaceAll", three, |_, a| {
        replace_all(a, panic_style, false)
    });
    add(map, "mustRegexReplaceAll", three, |_, a| {
        replace_all(a, plain, false)
    });
    add(map, "regexReplaceAllLiteral", three, |_, a| {
        replace_all(a, panic_style, true)
    });
    add(map, "mustRegexReplaceAllLiteral", three, |_, a| {
        replace_all(a, plain, true)
    });
    add(map, "regexSplit", find_all, |_, a| {
        regex_split(a, panic_style)
    });
    add(map, "mustRegexSplit", find_all, |_, a| {
        regex_split(a, plain)
    });
    add(map, "regexQuoteMeta", &[Ty::String], quote_meta);
}

/// How a compile error reaches the template: `must*` functions return Go's
/// error; the others call `regexp.MustCompile`, whose panic names the
/// pattern.
type ErrorStyle = fn(&str, String) -> String;

fn plain(_: &str, err: String) -> String {
    err
}

fn panic_style(pattern: &str, err: String) -> String {
    format!("regexp: Compile({}): {err}", go_quote(pattern))
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or_default()
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        _ => -1,
    }
}

fn compile_with(pattern: &str, style: ErrorStyle) -> Result<Regex, String> {
    compile(pattern).map_err(|e| style(pattern, e))
}

fn regex_match(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let matched = compile(str_arg(&args, 0)).is_ok_and(|re| re.is_match(str_arg(&args, 1)));
    Ok(Value::Bool(matched))
}

fn must_regex_match(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let re = compile(str_arg(&args, 0))?;
    Ok(Value::Bool(re.is_match(str_arg(&args, 1))))
}

fn regex_find(args: Vec<Value>, style: ErrorStyle) -> Result<Value, String> {
    let re = compile_with(str_arg(&args, 0), style)?;
    let found = re.find(str_arg(&args, 1)).map_or("", |m| m.as_str());
    Ok(Value::from(found))
}

fn regex_find_all(args: Vec<Value>, style: ErrorStyle) -> Result<Value, String> {
    let re = compile_with(str_arg(&args, 0), style)?;
    let s = str_arg(&args, 1);
    let found = find_all(&re, s, int_arg(&args, 2));
    // Go returns a nil slice when nothing matches.
    if found.is_empty() {
        return Ok(Value::nil_list(ListElem::String));
    }
    Ok(Value::strings(found.into_iter().map(|(a, b)| &s[a..b])))
}

fn replace_all(args: Vec<Value>, style: ErrorStyle, literal: bool) -> Result<Value, String> {
    let re = compile_with(str_arg(&args, 0), style)?;
    let (s, template) = (str_arg(&args, 1), str_arg(&args, 2));
    let replaced = go_replace_all(&re, s, |out, caps| {
        if literal {
            out.push_str(template);
        } else {
            expand(out, template, caps, &re);
        }
    });
    Ok(Value::from(replaced))
}

fn regex_split(args: Vec<Value>, style: ErrorStyle) -> Result<Value, String> {
    let pattern = str_arg(&args, 0);
    let re = compile_with(pattern, style)?;
    let n = int_arg(&args, 2);
    // Go's Split with n == 0 returns a nil slice.
    if n == 0 {
        return Ok(Value::nil_list(ListElem::String));
    }
    let parts = split(&re, pattern, str_arg(&args, 1), n);
    Ok(Value::strings(parts))
}

fn quote_meta(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let s = str_arg(&args, 0);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::from(out))
}

/// Compiles a Go pattern, or returns Go's `error parsing regexp: …`.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern).map_err(|e| e.to_string())?;
    RegexBuilder::new(&translated)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|err| match err {
            regex::Error::CompiledTooBig(_) => GoError::new("expression too large", "").to_string(),
            _ => describe_syntax_error(pattern, &translated),
        })
}

/// A Go `regexp/syntax` error: a code and the offending text.
struct GoError {
    code: &'static str,
    expr: String,
}

impl GoError {
    fn new(code: &'static str, expr: impl Into<String>) -> GoError {
        GoError {
            code,
            expr: expr.into(),
        }
    }
}

impl std::fmt::Display for GoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

/// Go's error for a pattern the `regex` crate rejected, named after what
/// `regex-syntax` found wrong.
fn describe_syntax_error(original: &str, translated: &str) -> String {
    let err = match regex_syntax::Parser::new().parse(translated) {
        Ok(_) => return format!("error parsing regexp: invalid pattern: `{original}`"),
        Err(err) => err,
    };
    let text = |start: usize, end: usize| translated.get(start..end).unwrap_or_default().to_owned();
    let go = match &err {
        regex_syntax::Error::Parse(e) => {
            let span = e.span();
            let (start, end) = (span.start.offset, span.end.offset);
            match e.kind() {
                AstKind::ClassUnclosed => {
                    GoError::new("missing closing ]", text(start, translated.len()))
                }
                AstKind::GroupUnclosed => GoError::new("missing closing )", original),
                AstKind::GroupUnopened => GoError::new("unexpected )", original),
                AstKind::RepetitionMissing => repetition_error(translated, start, end),
                AstKind::EscapeUnexpectedEof => {
                    GoError::new("trailing backslash at end of expression", "")
                }
                AstKind::EscapeUnrecognized
                | AstKind::ClassEscapeInvalid
                | AstKind::UnsupportedBackreference => {
                    GoError::new("invalid escape sequence", text(start, end))
                }
                AstKind::UnicodeClassInvalid => GoError::new(
                    "invalid character class range",
                    unicode_class_text(translated, start),
                ),
                AstKind::ClassRangeInvalid | AstKind::ClassRangeLiteral => {
                    GoError::new("invalid character class range", text(start, end))
                }
                AstKind::RepetitionCountInvalid
                | AstKind::RepetitionCountUnclosed
                | AstKind::RepetitionCountDecimalEmpty => {
                    GoError::new("invalid repeat count", text(start, end))
                }
                AstKind::GroupNameEmpty
                | AstKind::GroupNameInvalid
                | AstKind::GroupNameUnexpectedEof
                | AstKind::GroupNameDuplicate { .. } => {
                    let open = translated
                        .get(..start)
                        .and_then(|h| h.rfind("(?"))
                        .unwrap_or(start);
                    let tail = translated.get(end..).unwrap_or_default();
                    let close = tail.find('>').map_or(end, |i| end + i + 1);
                    GoError::new("invalid named capture", text(open, close))
                }
                AstKind::FlagUnrecognized
                | AstKind::FlagUnexpectedEof
                | AstKind::FlagDanglingNegation
                | AstKind::UnsupportedLookAround => {
                    // The group opener may start at the span itself.
                    let open = translated
                        .get(..(start + 2).min(translated.len()))
                        .and_then(|head| head.rfind("(?"))
                        .unwrap_or(start);
                    GoError::new(
                        "invalid or unsupported Perl syntax",
                        text(open, end.max(start + 1)),
                    )
                }
                AstKind::NestLimitExceeded(_) => {
                    GoError::new("expression nests too deeply", original)
                }
                _ => return format!("error parsing regexp: {}", e.kind()),
            }
        }
        regex_syntax::Error::Translate(e) => match e.kind() {
            HirKind::UnicodePropertyNotFound | HirKind::UnicodePropertyValueNotFound => {
                let snippet = unicode_class_text(translated, e.span().start.offset);
                GoError::new("invalid character class range", snippet)
            }
            other => return format!("error parsing regexp: {other}"),
        },
        other => return format!("error parsing regexp: {other}"),
    };
    go.to_string()
}

/// The `\pX` or `\p{Name}` class starting at `start`, as Go quotes it.
fn unicode_class_text(pattern: &str, start: usize) -> String {
    let rest = pattern.get(start..).unwrap_or_default();
    let len = match rest.get(2..).and_then(|r| r.strip_prefix('{')) {
        Some(braced) => braced.find('}').map_or(rest.len(), |i| i + 4),
        None => rest.char_indices().nth(3).map_or(rest.len(), |(i, _)| i),
    };
    rest[..len].to_owned()
}

/// A repetition operator with nothing to repeat: Go names the operator, or
/// both operators when one repetition follows another (`a**`).
fn repetition_error(pattern: &str, start: usize, end: usize) -> GoError {
    let op = pattern.get(start..end.max(start + 1)).unwrap_or_default();
    let before = pattern.get(..start).and_then(|p| p.chars().last());
    match before {
        Some(prev @ ('*' | '+' | '?')) => {
            GoError::new("invalid nested repetition operator", format!("{prev}{op}"))
        }
        _ => GoError::new("missing argument to repetition operator", op),
    }
}

/// Rewrites Go regexp syntax into the `regex` crate's, with Go's meaning.
fn translate(pattern: &str) -> Result<String, GoError> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    let mut in_class = false;
    // Where the previous token, if it was a repetition operator, began, and
    // whether it already took its non-greedy `?`.
    let mut last_repeat: Option<(usize, bool)> = None;
    while let Some(c) = rest.chars().next() {
        let pos = pattern.len() - rest.len();
        rest = &rest[c.len_utf8()..];
        let repeat_len = match c {
            '*' | '+' | '?' if !in_class => Some(1),
            '{' if !in_class => repeat_count(rest).map(|(len, _, _)| len + 1),
            _ => None,
        };
        match (repeat_len, last_repeat) {
            (Some(_), Some((start, false))) if c == '?' => {
                last_repeat = Some((start, true));
                out.push('?');
                continue;
            }
            (Some(len), Some((start, _))) => {
                let shown = &pattern[start..pos + len];
                return Err(GoError::new("invalid nested repetition operator", shown));
            }
            (Some(_), None) => last_repeat = Some((pos, false)),
            (None, _) => last_repeat = None,
        }
        match c {
            '\\' => {
                let Some(e) = rest.chars().next() else {
                    out.push('\\');
                    break;
                };
                rest = &rest[e.len_utf8()..];
                if e == 'Q' {
                    let (quoted, after) = rest.split_once("\\E").unwrap_or((rest, ""));
                    let escaped = regex_syntax::escape(quoted);
                    if in_class {
                        out.push_str(&escaped);
                    } else {
                        out.push_str("(?:");
                        out.push_str(&escaped);
                        out.push(')');
                    }
                    rest = after;
                } else if matches!(e, 'p' | 'P' | 'x') && rest.starts_with('{') {
                    // `\p{Greek}`, `\x{263a}`: the braces belong to the escape.
                    let len = rest.find('}').map_or(rest.len(), |i| i + 1);
                    out.push('\\');
                    out.push(e);
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                } else {
                    out.push_str(&ascii_escape(e, in_class));
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `]` (after an optional `^`) is a literal in both.
                for lead in ['^', ']'] {
                    if let Some(r) = rest.strip_prefix(lead) {
                        out.push_str(if lead == ']' { "\\]" } else { "^" });
                        rest = r;
                    }
                }
            }
            '[' if rest.starts_with(':') => {
                let end = rest.find(":]").map(|i| i + 2);
                let Some(end) = end else {
                    out.push_str("\\[");
                    continue;
                };
                let name = &rest[1..end - 2];
                if !is_posix_class(name.trim_start_matches('^')) {
                    let shown = format!("[{}", &rest[..end]);
                    return Err(GoError::new("invalid character class range", shown));
                }
                out.push('[');
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            '[' => out.push_str("\\["),
            // Rust reads `&&` and `~~` in a class as set operations; Go reads
            // them as characters.
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '{' if !in_class => match repeat_count(rest) {
                Some((len, min, max)) => {
                    if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                        return Err(GoError::new(
                            "invalid repeat count",
                            format!("{{{}", &rest[..len]),
                        ));
                    }
                    out.push('{');
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                None => out.push_str("\\{"),
            },
            '(' if !in_class && rest.starts_with('?') => {
                check_perl_flags(&rest[1..])?;
                out.push('(');
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Go's escapes with ASCII meaning, spelled for the `regex` crate.
fn ascii_escape(e: char, in_class: bool) -> String {
    let (ranges, negated) = match e {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        's' => (r"\t\n\x0C\r ", false),
        'S' => (r"\t\n\x0C\r ", true),
        'b' | 'B' if !in_class => return format!("(?-u:\\{e})"),
        other => return format!("\\{other}"),
    };
    match (in_class, negated) {
        (true, false) => ranges.to_owned(),
        (_, true) => format!("[^{ranges}]"),
        (false, false) => format!("[{ranges}]"),
    }
}

fn is_posix_class(name: &str) -> bool {
    matches!(
        name,
        "alnum"
            | "alpha"
            | "ascii"
            | "blank"
            | "cntrl"
            | "digit"
            | "graph"
            | "lower"
            | "print"
            | "punct"
            | "space"
            | "upper"
            | "word"
            | "xdigit"
    )
}

/// Parses Go's `n}`, `n,}` or `n,m}` after a `{`: the length consumed and
/// the bounds, or `None` when the `{` is a literal.
fn repeat_count(s: &str) -> Option<(usize, u32, Option<u32>)> {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(s);
    if n == 0 {
        return None;
    }
    // Out-of-range numbers are invalid counts in Go, as is anything > 1000.
    let parse = |t: &str| t.parse::<u32>().unwrap_or(u32::MAX);
    let min = parse(&s[..n]);
    let after = &s[n..];
    if after.starts_with('}') {
        return Some((n + 1, min, Some(min)));
    }
    let after = after.strip_prefix(',')?;
    if after.starts_with('}') {
        return Some((n + 2, min, None));
    }
    let m = digits(after);
    if m == 0 || !after[m..].starts_with('}') {
        return None;
    }
    Some((n + 1 + m + 1, min, Some(parse(&after[..m]))))
}

/// Go accepts only the flags `imsU` (and `-`) in `(?flags)` and
/// `(?flags:…)`, plus named groups; anything else is "unsupported Perl
/// syntax" (lookarounds included).
fn check_perl_flags(after_question: &str) -> Result<(), GoError> {
    if after_question.starts_with("P<") || after_question.starts_with('<') {
        return Ok(());
    }
    for (i, c) in after_question.char_indices() {
        match c {
            ':' | ')' => return Ok(()),
            'i' | 'm' | 's' | 'U' | '-' => {}
            _ => {
                let shown = format!("(?{}", &after_question[..i + c.len_utf8()]);
                return Err(GoError::new("invalid or unsupported Perl syntax", shown));
            }
        }
    }
    Err(GoError::new(
        "missing closing )",
        format!("(?{after_question}"),
    ))
}

/// Go's `FindAll…Index`: successive non-overlapping matches, at most `n`
/// (all when negative); an empty match right after a match is skipped.
fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    let mut found = Vec::new();
    let mut pos = 0;
    let mut prev_end = None;
    while found.len() < limit && pos <= s.len() {
        let Some(m) = re.find_at(s, pos) else { break };
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            found.push((m.start(), m.end()));
        }
    }
    found
}

/// Go's `ReplaceAll` loop; `replace` appends one match's replacement.
fn go_replace_all(re: &Regex, s: &str, mut replace: impl FnMut(&mut String, &Captures)) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= s.len() {
        let Some(caps) = re.captures_at(s, search) else {
            break;
        };
        let whole = caps.get(0).map_or(search..search, |m| m.range());
        out.push_str(&s[last_end..whole.start]);
        if whole.end > last_end || whole.start == 0 {
            replace(&mut out, &caps);
        }
        last_end = whole.end;
        let width = s[search..].chars().next().map_or(0, char::len_utf8);
        search = if search + width > whole.end {
            search + width
        } else if search + 1 > whole.end {
            search + 1
        } else {
            whole.end
        };
    }
    out.push_str(&s[last_end..]);
    out
}

/// Go's `Regexp.Expand`: `$name`/`${name}` take the longest run of letters,
/// digits and `_`; all-digit names without a leading zero are group numbers;
/// `$$` is a `$`; a malformed reference leaves the `$` as text.
fn expand(out: &mut String, template: &str, caps: &Captures, re: &Regex) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let Some((name, after)) = reference_name(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(n) => caps.get(n),
            None => re
                .capture_names()
                .position(|n| n == Some(name))
                .and_then(|i| caps.get(i)),
        };
        if let Some(m) = group {
            out.push_str(m.as_str());
        }
    }
    out.push_str(rest);
}

/// The name after a `$` and the text after the reference.
fn reference_name(s: &str) -> Option<(&str, &str)> {
    let (braced, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at(len);
    if braced {
        after.strip_prefix('}').map(|a| (name, a))
    } else {
        Some((name, after))
    }
}

/// A reference that names a group by number (ASCII digits, no leading zero,
/// below Go's 1e8 cut-off).
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    name.parse::<usize>().ok().filter(|&n| n < 100_000_000)
}

/// Go's `Regexp.Split`.
fn split<'a>(re: &Regex, pattern: &str, s: &'a str, n: i64) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && s.is_empty() {
        return vec![""];
    }
    let mut parts = Vec::new();
    let (mut begin, mut end) = (0, 0);
    for (start, stop) in find_all(re, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            parts.push(&s[begin..end]);
        }
        begin = stop;
    }
    if end != s.len() {
        parts.push(&s[begin..]);
    }
    parts
}

/// Go's `strconv.Quote`-or-backquote choice in `MustCompile`'s panic.
fn go_quote(s: &str) -> String {
    let can_backquote = !s
        .chars()
        .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'));
    if can_backquote {
        return format!("`{s}`");
    }
    gofmt::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    fn run(name: &str, args: Vec<Value>) -> String {
        match call(name, args) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("ERR {e}"),
        }
    }

    #[test]
    fn classes_are_ascii_like_go() {
        assert_eq!(run("regexMatch", vec![s(r"^\d+$"), s("١٢")]), "false");
        assert_eq!(run("regexMatch", vec![s(r"^\w+$"), s("é")]), "false");
        assert_eq!(run("regexMatch", vec![s(r"\bé"), s(" é")]), "false");
        assert_eq!(run("regexMatch", vec![s(r"^[\d\s]+$"), s("1 2")]), "true");
        assert_eq!(run("regexMatch", vec![s(r"^\pL+$"), s("éß")]), "true");
        assert_eq!(run("regexMatch", vec![s(r"\Qa.b\E"), s("axb")]), "false");
        assert_eq!(run("regexMatch", vec![s("a{"), s("a{")]), "true");
    }

    #[test]
    fn errors_are_worded_like_go() {
        let cases = [
            ("[", "missing closing ]: `[`"),
            ("(a", "missing closing ): `(a`"),
            ("a)", "unexpected ): `a)`"),
            ("*a", "missing argument to repetition operator: `*`"),
            (r"\q", r"invalid escape sequence: `\q`"),
            ("[z-a]", "invalid character class range: `z-a`"),
            ("a\\", "trailing backslash at end of expression: ``"),
            ("a{1001}", "invalid repeat count: `{1001}`"),
            ("a{2,1}", "invalid repeat count: `{2,1}`"),
            ("a**", "invalid nested repetition operator: `**`"),
            ("(?z)a", "invalid or unsupported Perl syntax: `(?z`"),
            ("a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
            (r"(a)\1", r"invalid escape sequence: `\1`"),
            ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
            ("(?P<>a)", "invalid named capture: `(?P<>`"),
            (r"\p{Foo}", r"invalid character class range: `\p{Foo}`"),
            (r"a\Z", r"invalid escape sequence: `\Z`"),
        ];
        for (pattern, want) in cases {
            let got = run("mustRegexMatch", vec![s(pattern), s("abc")]);
            assert_eq!(
                got,
                format!("ERR error parsing regexp: {want}"),
                "pattern {pattern}"
            );
        }
        assert_eq!(
            run("regexFind", vec![s("`["), s("a")]),
            "ERR regexp: Compile(\"`[\"): error parsing regexp: missing closing ]: `[`"
        );
        assert_eq!(run("regexMatch", vec![s("["), s("a")]), "false");
    }

    #[test]
    fn find_all_and_split_follow_go_empty_match_rules() {
        let all = |p: &str, t: &str, n: i64| run("regexFindAll", vec![s(p), s(t), Value::int(n)]);
        assert_eq!(all("a*", "baaab", -1), r#"["", "aaa", ""]"#);
        assert_eq!(all("x*", "日本", -1), r#"["", "", ""]"#);
        assert_eq!(all("[0-9]+", "a1b22c333", 2), r#"["1", "22"]"#);
        assert_eq!(all("a", "aaa", 0), "[]");
        let split = |p: &str, t: &str, n: i64| run("regexSplit", vec![s(p), s(t), Value::int(n)]);
        assert_eq!(split("a", "banana", -1), r#"["b", "n", "n", ""]"#);
        assert_eq!(split("a", "banana", 2), r#"["b", "nana"]"#);
        assert_eq!(split("", "abc", -1), r#"["a", "b", "c"]"#);
        assert_eq!(split("x*", "axbc", -1), r#"["a", "b", "c"]"#);
        assert_eq!(split("a", "", -1), r#"[""]"#);
        assert_eq!(split("", "", -1), "[]");
        assert_eq!(split(",", ",a,,b,", -1), r#"["", "a", "", "b", ""]"#);
    }

    #[test]
    fn replace_expands_like_go() {
        let rep = |p: &str, t: &str, r: &str| run("regexReplaceAll", vec![s(p), s(t), s(r)]);
        assert_eq!(rep("a(x*)b", "-ab-axxb-", "${1}W"), r#""-W-xxW-""#);
        assert_eq!(rep("a(x*)b", "-ab-axxb-", "$1W"), r#""---""#);
        assert_eq!(rep("a(x*)b", "-ab-axxb-", "$$1"), r#""-$1-$1-""#);
        assert_eq!(rep("a(x*)b", "-axb-", "${1"), r#""-${1-""#);
        assert_eq!(rep("a(x*)b", "-axb-", "$!"), r#""-$!-""#);
        assert_eq!(rep("(a)(b)", "ab", "$2$1$0$3"), r#""baab""#);
        assert_eq!(rep("(a)", "a", "${01}"), r#""""#);
        assert_eq!(
            rep(r"(?P<f>\w+) (?P<l>\w+)", "John Smith", "${l}, $f"),
            r#""Smith, John""#
        );
        assert_eq!(rep("a*", "baaac", "-"), r#""-b-c-""#);
        assert_eq!(rep("x*", "日本", "-"), r#""-日-本-""#);
        let lit = run("regexReplaceAllLiteral", vec![s("a*"), s("baaac"), s("$")]);
        assert_eq!(lit, r#""$b$c$""#);
    }

    #[test]
    fn odd_patterns_never_panic() {
        let patterns = [
            "",
            "(",
            "[",
            "\\",
            "{",
            "}",
            "{1",
            "a{1,",
            "(?",
            "(?P<",
            "[[:",
            "[\\",
            "\\Q",
            "\\p{",
            "\\x{",
            "é*",
            "(?é)",
            "[é-a]",
            "a{99999999999}",
            "(?P<é>x)",
            "[]",
            "[^]",
            "é{2}{3}",
            "(?i",
            "(?:",
            "a|*",
            "\\Qé",
            "((((((((((a))))))))))",
        ];
        for p in patterns {
            let _ = compile(p);
            let _ = run("regexReplaceAll", vec![s(p), s("aé日"), s("$1${x}$")]);
            let _ = run("regexSplit", vec![s(p), s("aé日"), Value::int(-1)]);
        }
    }

    #[test]
    fn quote_meta_escapes_go_specials() {
        assert_eq!(
            run("regexQuoteMeta", vec![s(r"1.2+[x](y)*?{}^$|\")]),
            r#""1\\.2\\+\\[x\\]\\(y\\)\\*\\?\\{\\}\\^\\$\\|\\\\""#
        );
    }
}
