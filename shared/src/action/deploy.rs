//! The cluster half of `helm install`: whether the name is free, the
//! chart's CRDs, the release namespace, then the record and the objects, in
//! the order Helm 4 takes them.
//!
//! [`Install::build`](super::install::Install::build) gives the record in
//! `pending-install`; [`Deploy::run`] stores it, creates (or adopts) the
//! objects, runs the install hooks, and records the outcome.

use serde_json::json;

use super::hooks::{HookError, HookRunner};
use super::install::{mark_deployed, mark_dry_run, mark_failed};
use super::uninstall::{Uninstall, UninstallError};
use super::waiting::ReleaseWait;
use crate::kube::resources::{Object, ResourceError, WriteMethod};
use crate::kube::{Kube, KubeError};
use crate::release::{Info, Release, Status};
use crate::storage::{Driver, Storage, StorageError};

/// Why an install in the cluster failed, worded as Helm words it (the
/// command adds `INSTALLATION FAILED: `).
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The name belongs to a release that is not uninstalled (or
    /// `--replace` was not given).
    #[error("cannot reuse a name that is still in use")]
    NameInUse,
    /// Reading history or storing the record failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A CRD from `crds/` could not be created.
    #[error("failed to install CRD {path}: {source}")]
    Crd { path: String, source: ResourceError },
    /// The manifest could not be turned into objects.
    #[error("unable to build kubernetes objects from release manifest: {0}")]
    Build(ResourceError),
    /// An object exists and may not be adopted.
    #[error("unable to continue with install: {0}")]
    Conflict(ResourceError),
    /// The release namespace could not be created.
    #[error(transparent)]
    Namespace(KubeError),
    /// Creating the objects, or a hook, failed; the record says `failed`.
    #[error("{0}")]
    Failed(String),
    /// `--rollback-on-failure`: the install failed and was uninstalled.
    #[error(
        "release {name} failed, and has been uninstalled due to rollback-on-failure being set: {cause}"
    )]
    RolledBack { name: String, cause: String },
    /// `--rollback-on-failure`: the uninstall after the failure failed too.
    #[error(
        "an error occurred while uninstalling the release. original install error: {cause}: {source}"
    )]
    RollbackFailed {
        cause: String,
        source: Box<UninstallError>,
    },
}

/// The options of an install that concern the cluster.
#[derive(Clone, Debug)]
pub struct Deploy {
    /// How objects are written (`--server-side`, `--force-conflicts`).
    pub method: WriteMethod,
    /// `--take-ownership`: adopt existing objects whoever owns them.
    pub take_ownership: bool,
    /// `--create-namespace`
    pub create_namespace: bool,
    /// `--replace`: reuse the name of an uninstalled or failed release.
    pub replace: bool,
    /// `--skip-crds`
    pub skip_crds: bool,
    /// `--no-hooks`
    pub no_hooks: bool,
    /// `--dry-run=server`: check against the cluster, write nothing.
    pub dry_run: bool,
    /// `--rollback-on-failure` (`--atomic`): uninstall when the install
    /// fails.
    pub rollback_on_failure: bool,
    /// How the release's objects are waited on after they are written
    /// (`--wait`, `--wait-for-jobs`); `None` waits for hooks only.
    pub wait: Option<ReleaseWait>,
    /// `--timeout`: for hooks, and for the wait.
    pub timeout: std::time::Duration,
}

impl Deploy {
    /// Helm's `availableName`: the name is free when it has no history,
    /// or (with `--replace`) when its last revision is uninstalled or
    /// failed.
    pub async fn check_name<D: Driver>(
        &self,
        storage: &Storage<D>,
        name: &str,
    ) -> Result<(), DeployError> {
        let Ok(history) = storage.history(name).await else {
            return Ok(());
        };
        let Some(last) = history.iter().max_by_key(|r| r.version) else {
            return Ok(());
        };
        let reusable = matches!(
            last.status(),
            Some(Status::Uninstalled) | Some(Status::Failed)
        );
        if self.replace && reusable {
            Ok(())
        } else {
            Err(DeployError::NameInUse)
        }
    }

    /// Creates the CRDs of `crds/` (each `(path, text)`) that do not exist
    /// yet, before the chart renders, as Helm does.
    pub async fn install_crds(
        &self,
        kube: &Kube,
        crds: &[(String, String)],
    ) -> Result<(), DeployError> {
        if self.skip_crds || self.dry_run {
            return Ok(());
        }
        for (path, text) in crds {
            let crd_error = |source| DeployError::Crd {
                path: path.clone(),
                source,
            };
            let objects = kube
                .build(text, kube.namespace())
                .await
                .map_err(crd_error)?;
            for object in &objects {
                match kube.write_object(object, self.method).await {
                    Ok(_) => {}
                    Err(e) if e.is_already_exists() => {}
                    Err(e) => return Err(crd_error(ResourceError::Kube(e))),
                }
            }
        }
        Ok(())
    }

    /// Installs `release` (built in `pending-install`): its objects are
    /// built and checked, then the record stored and the objects written.
    /// Returns the release as recorded last; an error after the record was
    /// stored leaves it `failed` (or uninstalled, with
    /// `--rollback-on-failure`).
    pub async fn run<D: Driver>(
        &self,
        kube: &Kube,
        storage: &Storage<D>,
        mut release: Release,
        description: &str,
    ) -> Result<Release, (Release, DeployError)> {
        let objects = match kube.build(&release.manifest, &release.namespace).await {
            Ok(objects) => objects,
            Err(e) => return Err((release, DeployError::Build(e))),
        };
        let objects: Vec<Object> = objects
            .into_iter()
            .map(|mut o| {
                crate::kube::ownership::set_ownership(
                    &mut o.body,
                    &release.name,
                    &release.namespace,
                );
                o
            })
            .collect();
        let adopt = match kube
            .existing(
                &objects,
                &release.name,
                &release.namespace,
                self.take_ownership,
            )
            .await
        {
            Ok(adopt) => adopt,
            Err(e) => return Err((release, DeployError::Conflict(e))),
        };
        if self.dry_run {
            mark_dry_run(&mut release);
            return Ok(release);
        }
        if self.create_namespace
            && let Err(e) = create_namespace(kube, &release.namespace, self.method).await
        {
            return Err((release, DeployError::Namespace(e)));
        }
        if self.replace
            && let Err(e) = supersede_last(storage, &mut release).await
        {
            return Err((release, e));
        }
        if let Err(e) = storage.create(&release).await {
            return Err((release, e.into()));
        }
        match self.perform(kube, &mut release, &objects, &adopt).await {
            Ok(()) => {
                mark_deployed(&mut release, description);
                // Helm only logs a failure to record the outcome.
                let _ = storage.update(&release).await;
                Ok(release)
            }
            Err(cause) => self.fail(kube, storage, release, cause).await,
        }
    }

    /// Hooks, then the objects, then the post-install hooks.
    async fn perform(
        &self,
        kube: &Kube,
        release: &mut Release,
        objects: &[Object],
        adopt: &[Object],
    ) -> Result<(), String> {
        let hooks = HookRunner {
            kube,
            timeout: self.timeout,
            method: self.method,
        };
        if !self.no_hooks {
            hooks
                .run(release, "pre-install")
                .await
                .map_err(|e: HookError| format!("failed pre-install: {e}"))?;
        }
        // Like Helm's `perform`, every object is attempted and the
        // failures are reported together, one per line.
        let mut failures = Vec::new();
        for object in objects {
            let result = if adopt.iter().any(|a| same_object(a, object)) {
                kube.adopt(object, self.method).await
            } else {
                kube.write_object(object, self.method).await.map(drop)
            };
            if let Err(e) = result {
                failures.push(e.to_string());
            }
        }
        if !failures.is_empty() {
            return Err(failures.join("\n"));
        }
        if let Some(wait) = self.wait {
            wait.ready(kube, objects, self.timeout).await?;
        }
        if !self.no_hooks {
            hooks
                .run(release, "post-install")
                .await
                .map_err(|e| format!("failed post-install: {e}"))?;
        }
        Ok(())
    }

    async fn fail<D: Driver>(
        &self,
        kube: &Kube,
        storage: &Storage<D>,
        mut release: Release,
        cause: String,
    ) -> Result<Release, (Release, DeployError)> {
        mark_failed(&mut release, &cause);
        // Helm records the failure whatever comes next, ignoring errors:
        // it has the install's error to report.
        let _ = storage.update(&release).await;
        if !self.rollback_on_failure {
            return Err((release, DeployError::Failed(cause)));
        }
        let uninstall = Uninstall {
            no_hooks: self.no_hooks,
            timeout: self.timeout,
            wait: self.wait.is_some(),
            ..Uninstall::default()
        };
        let name = release.name.clone();
        match uninstall.run(kube, storage, &name).await {
            Ok(_) => Err((release, DeployError::RolledBack { name, cause })),
            Err(e) => Err((
                release,
                DeployError::RollbackFailed {
                    cause,
                    source: Box::new(e),
                },
            )),
        }
    }
}

fn same_object(a: &Object, b: &Object) -> bool {
    a.resource == b.resource && a.namespace == b.namespace && a.name == b.name
}

/// `--create-namespace`: the namespace, labelled `name: NS` as Helm
/// labels it, written as the release's objects are; one that exists
/// already is fine.
async fn create_namespace(
    kube: &Kube,
    namespace: &str,
    method: WriteMethod,
) -> Result<(), KubeError> {
    let object = Object {
        resource: kube.resource("v1", "Namespace").await?,
        namespace: String::new(),
        name: namespace.to_string(),
        body: json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {"name": namespace}},
        }),
    };
    match kube.write_object(&object, method).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_already_exists() => Ok(()),
        Err(e) => Err(e),
    }
}

/// `--replace`: the new record takes the next revision, and the last one
/// (unless it failed) becomes `superseded`.
async fn supersede_last<D: Driver>(
    storage: &Storage<D>,
    release: &mut Release,
) -> Result<(), DeployError> {
    let Ok(history) = storage.history(&release.name).await else {
        return Ok(());
    };
    let Some(mut last) = history.into_iter().max_by_key(|r| r.version) else {
        return Ok(());
    };
    release.version = last.version + 1;
    if last.status() == Some(&Status::Failed) {
        return Ok(());
    }
    let info = last.info.get_or_insert_with(Info::default);
    info.status = Some(Status::Superseded);
    info.description = "superseded by new release".into();
    storage.update(&last).await?;
    Ok(())
}
