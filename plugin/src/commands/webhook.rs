//! `webhook certs`: serving certificates for the admission webhook on
//! clusters without cert-manager. A fresh CA signs a certificate for the
//! webhook's Service; the pair goes into the `kubernetes.io/tls` Secret the
//! webhook mounts, and the CA into the `caBundle` of every webhook of its
//! ValidatingWebhookConfiguration. Each run rotates both.

mod objects;
mod pki;

use helm::engine::funcs::parse_duration;
use helm::kube::{Kube, KubeError, PostParams};
use serde_json::Value;

use super::Context;
use super::cluster::Connection;

/// Where the manifests in `manifests/` install the webhook.
const DEFAULT_NAMESPACE: &str = "kubectl-helm-system";

/// The longest validity accepted: a hundred years, past which the
/// certificate's dates stop being meaningful.
const MAX_VALIDITY_SECONDS: i64 = 100 * 8766 * 3600;

#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum WebhookCommand {
    /// create the webhook's CA and serving certificate, and give the CA to its webhook configuration
    Certs(CertsArgs),
}

impl WebhookArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        match self.command {
            WebhookCommand::Certs(args) => args.run(ctx),
        }
    }
}

/// `webhook certs`. The namespace is the global `-n/--namespace`, with
/// `kubectl-helm-system` (not the context's namespace) when none is given.
#[derive(Debug, clap::Args)]
struct CertsArgs {
    /// the webhook's Service, whose DNS names the certificate is for
    #[arg(long, default_value = "kubectl-helm-webhook")]
    service: String,
    /// the kubernetes.io/tls Secret the webhook mounts
    #[arg(long, default_value = "kubectl-helm-webhook-tls")]
    secret: String,
    /// the ValidatingWebhookConfiguration whose webhooks get the CA
    #[arg(long, default_value = "kubectl-helm-webhook")]
    webhook_configuration: String,
    /// how long the CA and certificate are valid, as a Go duration
    #[arg(long, default_value = "8760h")]
    validity: String,
    /// print what would be done, and change nothing
    #[arg(long)]
    dry_run: bool,
}

/// What a run does to the cluster, for its report.
struct Plan {
    secret: Value,
    secret_exists: bool,
    config: Value,
    webhooks: Vec<String>,
    kept_previous_ca: bool,
}

impl CertsArgs {
    fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let namespace = if ctx.settings.namespace.is_empty() {
            DEFAULT_NAMESPACE.to_string()
        } else {
            ctx.settings.namespace.clone()
        };
        check_label("--service", &self.service)?;
        check_label("--namespace", &namespace)?;
        let validity = self.validity()?;
        let issued = pki::issue(&self.service, &namespace, validity)?;
        let cluster = Connection::open(ctx)?;
        let kube = &cluster.kube;
        let plan = cluster
            .runtime
            .block_on(self.plan(kube, &namespace, &issued))?;
        let server_name = pki::server_name(&self.service, &namespace);
        let done = |verb: &str| -> String {
            if self.dry_run {
                format!("would be {verb}")
            } else {
                verb.to_string()
            }
        };
        if !self.dry_run {
            cluster
                .runtime
                .block_on(self.apply(kube, &namespace, &plan))?;
        }
        writeln!(
            ctx.out,
            "ValidatingWebhookConfiguration {}: caBundle {} on webhooks {} ({})",
            self.webhook_configuration,
            done("set"),
            plan.webhooks.join(", "),
            if plan.kept_previous_ca {
                "the new CA and the previous one"
            } else {
                "the new CA"
            }
        )?;
        writeln!(
            ctx.out,
            "Secret {namespace}/{} {}: serving certificate for {server_name} signed by the new CA, valid for {}",
            self.secret,
            done(if plan.secret_exists {
                "replaced"
            } else {
                "created"
            }),
            self.validity
        )?;
        Ok(())
    }

    /// `--validity` as a positive span of at most a hundred years.
    fn validity(&self) -> anyhow::Result<time::Duration> {
        let nanos = parse_duration(&self.validity)
            .map_err(|e| anyhow::anyhow!("invalid argument for --validity: {e}"))?;
        let seconds = nanos / 1_000_000_000;
        if !(1..=MAX_VALIDITY_SECONDS).contains(&seconds) {
            anyhow::bail!(
                "invalid argument for --validity: {} is not between 1s and 876600h",
                self.validity
            );
        }
        Ok(time::Duration::seconds(seconds))
    }

    /// Reads the Secret and the configuration, and works out what to write.
    async fn plan(
        &self,
        kube: &Kube,
        namespace: &str,
        issued: &pki::Issued,
    ) -> anyhow::Result<Plan> {
        let secrets = kube.resource("v1", "Secret").await?;
        let configs = kube
            .resource(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
            )
            .await?;
        let existing = match kube.get(&secrets, namespace, &self.secret).await {
            Ok(secret) => Some(secret),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        };
        let mut config = kube
            .get(&configs, "", &self.webhook_configuration)
            .await
            .map_err(|e| match e {
                e if e.is_not_found() => anyhow::anyhow!(
                    "{e}: apply the webhook's manifests (manifests/) before creating its certificates"
                ),
                e => e.into(),
            })?;
        let secret = objects::tls_secret(existing.as_ref(), namespace, &self.secret, issued)?;
        let previous = existing.as_ref().and_then(objects::previous_ca);
        let bundle = objects::ca_bundle(&issued.ca_pem, previous.as_deref());
        let webhooks = objects::set_ca_bundles(&mut config, &bundle)?;
        Ok(Plan {
            secret,
            secret_exists: existing.is_some(),
            config,
            webhooks,
            kept_previous_ca: bundle != issued.ca_pem,
        })
    }

    /// Writes the plan: the CA bundle first, so that whichever certificate
    /// the webhook serves while the Secret changes (the old until it
    /// reloads, then the new) is trusted; then the Secret. Both writes are
    /// guarded by the `resourceVersion` read, so a concurrent change fails
    /// the run rather than being lost.
    async fn apply(&self, kube: &Kube, namespace: &str, plan: &Plan) -> Result<(), KubeError> {
        let params = PostParams::default();
        let configs = kube
            .resource(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
            )
            .await?;
        kube.replace(
            &configs,
            "",
            &self.webhook_configuration,
            &plan.config,
            &params,
        )
        .await?;
        let secrets = kube.resource("v1", "Secret").await?;
        if plan.secret_exists {
            kube.replace(&secrets, namespace, &self.secret, &plan.secret, &params)
                .await?;
        } else {
            kube.create(&secrets, namespace, &plan.secret, &params)
                .await?;
        }
        Ok(())
    }
}

/// `value` must be an RFC 1123 label, as Service and namespace names are:
/// it becomes part of the certificate's DNS names.
fn check_label(flag: &str, value: &str) -> anyhow::Result<()> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if !valid {
        anyhow::bail!(
            "invalid argument {value:?} for {flag}: must be a lowercase RFC 1123 label (letters, digits and '-', at most 63)"
        );
    }
    Ok(())
}
