//! `matchConditions`: CEL expressions over `object`, `oldObject` and
//! `request`, evaluated with the `cel` crate. (`authorizer` is not
//! offered: this cluster has no authorizer, so an expression naming it
//! fails to evaluate.)

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::config::MatchCondition;

/// JSON nested deeper than this is cut off (as `null`) when handed to CEL;
/// the API server's own decoder stops far earlier on real objects.
const MAX_DEPTH: usize = 64;

/// The longest expression accepted, in bytes. Our bound, not the API
/// server's: it keeps parsing and evaluation within [`CEL_STACK_BYTES`].
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// The stack CEL runs on. The `cel` crate's parser and evaluator recurse
/// deeply (tens of KiB per nesting level in a debug build: a 2 MiB tokio
/// worker overflows at 30 nested parentheses), so every expression runs on
/// a thread of its own with room for the longest one allowed.
const CEL_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Why an expression could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CompileError(String);

/// Checks that `expression` parses; errors carry the parser's message.
pub fn check(expression: &str) -> Result<(), CompileError> {
    let expression = expression.to_owned();
    on_cel_stack(move || {
        cel::Program::compile(&expression)
            .map(drop)
            .map_err(|e| CompileError(e.to_string()))
    })
    .unwrap_or_else(|| Err(CompileError("the parser failed".to_owned())))
}

/// Runs `work` on a thread with [`CEL_STACK_BYTES`] of stack and waits for
/// it (a few milliseconds); `None` if the thread could not start or
/// panicked.
fn on_cel_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    std::thread::Builder::new()
        .name("cel".to_owned())
        .stack_size(CEL_STACK_BYTES)
        .spawn(work)
        .ok()?
        .join()
        .ok()
}

/// What all the conditions of one webhook say about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// All are true (or there are none): call the webhook.
    Call,
    /// One is false: skip the webhook, whatever the others say.
    Skip,
    /// None is false but some failed to evaluate; the messages, in order.
    Errors(Vec<String>),
}

/// Evaluates every condition against the variables; a false one wins over
/// errors, as in kube-apiserver.
pub fn evaluate(
    conditions: &[MatchCondition],
    object: &Value,
    old_object: &Value,
    request: &Value,
) -> Outcome {
    if conditions.is_empty() {
        return Outcome::Call;
    }
    let expressions: Vec<String> = conditions.iter().map(|c| c.expression.clone()).collect();
    let variables = [
        ("object", to_cel(object, 0)),
        ("oldObject", to_cel(old_object, 0)),
        ("request", to_cel(request, 0)),
    ];
    on_cel_stack(move || evaluate_all(&expressions, variables)).unwrap_or_else(|| {
        Outcome::Errors(vec!["match conditions could not be evaluated".to_owned()])
    })
}

fn evaluate_all(expressions: &[String], variables: [(&str, cel::Value); 3]) -> Outcome {
    let mut context = cel::Context::default();
    for (name, value) in variables {
        context.add_variable_from_value(name, value);
    }
    let mut errors = Vec::new();
    for expression in expressions {
        let result = cel::Program::compile(expression)
            .map_err(|e| e.to_string())
            .and_then(|program| program.execute(&context).map_err(|e| describe(&e)));
        match result {
            Ok(cel::Value::Bool(false)) => return Outcome::Skip,
            Ok(cel::Value::Bool(true)) => {}
            Ok(other) => errors.push(format!(
                "expression '{expression}' resulted in error: no such overload: {:?} is not a bool",
                other.type_of()
            )),
            Err(message) => errors.push(format!(
                "expression '{expression}' resulted in error: {message}"
            )),
        }
    }
    if errors.is_empty() {
        Outcome::Call
    } else {
        Outcome::Errors(errors)
    }
}

/// An evaluation error in cel-go's words where they differ.
fn describe(error: &cel::ExecutionError) -> String {
    match error {
        cel::ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        other => other.to_string(),
    }
}

/// JSON as CEL sees it: integers as `int` (or `uint` past `i64`), other
/// numbers as `double`, objects as maps with string keys.
fn to_cel(value: &Value, depth: usize) -> cel::Value {
    if depth > MAX_DEPTH {
        return cel::Value::Null;
    }
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => cel::Value::Int(i),
            (None, Some(u), _) => cel::Value::UInt(u),
            (None, None, Some(f)) => cel::Value::Float(f),
            (None, None, None) => cel::Value::Null,
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(items) => cel::Value::List(Arc::new(
            items.iter().map(|v| to_cel(v, depth + 1)).collect(),
        )),
        Value::Object(map) => {
            let entries: HashMap<String, cel::Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), to_cel(v, depth + 1)))
                .collect();
            cel::Value::from(entries)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn condition(expression: &str) -> MatchCondition {
        MatchCondition {
            name: "c".into(),
            expression: expression.into(),
        }
    }

    #[test]
    fn conditions_see_the_objects_and_the_request() {
        let object =
            json!({"metadata": {"name": "web", "labels": {"tier": "front"}}, "data": {"n": 3}});
        let request = json!({"operation": "CREATE", "userInfo": {"username": "admin"}});
        let run = |exprs: &[&str]| {
            let conditions: Vec<_> = exprs.iter().map(|e| condition(e)).collect();
            evaluate(&conditions, &object, &Value::Null, &request)
        };
        assert_eq!(
            run(&[
                "object.metadata.name == 'web'",
                "request.operation == 'CREATE'",
                "oldObject == null",
                "object.data.n > 2",
                "has(object.metadata.labels) && object.metadata.labels.tier == 'front'",
            ]),
            Outcome::Call
        );
        assert_eq!(
            run(&["request.userInfo.username != 'admin'"]),
            Outcome::Skip
        );
        // A false condition wins over one that fails.
        assert_eq!(run(&["object.nope.x == 1", "false"]), Outcome::Skip);
        let Outcome::Errors(errors) = run(&["object.nope.x == 1", "'not a bool'"]) else {
            panic!("errors expected");
        };
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0],
            "expression 'object.nope.x == 1' resulted in error: no such key: nope"
        );
        assert!(
            matches!(run(&["authorizer.group('') != null"]), Outcome::Errors(_)),
            "no authorizer"
        );
    }

    #[test]
    fn deeply_nested_expressions_neither_overflow_nor_crash() {
        // Within the length bound: the deepest nestings parse or fail
        // cleanly on the CEL stack.
        let parens = format!("{}true{}", "(".repeat(2000), ")".repeat(2000));
        assert!(check(&parens).is_err());
        let chain = format!("1{} > 0", " + 1".repeat(1000));
        assert!(chain.len() <= MAX_EXPRESSION_BYTES);
        check(&chain).expect("parses");
        assert_eq!(
            evaluate(
                &[condition(&chain)],
                &Value::Null,
                &Value::Null,
                &Value::Null
            ),
            Outcome::Call
        );
    }

    #[test]
    fn deep_json_is_cut_off_not_overflowing() {
        let mut deep = json!(1);
        for _ in 0..500 {
            deep = json!([deep]);
        }
        assert_eq!(
            evaluate(&[condition("true")], &deep, &Value::Null, &Value::Null),
            Outcome::Call
        );
    }
}
