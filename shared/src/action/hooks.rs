//! Running a release's hooks for one event, as Helm's `execHook` does:
//! in order of weight then name (kind order kept among equals), each
//! created after removing an earlier copy (`before-hook-creation`, the
//! default policy), waited on until its Jobs complete and Pods finish,
//! and removed afterwards as its delete policies say.

use std::time::Duration;

use super::install::now;
use super::waiting::wait_for;
use crate::kube::resources::{Cascade, Object, ResourceError, WriteMethod};
use crate::kube::status::readers::WaitFor;
use crate::kube::status::wait::{Goal, WaitError};
use crate::kube::{Kube, KubeError};
use crate::release::{Hook, HookExecution, Release};

/// The policy Helm gives a hook that names none.
const BEFORE_HOOK_CREATION: &str = "before-hook-creation";
const HOOK_SUCCEEDED: &str = "hook-succeeded";
const HOOK_FAILED: &str = "hook-failed";

/// Why a hook failed, in Helm's words.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The hook's manifest could not be turned into objects.
    #[error("unable to build kubernetes object for {event} hook {path}: {source}")]
    Build {
        event: String,
        path: String,
        source: ResourceError,
    },
    /// Creating the hook's objects failed.
    #[error("warning: Hook {event} {path} failed: {source}")]
    Create {
        event: String,
        path: String,
        source: KubeError,
    },
    /// The hook did not complete (it failed, or the time ran out).
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// Deleting a hook as its policy says failed.
    #[error(transparent)]
    Delete(KubeError),
}

/// Runs hooks against one cluster.
#[derive(Debug)]
pub struct HookRunner<'a> {
    pub kube: &'a Kube,
    /// How long each hook may take (`--timeout`).
    pub timeout: Duration,
    /// How the hooks' objects are written.
    pub method: WriteMethod,
}

impl HookRunner<'_> {
    /// Runs the hooks of `release` for `event`, recording each one's last
    /// run in the release.
    pub async fn run(&self, release: &mut Release, event: &str) -> Result<(), HookError> {
        let mut order: Vec<usize> = (0..release.hooks.len())
            .filter(|i| release.hooks[*i].events.iter().any(|e| e == event))
            .collect();
        // Hooks are recorded in kind order; a stable sort keeps it among
        // hooks of equal weight and name.
        order.sort_by(|a, b| {
            let (a, b) = (&release.hooks[*a], &release.hooks[*b]);
            a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name))
        });
        for (done, &index) in order.iter().enumerate() {
            let namespace = release.namespace.clone();
            let hook = &mut release.hooks[index];
            if hook.delete_policies.is_empty() {
                hook.delete_policies = vec![BEFORE_HOOK_CREATION.to_string()];
            }
            self.delete_by_policy(hook, &namespace, BEFORE_HOOK_CREATION)
                .await?;
            let objects = self
                .kube
                .build(&hook.manifest, &namespace)
                .await
                .map_err(|source| HookError::Build {
                    event: event.to_string(),
                    path: hook.path.clone(),
                    source,
                })?;
            hook.last_run = HookExecution {
                started_at: now(),
                completed_at: Default::default(),
                phase: "Running".into(),
            };
            if let Err(source) = self.kube.create_all(&objects, self.method).await {
                hook.last_run.completed_at = now();
                hook.last_run.phase = "Failed".into();
                return Err(HookError::Create {
                    event: event.to_string(),
                    path: hook.path.clone(),
                    source,
                });
            }
            let waited = wait_for(
                self.kube,
                &objects,
                Goal::Ready,
                WaitFor::Hooks,
                self.timeout,
            )
            .await;
            hook.last_run.completed_at = now();
            if let Err(e) = waited {
                hook.last_run.phase = "Failed".into();
                let hook = hook.clone();
                for &earlier in &order[..done] {
                    let earlier = release.hooks[earlier].clone();
                    self.delete_by_policy(&earlier, &namespace, HOOK_SUCCEEDED)
                        .await?;
                }
                self.delete_by_policy(&hook, &namespace, HOOK_FAILED)
                    .await?;
                return Err(e.into());
            }
            hook.last_run.phase = "Succeeded".into();
        }
        for &index in order.iter().rev() {
            let hook = release.hooks[index].clone();
            self.delete_by_policy(&hook, &release.namespace, HOOK_SUCCEEDED)
                .await?;
        }
        Ok(())
    }

    /// Deletes the hook's objects when it has `policy`, and waits until
    /// they are gone; CRDs are never deleted.
    async fn delete_by_policy(
        &self,
        hook: &Hook,
        namespace: &str,
        policy: &str,
    ) -> Result<(), HookError> {
        if hook.kind == "CustomResourceDefinition"
            || !hook.delete_policies.iter().any(|p| p == policy)
        {
            return Ok(());
        }
        // A hook that cannot be built has nothing in the cluster to delete.
        let Ok(objects) = self.kube.build(&hook.manifest, namespace).await else {
            return Ok(());
        };
        let (deleted, errors) = self.kube.delete_all(&objects, Cascade::Background).await;
        if let Some(error) = errors.into_iter().next() {
            return Err(HookError::Delete(error));
        }
        wait_deleted(self.kube, &deleted, self.timeout).await
    }
}

async fn wait_deleted(kube: &Kube, objects: &[Object], timeout: Duration) -> Result<(), HookError> {
    wait_for(kube, objects, Goal::Deleted, WaitFor::Resources, timeout)
        .await
        .map_err(HookError::from)
}
