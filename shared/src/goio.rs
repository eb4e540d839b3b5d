//! File system paths and I/O errors in the shape Go's standard library
//! gives them, for messages that must read as Helm's.

use std::io;

use crate::engine::funcs::paths::clean;

/// Go's `filepath.Join(dir, name)`: the two joined by one slash, then
/// cleaned (`.` segments, doubled slashes and `dir/..` pairs go; `..` at
/// the root stays at the root).
pub fn join(dir: &str, name: &str) -> String {
    // Join skips empty elements.
    if dir.is_empty() {
        clean(name)
    } else {
        clean(&format!("{dir}/{name}"))
    }
}

/// Go's `filepath.Abs`: `path` joined to the working directory unless
/// absolute, then cleaned (no symbolic link is resolved).
pub fn abs(path: &std::path::Path) -> String {
    let path = path.to_string_lossy();
    if path.starts_with('/') {
        return clean(&path);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    join(&cwd.to_string_lossy(), &path)
}

/// The text Go gives an I/O error (`no such file or directory` where Rust
/// says `No such file or directory (os error 2)`).
pub fn error_text(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::NotADirectory => "not a directory".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_as_go_does() {
        for (dir, name, want) in [
            ("nonexist", "Chart.yaml", "nonexist/Chart.yaml"),
            (".", "Chart.yaml", "Chart.yaml"),
            ("/tmp/x/", "Chart.yaml", "/tmp/x/Chart.yaml"),
            ("a/../b", "Chart.yaml", "b/Chart.yaml"),
            ("./out", "x.tgz", "out/x.tgz"),
            ("../o/", "x.tgz", "../o/x.tgz"),
            ("/a/b/..", "x.tgz", "/a/x.tgz"),
            ("/..", "x", "/x"),
            ("", "x", "x"),
            ("a", "..", "."),
        ] {
            assert_eq!(join(dir, name), want, "{dir:?} + {name:?}");
        }
    }
}
