//! The validator's errors in the words Helm prints: v6's messages, printed
//! through `golang.org/x/text/message` (so numbers are grouped, `10,000.5`,
//! and large or small ones are written `1×10²¹`).

use boon::{CompileError, ErrorKind, ValidationError};
use serde_json::{Number, Value as Json};

use crate::engine::gofmt;

/// A failed validation, without v6's first line (Helm drops it): one line
/// per error, `- at '/path': message`, causes indented under their error.
pub(super) fn validation_error(root: &ValidationError<'_, '_>) -> String {
    tree_lines(root).join("\n")
}

/// The lines under a root error (kind `Schema`), which names the schema
/// every error's location is relative to.
fn tree_lines(root: &ValidationError<'_, '_>) -> Vec<String> {
    let context = with_fragment(schema_url(root));
    let mut lines = Vec::new();
    for cause in &root.causes {
        push_lines(&mut lines, cause, 0, &context, None);
    }
    lines
}

/// A schema that could not be compiled (or a `$ref` that could not be
/// loaded), as v6 words it.
pub(super) fn compile_error(err: &CompileError) -> String {
    match err {
        CompileError::LoadUrlError { url, src } => {
            format!("failing loading {}: {src}", gofmt::quote(url))
        }
        CompileError::JsonPointerNotFound(loc) => {
            format!("json-pointer in {} not found", gofmt::quote(loc))
        }
        CompileError::ValidationError { url, src } => {
            let mut text = format!(
                "{} is not valid against metaschema: jsonschema validation failed with {}",
                gofmt::quote(&with_fragment(url)),
                single_quote(&with_fragment(schema_url(src))),
            );
            for line in tree_lines(src) {
                text.push('\n');
                text.push_str(&line);
            }
            text
        }
        other => format!("{other:#}"),
    }
}

/// The metaschema a schema was checked against.
fn schema_url<'a>(err: &'a ValidationError<'_, '_>) -> &'a str {
    match err.kind {
        ErrorKind::Schema { url } => url,
        _ => err.schema_url,
    }
}

/// v6 names schemas with their (possibly empty) fragment.
fn with_fragment(url: &str) -> String {
    if url.contains('#') {
        url.to_string()
    } else {
        format!("{url}#")
    }
}

/// Adds the lines of `err`, which a keyword of the schema at `context`
/// produced. `combinator` is the keyword (`allOf`…) whose subschemas
/// produced `err` when its parent error already stands for it.
fn push_lines(
    lines: &mut Vec<String>,
    err: &ValidationError<'_, '_>,
    mut depth: usize,
    context: &str,
    combinator: Option<&str>,
) {
    // boon drops an `allOf`/`anyOf`/`oneOf` error that has a single cause
    // and keeps only the cause; v6 keeps both. The cause's schema location
    // tells where such errors were, so they are put back.
    let location = &err.instance_location.tokens;
    for (keyword, consumed) in dropped_combinators(err.schema_url, context, combinator) {
        let at = &location[..location.len().saturating_sub(consumed)];
        lines.push(format!(
            "{}- at {}: '{keyword}' failed",
            "  ".repeat(depth),
            single_quote(&pointer(at))
        ));
        depth += 1;
    }
    let own = err.schema_url;
    match &err.kind {
        // A `$ref` that failed shows only what failed in its target.
        ErrorKind::Reference { url, .. } => {
            let target = with_fragment(url);
            for cause in &err.causes {
                push_lines(lines, cause, depth, &target, None);
            }
            return;
        }
        kind => lines.push(format!(
            "{}- at {}: {}",
            "  ".repeat(depth),
            single_quote(&err.instance_location.to_string()),
            describe(kind)
        )),
    }
    let (child_context, child_combinator) = match err.kind {
        ErrorKind::AllOf => (own.to_string(), Some("allOf")),
        ErrorKind::AnyOf => (own.to_string(), Some("anyOf")),
        ErrorKind::OneOf(_) => (own.to_string(), Some("oneOf")),
        ErrorKind::PropertyName { .. } => (format!("{own}/propertyNames"), None),
        _ => (own.to_string(), None),
    };
    for cause in &err.causes {
        push_lines(lines, cause, depth + 1, &child_context, child_combinator);
    }
}

/// The combinator errors boon left out between the schema at `context` and
/// the one at `url`: each keyword with the number of instance steps taken
/// after it. Empty when the path cannot be followed.
fn dropped_combinators(url: &str, context: &str, combinator: Option<&str>) -> Vec<(String, usize)> {
    let url = with_fragment(url);
    let Some(rest) = url.strip_prefix(context) else {
        return Vec::new();
    };
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    let mut dropped: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let next_is_index = segments
            .get(i + 1)
            .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
        match segments[i] {
            kw @ ("allOf" | "anyOf" | "oneOf") if next_is_index => {
                if i == 0 && combinator == Some(kw) {
                    // The parent error is this combinator's.
                } else {
                    dropped.push((kw.to_string(), 0));
                }
                i += 2;
            }
            "properties" | "patternProperties" | "prefixItems" if i + 1 < segments.len() => {
                step(&mut dropped);
                i += 2;
            }
            "items" => {
                step(&mut dropped);
                i += if next_is_index { 2 } else { 1 };
            }
            "additionalProperties"
            | "additionalItems"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "contains" => {
                step(&mut dropped);
                i += 1;
            }
            "dependentSchemas" | "dependencies" if i + 1 < segments.len() => i += 2,
            "not" | "if" | "then" | "else" => i += 1,
            _ => return Vec::new(),
        }
    }
    dropped
}

/// One instance step deeper: every dropped error before it sits one token
/// higher.
fn step(dropped: &mut [(String, usize)]) {
    for (_, consumed) in dropped.iter_mut() {
        *consumed += 1;
    }
}

/// A JSON pointer from instance tokens.
fn pointer(tokens: &[boon::InstanceToken<'_>]) -> String {
    boon::InstanceLocation {
        tokens: tokens.to_vec(),
    }
    .to_string()
}

/// One error's message, in v6's words.
fn describe(kind: &ErrorKind<'_, '_>) -> String {
    match kind {
        ErrorKind::Group | ErrorKind::Reference { .. } => "validation failed".into(),
        ErrorKind::Schema { url } => {
            format!(
                "validation failed with {}",
                single_quote(&with_fragment(url))
            )
        }
        ErrorKind::ContentSchema => "'contentSchema' failed".into(),
        ErrorKind::PropertyName { prop } => format!("invalid propertyName {}", single_quote(prop)),
        ErrorKind::RefCycle {
            url,
            kw_loc1,
            kw_loc2,
        } => format!(
            "both {kw_loc1} and {kw_loc2} resolve to {} causing reference cycle",
            gofmt::quote(url)
        ),
        ErrorKind::FalseSchema => "false schema".into(),
        ErrorKind::Type { got, want } => {
            let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
            format!("got {got}, want {}", want.join(" or "))
        }
        ErrorKind::Enum { want } => {
            if want.iter().all(is_primitive) {
                match want.as_slice() {
                    [one] => format!("value must be {}", display(one)),
                    _ => {
                        let all: Vec<String> = want.iter().map(display).collect();
                        format!("value must be one of {}", all.join(", "))
                    }
                }
            } else {
                "'enum' failed".into()
            }
        }
        ErrorKind::Const { want } => {
            if is_primitive(want) {
                format!("value must be {}", display(want))
            } else {
                "'const' failed".into()
            }
        }
        ErrorKind::Format { got, want, err } => {
            let err = if *want == "regex" {
                go_regex_error(got).unwrap_or_else(|| err.to_string())
            } else {
                err.to_string()
            };
            format!("{} is not valid {want}: {err}", display(got))
        }
        ErrorKind::MinProperties { got, want } => {
            format!("minProperties: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::MaxProperties { got, want } => {
            format!("maxProperties: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::AdditionalProperties { got } => {
            let props: Vec<String> = got.iter().map(|p| single_quote(p)).collect();
            format!("additional properties {} not allowed", props.join(", "))
        }
        ErrorKind::Required { want } => match want.as_slice() {
            [one] => format!("missing property {}", single_quote(one)),
            _ => {
                let props: Vec<String> = want.iter().map(|p| single_quote(p)).collect();
                format!("missing properties {}", props.join(", "))
            }
        },
        ErrorKind::Dependency { prop, missing }
        | ErrorKind::DependentRequired { prop, missing } => {
            let props: Vec<String> = missing.iter().map(|p| single_quote(p)).collect();
            format!(
                "properties {} required, if {} exists",
                props.join(", "),
                single_quote(prop)
            )
        }
        ErrorKind::MinItems { got, want } => {
            format!("minItems: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::MaxItems { got, want } => {
            format!("maxItems: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::Contains => "no items match contains schema".into(),
        ErrorKind::MinContains { got, want } => {
            if got.is_empty() {
                format!(
                    "min {} items required to match contains schema, but none matched",
                    group(*want)
                )
            } else {
                format!(
                    "min {} items required to match contains schema, but matched {} items at {}",
                    group(*want),
                    group(got.len()),
                    indexes(got)
                )
            }
        }
        ErrorKind::MaxContains { got, want } => format!(
            "max {} items required to match contains schema, but matched {} items at {}",
            group(*want),
            group(got.len()),
            indexes(got)
        ),
        ErrorKind::UniqueItems { got: [i, j] } => format!("items at {i} and {j} are equal"),
        ErrorKind::AdditionalItems { got } => {
            format!("last {} additionalItem(s) not allowed", group(*got))
        }
        ErrorKind::MinLength { got, want } => {
            format!("minLength: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::MaxLength { got, want } => {
            format!("maxLength: got {}, want {}", group(*got), group(*want))
        }
        ErrorKind::Pattern { got, want } => format!(
            "{} does not match pattern {}",
            single_quote(got),
            single_quote(want)
        ),
        ErrorKind::ContentEncoding { want, err } => {
            format!("value is not {} encoded: {err}", single_quote(want))
        }
        ErrorKind::ContentMediaType { want, err, .. } => {
            format!("value if not of mediatype {}: {err}", single_quote(want))
        }
        ErrorKind::Minimum { got, want } => compare("minimum", got, want),
        ErrorKind::Maximum { got, want } => compare("maximum", got, want),
        ErrorKind::ExclusiveMinimum { got, want } => compare("exclusiveMinimum", got, want),
        ErrorKind::ExclusiveMaximum { got, want } => compare("exclusiveMaximum", got, want),
        ErrorKind::MultipleOf { got, want } => compare("multipleOf", got, want),
        ErrorKind::Not => "'not' failed".into(),
        ErrorKind::AllOf => "'allOf' failed".into(),
        ErrorKind::AnyOf => "'anyOf' failed".into(),
        ErrorKind::OneOf(None) => "'oneOf' failed, none matched".into(),
        ErrorKind::OneOf(Some((i, j))) => format!("'oneOf' failed, subschemas {i}, {j} matched"),
    }
}

fn compare(keyword: &str, got: &Number, want: &Number) -> String {
    format!(
        "{keyword}: got {}, want {}",
        localized_float(got.as_f64().unwrap_or(f64::NAN)),
        localized_float(want.as_f64().unwrap_or(f64::NAN))
    )
}

/// Go's `Error` of a pattern that `regexp` rejects: the `regex` format
/// names Go's reason, not the validator's.
fn go_regex_error(got: &Json) -> Option<String> {
    let Json::String(pattern) = got else {
        return None;
    };
    crate::engine::funcs::regex::compile(pattern).err()
}

fn is_primitive(v: &Json) -> bool {
    !matches!(v, Json::Array(_) | Json::Object(_))
}

/// A schema value in a message: strings quoted, numbers as written, null as
/// Go's `<nil>`.
fn display(v: &Json) -> String {
    match v {
        Json::String(s) => single_quote(s),
        Json::Array(_) | Json::Object(_) => "value".into(),
        Json::Null => "<nil>".into(),
        Json::Bool(b) => b.to_string(),
        // Schema numbers keep their literal text (serde_json's
        // `arbitrary_precision`), as v6's `json.Number`s do.
        Json::Number(n) => n.to_string(),
    }
}

/// v6's quoting: Go's `%q` with `"` left bare and `'` escaped, in single
/// quotes.
fn single_quote(s: &str) -> String {
    let quoted = gofmt::quote(s);
    let inner = &quoted[1..quoted.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// Item indexes as Go prints an `[]int` without its brackets.
fn indexes(list: &[usize]) -> String {
    let all: Vec<String> = list.iter().map(usize::to_string).collect();
    all.join(" ")
}

/// An integer with thousands separators, as the English printer writes it.
fn group(n: usize) -> String {
    group_digits(&n.to_string())
}

fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A float64 as `golang.org/x/text/message` prints it with `%v`: Go's
/// shortest `%g` choice between plain and scientific notation, plain numbers
/// grouped by thousands, scientific ones as `1.5×10⁻⁰⁷`.
fn localized_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sign = if x.is_sign_negative() && x != 0.0 {
        "-"
    } else {
        ""
    };
    if x == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest digits that read back to `x`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let nd = digits.len() as i32;
    let dp = exp + 1;
    // strconv's rule for %g with the shortest precision.
    let mut eprec = 6;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        let mut out = format!("{sign}{}", &digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str("×10");
        if exp < 0 {
            out.push('⁻');
        }
        for c in format!("{:02}", exp.unsigned_abs()).chars() {
            out.push(superscript(c));
        }
        return out;
    }
    let (int_part, frac_part) = if dp <= 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat(dp.unsigned_abs() as usize)),
        )
    } else if dp >= nd {
        (
            format!("{digits}{}", "0".repeat((dp - nd) as usize)),
            String::new(),
        )
    } else {
        (
            digits[..dp as usize].to_string(),
            digits[dp as usize..].to_string(),
        )
    };
    let mut out = format!("{sign}{}", group_digits(&int_part));
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(&frac_part);
    }
    out
}

fn superscript(digit: char) -> char {
    match digit {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_the_english_printer_prints_them() {
        // Each pair seen from Helm 4.3.1.
        for (x, want) in [
            (10000.5, "10,000.5"),
            (1000.0, "1,000"),
            (-1000.0, "-1,000"),
            (100000.0, "100,000"),
            (999999.5, "999,999.5"),
            (1234.56789, "1,234.56789"),
            (12.000001, "12.000001"),
            (0.0001, "0.0001"),
            (0.000123456, "0.000123456"),
            (1e6, "1×10⁰⁶"),
            (1e20, "1×10²⁰"),
            (1e21, "1×10²¹"),
            (1e-5, "1×10⁻⁰⁵"),
            (1e-7, "1×10⁻⁰⁷"),
            (123456789.5, "1.234567895×10⁰⁸"),
            (-1234567.25, "-1.23456725×10⁰⁶"),
            (-1.7e308, "-1.7×10³⁰⁸"),
            (1.5e300, "1.5×10³⁰⁰"),
            (3.0, "3"),
            (0.0, "0"),
        ] {
            assert_eq!(localized_float(x), want, "{x}");
        }
    }

    #[test]
    fn dropped_combinators_are_found_from_schema_locations() {
        let root = "file:///values.schema.json#";
        let at = |url: &str, combinator| dropped_combinators(url, root, combinator);
        assert_eq!(
            at("file:///values.schema.json#/properties/a/allOf/0", None),
            [("allOf".to_string(), 0)]
        );
        assert_eq!(
            at("file:///values.schema.json#/allOf/1/properties/a", None),
            [("allOf".to_string(), 1)]
        );
        assert!(at("file:///values.schema.json#/anyOf/0", Some("anyOf")).is_empty());
        assert!(at("file:///values.schema.json#/properties/a", None).is_empty());
        assert!(at("file:///elsewhere.json#/allOf/0", None).is_empty());
    }

    #[test]
    fn quoting_follows_v6() {
        assert_eq!(single_quote("a\"b'c\n"), "'a\"b\\'c\\n'");
        assert_eq!(single_quote(""), "''");
    }

    #[test]
    fn schema_values_display_as_go_prints_them() {
        // Exponents are the exception: serde_json writes `1e3` as `1e+3`.
        let literals: Json = serde_json::from_str("[1000, 1.50, 12345678901234567890123]").unwrap();
        let shown: Vec<String> = literals.as_array().unwrap().iter().map(display).collect();
        assert_eq!(shown, ["1000", "1.50", "12345678901234567890123"]);
        assert_eq!(display(&Json::Null), "<nil>");
        assert_eq!(display(&serde_json::json!("s")), "'s'");
    }
}
