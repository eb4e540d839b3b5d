//! What the commands that talk to a cluster share: a runtime to drive the
//! client on, the client itself, and the release storage `HELM_DRIVER`
//! names.

use std::sync::Arc;

use anyhow::Context as _;
use helm::kube::Kube;
use helm::storage::{AnyDriver, Storage, storage_for};

use super::Context;

/// A connection to the cluster, checked to answer.
pub struct Cluster {
    pub runtime: tokio::runtime::Runtime,
    pub kube: Arc<Kube>,
}

impl Cluster {
    /// Connects as the settings say and asks the server its version, so
    /// that an unreachable cluster is reported first, in Helm's words.
    pub fn connect(ctx: &Context<'_>) -> anyhow::Result<Cluster> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the client's runtime")?;
        let kube = runtime
            .block_on(async {
                let kube = Kube::connect(&ctx.settings).await?;
                kube.is_reachable().await?;
                Ok::<_, helm::kube::KubeError>(kube)
            })
            .map_err(|e| anyhow::anyhow!("kubernetes cluster unreachable: {e}"))?;
        Ok(Cluster {
            runtime,
            kube: Arc::new(kube),
        })
    }

    /// The release storage over `namespace` (empty: every namespace).
    pub fn storage(
        &self,
        ctx: &Context<'_>,
        namespace: &str,
    ) -> anyhow::Result<Storage<AnyDriver>> {
        Ok(storage_for(&self.kube, ctx.env, namespace)?)
    }
}
