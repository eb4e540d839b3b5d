//! What `kubectl helm` records as a chart's source
//! ([`super::SOURCE_ANNOTATION`]), so the plugin's `policy check` and the
//! webhook match `spec.sources` against the same text.

use std::path::Path;

/// The source of the chart the user named as `reference`: a URL (`https://…`,
/// `oci://…`) as given; a chart on disk as its absolute path, so a policy's
/// patterns (`/srv/charts/*`) do not depend on the directory the command ran
/// in; a `repo/chart` reference as given.
pub fn chart_source(reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_string();
    }
    let path = Path::new(reference);
    if path.exists() {
        // `absolute` does not touch the file system beyond the working
        // directory, and keeps symlinks as the user named them.
        if let Ok(absolute) = std::path::absolute(path) {
            return absolute.to_string_lossy().into_owned();
        }
    }
    reference.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_repository_references_are_kept() {
        for reference in [
            "oci://registry.example.com/charts/web",
            "https://charts.example.com/web-1.0.0.tgz",
            "stable/web",
        ] {
            assert_eq!(chart_source(reference), reference);
        }
    }

    #[test]
    fn local_charts_are_absolute_paths() {
        // Tests run in the package's directory.
        let dir = env!("CARGO_MANIFEST_DIR");
        assert_eq!(chart_source(dir), dir);
        assert_eq!(chart_source("src"), format!("{dir}/src"));
        assert_eq!(chart_source("./src"), format!("{dir}/src"));
    }
}
