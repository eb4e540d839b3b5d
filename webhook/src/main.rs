//! `kubectl-helm-webhook`: the validating admission webhook.

use std::process::ExitCode;

use clap::Parser;
use kubectl_helm_webhook::flags::Flags;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let flags = Flags::parse();
    match kubectl_helm_webhook::run(flags, kubectl_helm_webhook::serve::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "webhook failed");
            ExitCode::FAILURE
        }
    }
}
