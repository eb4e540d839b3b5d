//! Helm's environment: where it keeps its files and how it reaches the
//! cluster, from `HELM_*` variables, the XDG base directories and the
//! global flags (Helm's `cli.EnvSettings`).
//!
//! Settings are built from an [`Environment`] (the process's variables, or
//! a map in tests) and then overridden by flags, as Helm binds its flags
//! with the environment's values as defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::codec::yaml;
use crate::engine::Value;

/// Helm's defaults for the numeric settings.
const DEFAULT_MAX_HISTORY: i64 = 10;
const DEFAULT_BURST_LIMIT: i64 = 100;
const DEFAULT_QPS: f32 = 0.0;

/// Where environment variables come from.
pub trait Environment {
    /// The variable's value, `None` when it is not set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The variables of this process.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Helm's three base directories, resolved as its `helmpath` package does:
/// `HELM_*_HOME`, else `$XDG_*_HOME/helm`, else the XDG default under `$HOME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmPaths {
    pub cache_home: PathBuf,
    pub config_home: PathBuf,
    pub data_home: PathBuf,
}

impl HelmPaths {
    fn from_env(env: &dyn Environment) -> HelmPaths {
        let home = PathBuf::from(env.var("HOME").unwrap_or_default());
        let base = |helm_var: &str, xdg_var: &str, default: &[&str]| -> PathBuf {
            if let Some(dir) = non_empty(env.var(helm_var)) {
                return PathBuf::from(dir);
            }
            let xdg = match non_empty(env.var(xdg_var)) {
                Some(dir) => PathBuf::from(dir),
                None => default.iter().fold(home.clone(), |p, part| p.join(part)),
            };
            xdg.join("helm")
        };
        HelmPaths {
            cache_home: base("HELM_CACHE_HOME", "XDG_CACHE_HOME", &[".cache"]),
            config_home: base("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", &[".config"]),
            data_home: base("HELM_DATA_HOME", "XDG_DATA_HOME", &[".local", "share"]),
        }
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// Everything the global flags and `HELM_*` variables configure.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvSettings {
    pub paths: HelmPaths,
    /// `--namespace`/`HELM_NAMESPACE`; empty means "from the kubeconfig".
    pub namespace: String,
    /// `--kubeconfig` (the flag only: `KUBECONFIG` is read when needed).
    pub kube_config: String,
    pub kube_context: String,
    pub kube_token: String,
    pub kube_as_user: String,
    pub kube_as_groups: Vec<String>,
    pub kube_api_server: String,
    pub kube_ca_file: String,
    pub kube_tls_server_name: String,
    pub kube_insecure_skip_tls_verify: bool,
    pub debug: bool,
    pub registry_config: String,
    pub repository_config: String,
    pub repository_cache: String,
    pub content_cache: String,
    pub plugins_directory: String,
    pub max_history: i64,
    pub burst_limit: i64,
    pub qps: f32,
    /// `KUBECONFIG`, consulted for the namespace of the current context.
    kubeconfig_env: Option<String>,
    home: String,
}

impl EnvSettings {
    /// The settings as the environment alone makes them.
    pub fn from_env(env: &dyn Environment) -> EnvSettings {
        let paths = HelmPaths::from_env(env);
        let text = |name: &str| env.var(name).unwrap_or_default();
        let or_path = |name: &str, default: PathBuf| {
            env.var(name)
                .unwrap_or_else(|| default.to_string_lossy().into_owned())
        };
        EnvSettings {
            namespace: text("HELM_NAMESPACE"),
            kube_config: String::new(),
            kube_context: text("HELM_KUBECONTEXT"),
            kube_token: text("HELM_KUBETOKEN"),
            kube_as_user: text("HELM_KUBEASUSER"),
            kube_as_groups: csv(&text("HELM_KUBEASGROUPS")),
            kube_api_server: text("HELM_KUBEAPISERVER"),
            kube_ca_file: text("HELM_KUBECAFILE"),
            kube_tls_server_name: text("HELM_KUBETLS_SERVER_NAME"),
            kube_insecure_skip_tls_verify: env
                .var("HELM_KUBEINSECURE_SKIP_TLS_VERIFY")
                .and_then(|v| parse_go_bool(&v))
                .unwrap_or(false),
            debug: parse_go_bool(&text("HELM_DEBUG")).unwrap_or(false),
            registry_config: or_path(
                "HELM_REGISTRY_CONFIG",
                paths.config_home.join("registry/config.json"),
            ),
            repository_config: or_path(
                "HELM_REPOSITORY_CONFIG",
                paths.config_home.join("repositories.yaml"),
            ),
            repository_cache: or_path("HELM_REPOSITORY_CACHE", paths.cache_home.join("repository")),
            content_cache: or_path("HELM_CONTENT_CACHE", paths.cache_home.join("content")),
            plugins_directory: or_path("HELM_PLUGINS", paths.data_home.join("plugins")),
            max_history: env_int(env, "HELM_MAX_HISTORY", DEFAULT_MAX_HISTORY),
            burst_limit: env_int(env, "HELM_BURST_LIMIT", DEFAULT_BURST_LIMIT),
            qps: env
                .var("HELM_QPS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_QPS),
            kubeconfig_env: non_empty(env.var("KUBECONFIG")),
            home: text("HOME"),
            paths,
        }
    }

    /// The namespace a command acts in: the flag or `HELM_NAMESPACE`, else
    /// the namespace of the kubeconfig's current context, else `default`.
    pub fn namespace(&self) -> String {
        if !self.namespace.is_empty() {
            return self.namespace.clone();
        }
        self.kubeconfig_namespace()
            .unwrap_or_else(|| "default".to_string())
    }

    /// The starter charts of `helm create --starter NAME`.
    pub fn starters_dir(&self) -> PathBuf {
        self.paths.data_home.join("starters")
    }

    /// What `helm env` prints, by name; `helm_bin` is how we were invoked.
    pub fn env_vars(&self, helm_bin: &str) -> BTreeMap<&'static str, String> {
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let mut vars = BTreeMap::from([
            ("HELM_BIN", helm_bin.to_string()),
            ("HELM_BURST_LIMIT", self.burst_limit.to_string()),
            ("HELM_CACHE_HOME", path(&self.paths.cache_home)),
            ("HELM_CONFIG_HOME", path(&self.paths.config_home)),
            ("HELM_CONTENT_CACHE", self.content_cache.clone()),
            ("HELM_DATA_HOME", path(&self.paths.data_home)),
            ("HELM_DEBUG", self.debug.to_string()),
            ("HELM_KUBEAPISERVER", self.kube_api_server.clone()),
            ("HELM_KUBEASGROUPS", self.kube_as_groups.join(",")),
            ("HELM_KUBEASUSER", self.kube_as_user.clone()),
            ("HELM_KUBECAFILE", self.kube_ca_file.clone()),
            ("HELM_KUBECONTEXT", self.kube_context.clone()),
            (
                "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
                self.kube_insecure_skip_tls_verify.to_string(),
            ),
            (
                "HELM_KUBETLS_SERVER_NAME",
                self.kube_tls_server_name.clone(),
            ),
            ("HELM_KUBETOKEN", self.kube_token.clone()),
            ("HELM_MAX_HISTORY", self.max_history.to_string()),
            ("HELM_NAMESPACE", self.namespace()),
            ("HELM_PLUGINS", self.plugins_directory.clone()),
            ("HELM_QPS", format!("{:.2}", self.qps)),
            ("HELM_REGISTRY_CONFIG", self.registry_config.clone()),
            ("HELM_REPOSITORY_CACHE", self.repository_cache.clone()),
            ("HELM_REPOSITORY_CONFIG", self.repository_config.clone()),
        ]);
        if !self.kube_config.is_empty() {
            vars.insert("KUBECONFIG", self.kube_config.clone());
        }
        vars
    }

    /// The kubeconfig files in the order kubectl reads them: `--kubeconfig`,
    /// else every entry of `KUBECONFIG`, else `~/.kube/config`.
    pub fn kubeconfig_files(&self) -> Vec<PathBuf> {
        if !self.kube_config.is_empty() {
            return vec![PathBuf::from(&self.kube_config)];
        }
        match &self.kubeconfig_env {
            Some(list) => std::env::split_paths(list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect(),
            None => vec![Path::new(&self.home).join(".kube/config")],
        }
    }

    /// The namespace of the context in use (`--kube-context`, else the
    /// first `current-context` among the files), if it names one. With
    /// several files the first to define a context wins, as in kubectl.
    fn kubeconfig_namespace(&self) -> Option<String> {
        // client-go refuses a configuration that impersonates groups
        // without a user or names a missing CA file; Helm then falls back.
        let groups_without_user = !self.kube_as_groups.is_empty() && self.kube_as_user.is_empty();
        let missing_ca = !self.kube_ca_file.is_empty() && !Path::new(&self.kube_ca_file).exists();
        if groups_without_user || missing_ca {
            return None;
        }
        let docs: Vec<Value> = self
            .kubeconfig_files()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter_map(|text| yaml::from_str(&text).ok())
            .collect();
        let context = if self.kube_context.is_empty() {
            docs.iter()
                .find_map(|d| non_empty(string_at(d, "current-context")))?
        } else {
            self.kube_context.clone()
        };
        docs.iter().find_map(|doc| {
            let Value::Map(m) = doc else { return None };
            let Some(Value::List(contexts)) = m.get("contexts") else {
                return None;
            };
            contexts.items.iter().find_map(|entry| {
                (string_at(entry, "name").as_deref() == Some(context.as_str())).then(|| {
                    let Value::Map(e) = entry else { return None };
                    e.get("context")
                        .and_then(|c| non_empty(string_at(&c, "namespace")))
                })?
            })
        })
    }
}

fn string_at(v: &Value, key: &str) -> Option<String> {
    let Value::Map(m) = v else { return None };
    match m.get(key) {
        Some(Value::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn env_int(env: &dyn Environment, name: &str, default: i64) -> i64 {
    env.var(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Helm's `envCSV`: comma-separated (empty items kept), nothing when unset.
fn csv(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(',').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> BTreeMap<String, String> {
        vars.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn base_directories_follow_helm_then_xdg_then_home() {
        let s = EnvSettings::from_env(&env(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/xc"),
            ("HELM_DATA_HOME", "/d"),
        ]));
        assert_eq!(s.paths.cache_home, Path::new("/xc/helm"));
        assert_eq!(s.paths.config_home, Path::new("/h/.config/helm"));
        assert_eq!(s.paths.data_home, Path::new("/d"));
        assert_eq!(s.plugins_directory, "/d/plugins");
        assert_eq!(s.repository_cache, "/xc/helm/repository");
    }

    #[test]
    fn numbers_and_booleans_read_as_go_reads_them() {
        let s = EnvSettings::from_env(&env(&[
            ("HELM_DEBUG", "T"),
            ("HELM_QPS", "2.5"),
            ("HELM_BURST_LIMIT", "x"),
        ]));
        assert!(s.debug);
        assert_eq!(s.burst_limit, DEFAULT_BURST_LIMIT);
        let vars = s.env_vars("helm");
        assert_eq!(vars["HELM_QPS"], "2.50");
        assert_eq!(vars["HELM_NAMESPACE"], "default");
        assert!(!vars.contains_key("KUBECONFIG"));
    }

    #[test]
    fn the_namespace_comes_from_the_current_context() {
        let dir = std::env::temp_dir().join(format!("kh-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let kc = dir.join("config");
        std::fs::write(
            &kc,
            "current-context: b\ncontexts:\n- name: a\n  context: {namespace: na}\n\
             - name: b\n  context: {namespace: nb}\n",
        )
        .unwrap();
        let mut s = EnvSettings::from_env(&env(&[("KUBECONFIG", &kc.to_string_lossy())]));
        assert_eq!(s.namespace(), "nb");
        s.kube_context = "a".into();
        assert_eq!(s.namespace(), "na");
        s.namespace = "flag".into();
        assert_eq!(s.namespace(), "flag");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
