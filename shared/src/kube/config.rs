//! The client configuration Helm's flags and the kubeconfig describe, as
//! client-go's loading rules build it: the kubeconfig files merged (the
//! first to set a value wins), the context chosen, then the `--kube-*`
//! flags laid over it.

use std::path::{Path, PathBuf};

use kube::config::{Config, KubeConfigOptions, Kubeconfig, KubeconfigError};

use crate::settings::EnvSettings;

/// Where client-go sends requests when no kubeconfig names a server.
const FALLBACK_SERVER: &str = "http://localhost:8080";

/// Why no client configuration could be built; the texts are client-go's
/// where Helm shows them.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--kubeconfig` names a file that does not exist.
    #[error("stat {}: no such file or directory", .0.display())]
    MissingFile(PathBuf),
    /// A kubeconfig file cannot be read or parsed, or two disagree.
    #[error("error loading config file {:?}: {source}", path.display().to_string())]
    Load {
        path: PathBuf,
        source: KubeconfigError,
    },
    /// `--kube-context` (or `current-context`) names no context.
    #[error("context {0:?} does not exist")]
    NoContext(String),
    /// The context's cluster or server cannot be used.
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// Groups are to be impersonated but no user is.
    #[error(
        "invalid configuration: requesting uid, groups or user-extra for {0} without impersonating a user"
    )]
    GroupsWithoutUser(String),
    /// `--kube-apiserver` is not a URL.
    #[error("invalid --kube-apiserver {0:?}")]
    BadServer(String),
}

/// The configuration for `settings`: its kubeconfig files and context, then
/// `--kube-apiserver`, `--kube-ca-file`, `--kube-insecure-skip-tls-verify`,
/// `--kube-tls-server-name`, `--kube-token` and the impersonation flags.
/// Exec and token-file credentials of the kubeconfig are kept for kube-rs
/// to run and refresh.
pub async fn client_config(settings: &EnvSettings) -> Result<Config, ConfigError> {
    let kubeconfig = read_kubeconfig(settings)?;
    let context = if settings.kube_context.is_empty() {
        kubeconfig.current_context.clone().unwrap_or_default()
    } else {
        settings.kube_context.clone()
    };
    let mut config = if context.is_empty() {
        // Nothing chosen: the flags alone, or client-go's fallback server.
        Config::new(parse_server(FALLBACK_SERVER)?)
    } else if kubeconfig.contexts.iter().any(|c| c.name == context) {
        let options = KubeConfigOptions {
            context: Some(context.clone()),
            ..KubeConfigOptions::default()
        };
        match Config::from_custom_kubeconfig(kubeconfig, &options).await {
            Ok(config) => config,
            // The flag supplies the server the context's cluster lacks.
            Err(KubeconfigError::MissingClusterUrl) if !settings.kube_api_server.is_empty() => {
                Config::new(parse_server(&settings.kube_api_server)?)
            }
            Err(e) => return Err(ConfigError::Invalid(e.to_string())),
        }
    } else {
        return Err(ConfigError::NoContext(context));
    };
    apply_flags(&mut config, settings)?;
    Ok(config)
}

/// The kubeconfig files merged. An explicit `--kubeconfig` must exist; the
/// entries of `KUBECONFIG` and the default file are skipped when missing.
fn read_kubeconfig(settings: &EnvSettings) -> Result<Kubeconfig, ConfigError> {
    let explicit = !settings.kube_config.is_empty();
    let mut merged = Kubeconfig::default();
    for path in settings.kubeconfig_files() {
        if !path.exists() {
            if explicit {
                return Err(ConfigError::MissingFile(path));
            }
            continue;
        }
        let load = |source| ConfigError::Load {
            path: path.clone(),
            source,
        };
        let next = Kubeconfig::read_from(&path).map_err(load)?;
        merged = merged.merge(next).map_err(load)?;
    }
    Ok(merged)
}

/// Lays the `--kube-*` flags over the kubeconfig's values.
fn apply_flags(config: &mut Config, settings: &EnvSettings) -> Result<(), ConfigError> {
    if !settings.kube_api_server.is_empty() {
        config.cluster_url = parse_server(&settings.kube_api_server)?;
    }
    if !settings.kube_ca_file.is_empty() {
        // The file replaces any CA data the kubeconfig carries.
        config.root_cert = None;
        config.root_cert_file = Some(PathBuf::from(&settings.kube_ca_file));
    }
    if settings.kube_insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
        config.root_cert = None;
        config.root_cert_file = None;
    }
    if !settings.kube_tls_server_name.is_empty() {
        config.tls_server_name = Some(settings.kube_tls_server_name.clone());
    }
    if !settings.kube_token.is_empty() {
        // An explicit token replaces the kubeconfig's ways of getting one.
        let auth = &mut config.auth_info;
        auth.token = Some(settings.kube_token.clone().into());
        auth.token_file = None;
        auth.exec = None;
        auth.auth_provider = None;
    }
    if !settings.kube_as_user.is_empty() {
        config.auth_info.impersonate = Some(settings.kube_as_user.clone());
    }
    if !settings.kube_as_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(settings.kube_as_groups.clone());
    }
    let impersonates_groups = config
        .auth_info
        .impersonate_groups
        .as_ref()
        .is_some_and(|g| !g.is_empty());
    if impersonates_groups && config.auth_info.impersonate.is_none() {
        let user = config.auth_info.username.clone().unwrap_or_default();
        return Err(ConfigError::GroupsWithoutUser(user_label(&user, settings)));
    }
    if let Some(path) = &config.root_cert_file
        && !Path::new(path).exists()
    {
        return Err(ConfigError::Invalid(format!(
            "unable to read certificate-authority {} for cluster due to open {}: no such file or directory",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// How client-go names the user in its impersonation error: the
/// kubeconfig user's name, which kube-rs does not keep, so the context's
/// user from the file when we can find it.
fn user_label(username: &str, settings: &EnvSettings) -> String {
    if !username.is_empty() {
        return username.to_string();
    }
    let files = settings.kubeconfig_files();
    let Some(config) = files
        .iter()
        .filter(|p| p.exists())
        .find_map(|p| Kubeconfig::read_from(p).ok())
    else {
        return String::new();
    };
    let context = if settings.kube_context.is_empty() {
        config.current_context.clone().unwrap_or_default()
    } else {
        settings.kube_context.clone()
    };
    config
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref()?.user.clone())
        .unwrap_or_default()
}

/// A server address as client-go reads it: a bare `host:port` means HTTPS.
fn parse_server(server: &str) -> Result<http::Uri, ConfigError> {
    let url = if server.contains("://") {
        server.to_string()
    } else {
        format!("https://{server}")
    };
    url.parse()
        .map_err(|_| ConfigError::BadServer(server.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: 'https://10.0.0.1:6443'}
- name: d
  cluster: {server: 'https://10.0.0.2:6443'}
contexts:
- name: x
  context: {cluster: c, user: u, namespace: nx}
- name: y
  context: {cluster: d, user: u}
current-context: x
users:
- name: u
  user: {token: abc}
";

    fn settings(dir: &Path, vars: &[(&str, &str)]) -> EnvSettings {
        let path = dir.join("config");
        std::fs::write(&path, KUBECONFIG).unwrap();
        let mut env: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("KUBECONFIG".into(), path.to_string_lossy().into_owned());
        EnvSettings::from_env(&env)
    }

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn the_current_context_then_the_flags() {
        let dir = tempdir();
        let s = settings(&dir, &[]);
        let c = block(client_config(&s)).unwrap();
        assert_eq!(c.cluster_url.to_string(), "https://10.0.0.1:6443/");
        assert_eq!(c.default_namespace, "nx");

        let mut s = settings(&dir, &[("HELM_KUBECONTEXT", "y")]);
        s.kube_api_server = "10.9.9.9:443".into();
        s.kube_as_user = "alice".into();
        s.kube_as_groups = vec!["g1".into()];
        s.kube_token = "t0k".into();
        s.kube_tls_server_name = "api.internal".into();
        s.kube_insecure_skip_tls_verify = true;
        let c = block(client_config(&s)).unwrap();
        assert_eq!(c.cluster_url.to_string(), "https://10.9.9.9:443/");
        assert_eq!(c.auth_info.impersonate.as_deref(), Some("alice"));
        assert_eq!(c.auth_info.impersonate_groups, Some(vec!["g1".to_string()]));
        assert!(c.accept_invalid_certs);
        assert_eq!(c.tls_server_name.as_deref(), Some("api.internal"));
        assert!(c.auth_info.token.is_some());
    }

    #[test]
    fn errors_are_worded_as_client_go_words_them() {
        let dir = tempdir();
        let s = settings(&dir, &[("HELM_KUBECONTEXT", "nope")]);
        let err = block(client_config(&s)).unwrap_err();
        assert_eq!(err.to_string(), "context \"nope\" does not exist");

        let mut s = settings(&dir, &[]);
        s.kube_as_groups = vec!["g".into()];
        let err = block(client_config(&s)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration: requesting uid, groups or user-extra for u without impersonating a user"
        );

        let mut s = settings(&dir, &[]);
        s.kube_config = dir.join("missing").to_string_lossy().into_owned();
        let err = block(client_config(&s)).unwrap_err();
        assert!(err.to_string().starts_with("stat "), "{err}");
        assert!(
            err.to_string()
                .ends_with("missing: no such file or directory")
        );
    }

    #[test]
    fn without_a_kubeconfig_the_fallback_server() {
        let dir = tempdir();
        let env = BTreeMap::from([(
            "KUBECONFIG".to_string(),
            dir.join("absent").to_string_lossy().into_owned(),
        )]);
        let s = EnvSettings::from_env(&env);
        let c = block(client_config(&s)).unwrap();
        assert_eq!(c.cluster_url.to_string(), "http://localhost:8080/");
    }

    fn tempdir() -> PathBuf {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kh-kubeconfig-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
