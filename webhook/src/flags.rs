//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Validating admission webhook for Helm releases and ChartPolicy.
#[derive(Clone, Debug, Parser)]
#[command(name = "kubectl-helm-webhook", version)]
pub struct Flags {
    /// Address and port to serve HTTPS on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// PEM certificate chain served to the API server (reloaded when it changes).
    #[arg(long)]
    pub tls_cert_file: PathBuf,
    /// PEM private key of the certificate (reloaded when it changes).
    #[arg(long)]
    pub tls_private_key_file: PathBuf,
    /// Kubeconfig file; without it and `--context`, the in-cluster
    /// configuration when running in a Pod, else the default kubeconfig.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use.
    #[arg(long)]
    pub context: Option<String>,
    /// Largest AdmissionReview body accepted, in bytes. The API server
    /// sends the object and the old object, each up to its own ~3 MiB
    /// request limit.
    #[arg(long, default_value_t = 8 << 20)]
    pub max_body_bytes: usize,
    /// Time allowed to decide one request (reading facts included), well
    /// under the API server's webhook timeout; past it the request fails
    /// with 503 and the webhook's failurePolicy applies.
    #[arg(long, value_parser = parse_duration, default_value = "3s")]
    pub decision_deadline: Duration,
    /// How often the certificate files are checked for changes.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub tls_reload_interval: Duration,
    /// Time allowed for requests in flight to finish after SIGTERM/SIGINT.
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    pub shutdown_grace: Duration,
}

/// Reads `250ms`, `3s` or `2m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, ""), |i| text.split_at(i));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 250ms, 3s or 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(format!("{text:?} is not a duration like 250ms, 3s or 2m")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("3").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("3h").is_err());
    }

    #[test]
    fn defaults() {
        let flags =
            Flags::try_parse_from(["w", "--tls-cert-file=c", "--tls-private-key-file=k"]).unwrap();
        assert_eq!(flags.listen.to_string(), "0.0.0.0:8443");
        assert!(flags.decision_deadline < Duration::from_secs(10));
    }
}
