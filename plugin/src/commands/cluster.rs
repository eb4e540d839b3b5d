//! What the commands that talk to a cluster share: a runtime to drive the
//! client on, the client itself, and the release storage `HELM_DRIVER`
//! names.

use std::sync::Arc;

use anyhow::Context as _;
use helm::kube::{Kube, KubeError};
use helm::storage::{AnyDriver, Storage, storage_for};

use super::Context;

/// A client for the cluster and the release storage in one namespace.
pub struct Cluster {
    pub runtime: tokio::runtime::Runtime,
    pub storage: Storage<AnyDriver>,
}

/// A client for the cluster alone, for commands that keep no releases.
pub struct Connection {
    pub runtime: tokio::runtime::Runtime,
    pub kube: Arc<Kube>,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the client's runtime")
}

fn unreachable(e: KubeError) -> anyhow::Error {
    anyhow::anyhow!("kubernetes cluster unreachable: {e}")
}

impl Connection {
    /// Connects as the settings say and asks the server its version, so
    /// that an unreachable cluster is reported first, in Helm's words.
    pub fn open(ctx: &Context<'_>) -> anyhow::Result<Connection> {
        let runtime = runtime()?;
        let kube = runtime
            .block_on(async {
                let kube = Kube::connect(&ctx.settings).await?;
                kube.is_reachable().await?;
                Ok(kube)
            })
            .map_err(unreachable)?;
        Ok(Connection {
            runtime,
            kube: Arc::new(kube),
        })
    }

    /// The release storage `HELM_DRIVER` names over `namespace` (empty:
    /// every namespace).
    pub fn storage(
        &self,
        ctx: &Context<'_>,
        namespace: &str,
    ) -> anyhow::Result<Storage<AnyDriver>> {
        Ok(self
            .runtime
            .block_on(storage_for(&self.kube, ctx.env, namespace))?)
    }
}

/// How much of the cluster a command needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// It must answer, unless the memory driver stands in for it (Helm
    /// then swaps in a client that needs no cluster).
    UnlessMemory,
    /// It must answer whatever the driver (Helm's `list -A` re-initialises
    /// a real client even over the memory driver).
    Always,
}

impl Cluster {
    /// The client as the settings say, the storage `HELM_DRIVER` names
    /// over `namespace` (empty: every namespace), and, when `reach` asks,
    /// the server's version, so that an unreachable cluster is reported
    /// first, in Helm's words.
    pub fn open(ctx: &Context<'_>, namespace: &str, reach: Reach) -> anyhow::Result<Cluster> {
        let runtime = runtime()?;
        let kube = Arc::new(
            runtime
                .block_on(Kube::connect(&ctx.settings))
                .map_err(unreachable)?,
        );
        let storage = runtime.block_on(storage_for(&kube, ctx.env, namespace))?;
        let memory = matches!(storage.driver, AnyDriver::Memory(_));
        if reach == Reach::Always || !memory {
            runtime.block_on(kube.is_reachable()).map_err(unreachable)?;
        }
        Ok(Cluster { runtime, storage })
    }
}
