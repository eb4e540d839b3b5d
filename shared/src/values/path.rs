//! Looking up dotted paths in values, as Helm's `Values.Table` and
//! `Values.PathValue` do.

use crate::engine::Value;
use crate::engine::gofmt::quote;
use crate::engine::value::Map;

/// Why a path does not lead to a value; Helm's wording.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    #[error("{} is not a table", quote(.0))]
    NoTable(String),
    #[error("{} is not a value", quote(.0))]
    NoValue(String),
}

/// The table at a dotted path (`a.b.c`).
pub fn table(values: &Map, path: &str) -> Result<Map, PathError> {
    let mut current = values.clone();
    for part in path.split('.') {
        match current.get(part) {
            Some(Value::Map(m)) => current = m,
            _ => return Err(PathError::NoTable(part.to_string())),
        }
    }
    Ok(current)
}

/// The value (not a table) at a dotted path.
pub fn path_value(values: &Map, path: &str) -> Result<Value, PathError> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (
            table(values, parent).map_err(|_| PathError::NoValue(key.to_string()))?,
            key,
        ),
        None => (values.clone(), path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => Err(PathError::NoValue(key.to_string())),
        Some(v) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::value::MapKind;
    use crate::values::{Typing, parse_into};

    #[test]
    fn tables_and_values_by_path() {
        let m = Map::new(MapKind::Any);
        parse_into("a.b.c=1,a.n=null,x=2", &m, Typing::Guess).unwrap();
        assert!(table(&m, "a.b").is_ok());
        assert_eq!(
            table(&m, "a.c").err().unwrap().to_string(),
            "\"c\" is not a table"
        );
        assert_eq!(
            table(&m, "x").err().unwrap().to_string(),
            "\"x\" is not a table"
        );
        assert!(matches!(
            path_value(&m, "a.b.c"),
            Ok(Value::Int(..)) | Ok(Value::Float(_))
        ));
        assert!(path_value(&m, "a.n").unwrap().is_nil());
        assert!(path_value(&m, "a.b").is_err());
        assert!(path_value(&m, "x").is_ok());
        assert!(path_value(&m, "a").is_err());
    }
}
