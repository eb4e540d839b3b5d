//! Go's `fmt`: how values print (`%v`, `print`, `printf`, `println`).
//!
//! PROVISIONAL: the fmt helper replaces these bodies with Go's full rules;
//! the signatures are the contract other modules use.

use super::value::Value;

/// `fmt.Sprint(args...)`: operands joined, with a space between two operands
/// when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && a.as_str().is_none() && args[i - 1].as_str().is_none() {
            out.push(' ');
        }
        out.push_str(&format_value(a));
    }
    out
}

/// `fmt.Sprintln(args...)`: operands always space-separated, newline added.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(format_value).collect();
    parts.join(" ") + "\n"
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}

/// `%v` of one value, as Go prints it (`map[a:1]`, `[a b]`, `<nil>`).
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i, _) => i.to_string(),
        Value::Uint(u, _) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => format!("{b:?}"),
        Value::List(l) => {
            let parts: Vec<String> = l.items.iter().map(format_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", format_value(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Object(o) => o.format(),
    }
}
