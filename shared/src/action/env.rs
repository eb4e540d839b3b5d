//! `helm env`: the environment Helm runs with, as `NAME="value"` lines.

use crate::settings::EnvSettings;

/// What `helm env [NAME]` prints: every variable sorted by name, or the
/// value of `name` alone (an empty line for an unknown name, as Helm).
/// `bin` is how the program was invoked (`HELM_BIN`).
pub fn env(settings: &EnvSettings, bin: &str, name: Option<&str>) -> String {
    let vars = settings.env_vars(bin);
    match name {
        Some(name) => {
            let value = vars.get(name).map(String::as_str).unwrap_or_default();
            format!("{value}\n")
        }
        // Helm quotes without escaping: a `"` in a value is printed as is.
        None => vars.iter().map(|(k, v)| format!("{k}=\"{v}\"\n")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn prints_sorted_quoted_lines_or_one_value() {
        let vars = BTreeMap::from([("HOME".to_string(), "/h".to_string())]);
        let settings = EnvSettings::from_env(&vars);
        let all = env(&settings, "helm", None);
        assert!(all.starts_with("HELM_BIN=\"helm\"\nHELM_BURST_LIMIT=\"100\"\n"));
        assert_eq!(
            env(&settings, "helm", Some("HELM_DATA_HOME")),
            "/h/.local/share/helm\n"
        );
        assert_eq!(env(&settings, "helm", Some("NOPE")), "\n");
    }
}
