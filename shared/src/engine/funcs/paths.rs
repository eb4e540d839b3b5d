//! Sprig's path functions: `base`, `dir`, `clean`, `ext`, `isAbs` (Go's
//! `path`) and their `os*` twins (Go's `path/filepath`, which on Linux
//! behaves the same: `/` separates, no volume names).

use super::{FuncMap, add};
use crate::engine::value::{Ty, Value};

pub(super) fn register(map: &mut FuncMap) {
    for name in ["base", "osBase"] {
        add(map, name, &[Ty::String], |_, a| {
            Ok(Value::from(base(path_arg(&a))))
        });
    }
    for name in ["dir", "osDir"] {
        add(map, name, &[Ty::String], |_, a| {
            Ok(Value::from(dir(path_arg(&a))))
        });
    }
    for name in ["clean", "osClean"] {
        add(map, name, &[Ty::String], |_, a| {
            Ok(Value::from(clean(path_arg(&a))))
        });
    }
    for name in ["ext", "osExt"] {
        add(map, name, &[Ty::String], |_, a| {
            Ok(Value::from(ext(path_arg(&a))))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        add(map, name, &[Ty::String], |_, a| {
            Ok(Value::Bool(path_arg(&a).starts_with('/')))
        });
    }
}

fn path_arg(args: &[Value]) -> &str {
    args.first().and_then(Value::as_str).unwrap_or_default()
}

/// Go's `path.Base`: the last element, trailing slashes ignored.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// Go's `path.Dir`: everything up to the last slash, cleaned.
fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// Go's `path.Ext`: the suffix from the last dot of the last element.
fn ext(path: &str) -> &str {
    let last = &path[path.rfind('/').map_or(0, |i| i + 1)..];
    last.rfind('.').map_or("", |i| &last[i..])
}

/// Go's `path.Clean`: the shortest lexically equal path.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expectations from Helm 4.3.1.
    #[test]
    fn like_go_path() {
        let bases = [
            ("/a/b/c.txt", "c.txt"),
            ("", "."),
            ("/", "/"),
            ("a/b/", "b"),
            ("//", "/"),
            ("a\\b", "a\\b"),
        ];
        for (input, want) in bases {
            assert_eq!(base(input), want, "base {input}");
        }
        let dirs = [
            ("/a/b/c.txt", "/a/b"),
            ("", "."),
            ("/", "/"),
            ("a/b/", "a/b"),
            ("c", "."),
            ("a//b", "a"),
        ];
        for (input, want) in dirs {
            assert_eq!(dir(input), want, "dir {input}");
        }
        let cleans = [
            ("a/../../b", "../b"),
            ("", "."),
            ("/../a/./b//c/", "/a/b/c"),
            ("./", "."),
            ("a/..", "."),
            ("//a", "/a"),
        ];
        for (input, want) in cleans {
            assert_eq!(clean(input), want, "clean {input}");
        }
        let exts = [
            ("a/b.tar.gz", ".gz"),
            ("a.b/c", ""),
            ("noext", ""),
            (".hidden", ".hidden"),
            ("x.", "."),
        ];
        for (input, want) in exts {
            assert_eq!(ext(input), want, "ext {input}");
        }
    }
}
