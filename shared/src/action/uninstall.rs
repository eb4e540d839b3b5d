//! `helm uninstall`: the release's delete hooks, its objects deleted in
//! Helm's uninstall order (those annotated `helm.sh/resource-policy: keep`
//! left), and its records purged or, with `--keep-history`, marked
//! uninstalled.

use std::time::Duration;

use super::hooks::{HookError, HookRunner};
use super::install::now;
use super::template::validate_release_name;
use super::waiting::wait_for;
use crate::kube::Kube;
use crate::kube::resources::{Cascade, Object, WriteMethod, is_kept, sort_for_uninstall};
use crate::kube::status::readers::WaitFor;
use crate::kube::status::wait::Goal;
use crate::release::{ApplyMethod, Release, Status};
use crate::storage::{Driver, Storage, StorageError};

/// The options of `helm uninstall`.
#[derive(Clone, Debug)]
pub struct Uninstall {
    /// `--keep-history`: mark the release uninstalled instead of purging.
    pub keep_history: bool,
    /// `--no-hooks`
    pub no_hooks: bool,
    /// `--cascade`
    pub cascade: Cascade,
    /// `--wait` with a strategy that waits on the release: wait until the
    /// deleted objects are gone.
    pub wait: bool,
    /// `--timeout`
    pub timeout: Duration,
    /// `--description`
    pub description: String,
    /// `--ignore-not-found`: a missing release is not an error.
    pub ignore_not_found: bool,
    /// `--dry-run`: only look the release up.
    pub dry_run: bool,
}

impl Default for Uninstall {
    /// Helm's defaults: purge, hooks on, background cascade, five minutes.
    fn default() -> Uninstall {
        Uninstall {
            keep_history: false,
            no_hooks: false,
            cascade: Cascade::Background,
            wait: false,
            timeout: Duration::from_secs(300),
            description: String::new(),
            ignore_not_found: false,
            dry_run: false,
        }
    }
}

/// What an uninstall did.
#[derive(Debug, Default)]
pub struct Uninstalled {
    /// The release as last recorded; `None` when `--ignore-not-found`
    /// found nothing.
    pub release: Option<Release>,
    /// Helm's note on the objects kept by their resource policy; empty
    /// when none was.
    pub info: String,
}

/// Why an uninstall failed, in Helm's words.
#[derive(Debug, thiserror::Error)]
pub enum UninstallError {
    /// The name is not a valid release name.
    #[error("uninstall: Release name is invalid: {0}")]
    InvalidName(String),
    /// `--dry-run` could not read the release.
    #[error(transparent)]
    DryRun(StorageError),
    /// The release has no record.
    #[error("uninstall: Release not loaded: {name}: {source}")]
    NotLoaded { name: String, source: StorageError },
    /// `--keep-history` on a release already uninstalled.
    #[error("the release named {0:?} is already deleted")]
    AlreadyDeleted(String),
    /// Purging the records of an uninstalled release failed.
    #[error("uninstall: Failed to purge the release: {0}")]
    Purge(StorageError),
    /// A pre-delete hook failed.
    #[error(transparent)]
    Hook(#[from] HookError),
    /// Some objects could not be deleted.
    #[error("failed to delete release: {0}")]
    Delete(String),
    /// The uninstall finished, with these errors on the way.
    #[error("uninstallation completed with {} error(s): {}", .0.len(), .0.join("; "))]
    Completed(Vec<String>),
}

impl Uninstall {
    /// Uninstalls release `name` from `storage`'s namespace.
    pub async fn run<D: Driver>(
        &self,
        kube: &Kube,
        storage: &Storage<D>,
        name: &str,
    ) -> Result<Uninstalled, UninstallError> {
        if self.dry_run {
            // Helm reads the last revision and changes nothing.
            return match storage.last(name).await {
                Ok(release) => {
                    // It still says which objects a real run would keep.
                    let mut objects = kube
                        .build(&release.manifest, &release.namespace)
                        .await
                        .map_err(|_| UninstallError::Delete(release.name.clone()))?;
                    sort_for_uninstall(&mut objects);
                    let kept: Vec<Object> =
                        objects.into_iter().filter(|o| is_kept(&o.body)).collect();
                    Ok(Uninstalled {
                        release: Some(release),
                        info: kept_note(&kept),
                    })
                }
                Err(StorageError::NotFound) if self.ignore_not_found => Ok(Uninstalled::default()),
                Err(e) => Err(UninstallError::DryRun(e)),
            };
        }
        if validate_release_name(name).is_err() {
            return Err(UninstallError::InvalidName(name.to_string()));
        }
        let history = match storage.history(name).await {
            Ok(history) => history,
            Err(StorageError::NotFound) if self.ignore_not_found => {
                return Ok(Uninstalled::default());
            }
            Err(source) => {
                return Err(UninstallError::NotLoaded {
                    name: name.to_string(),
                    source,
                });
            }
        };
        let Some(mut release) = history.iter().max_by_key(|r| r.version).cloned() else {
            return Err(UninstallError::NotLoaded {
                name: name.to_string(),
                source: StorageError::NotFound,
            });
        };
        if release.status() == Some(&Status::Uninstalled) {
            if self.keep_history {
                return Err(UninstallError::AlreadyDeleted(name.to_string()));
            }
            purge(storage, &history)
                .await
                .map_err(UninstallError::Purge)?;
            return Ok(Uninstalled {
                release: Some(release),
                info: String::new(),
            });
        }
        {
            let info = release.info.get_or_insert_with(Default::default);
            info.status = Some(Status::Uninstalling);
            info.deleted = now();
            info.description = "Deletion in progress (or silently failed)".into();
        }
        let hooks = HookRunner {
            kube,
            timeout: self.timeout,
            method: match release.apply_method {
                ApplyMethod::ClientSide => WriteMethod::ClientSide,
                _ => WriteMethod::ServerSide { force: false },
            },
        };
        if !self.no_hooks {
            hooks.run(&mut release, "pre-delete").await?;
        }
        // Helm goes on when this record cannot be written.
        let _ = storage.update(&release).await;
        let (deleted, kept) = self.delete_objects(kube, &release).await?;
        let mut errors = Vec::new();
        if self.wait
            && let Err(e) = wait_for(
                kube,
                &deleted,
                Goal::Deleted,
                WaitFor::Resources,
                self.timeout,
            )
            .await
        {
            errors.push(e.to_string());
        }
        if !self.no_hooks
            && let Err(e) = hooks.run(&mut release, "post-delete").await
        {
            errors.push(e.to_string());
        }
        {
            let info = release.info.get_or_insert_with(Default::default);
            info.status = Some(Status::Uninstalled);
            info.description = if self.description.is_empty() {
                "Uninstallation complete".into()
            } else {
                self.description.clone()
            };
        }
        if self.keep_history {
            if let Err(e) = storage.update(&release).await {
                errors.push(e.to_string());
            }
        } else if let Err(e) = purge(storage, &history).await {
            errors.push(UninstallError::Purge(e).to_string());
        }
        if !errors.is_empty() {
            return Err(UninstallError::Completed(errors));
        }
        let info = kept_note(&kept);
        Ok(Uninstalled {
            release: Some(release),
            info,
        })
    }

    /// Deletes the release's objects but those it keeps; returns what was
    /// deleted and those kept.
    async fn delete_objects(
        &self,
        kube: &Kube,
        release: &Release,
    ) -> Result<(Vec<Object>, Vec<Object>), UninstallError> {
        // Helm reports any failure here by the release's name alone.
        let failed = || UninstallError::Delete(release.name.clone());
        let mut objects = kube
            .build(&release.manifest, &release.namespace)
            .await
            .map_err(|_| failed())?;
        sort_for_uninstall(&mut objects);
        let (keep, delete): (Vec<_>, Vec<_>) = objects.into_iter().partition(|o| is_kept(&o.body));
        let (deleted, errors) = kube.delete_all(&delete, self.cascade).await;
        if !errors.is_empty() {
            return Err(failed());
        }
        Ok((deleted, keep))
    }
}

/// Helm's note on the objects kept by their resource policy, one
/// `[Kind] name` line each; empty when none is.
fn kept_note(kept: &[Object]) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let lines: String = kept
        .iter()
        .map(|o| format!("[{}] {}\n", o.resource.kind, o.name))
        .collect();
    format!("These resources were kept due to the resource policy:\n{lines}")
}

/// Deletes every revision in `history`.
async fn purge<D: Driver>(storage: &Storage<D>, history: &[Release]) -> Result<(), StorageError> {
    for revision in history {
        storage.delete(&revision.name, revision.version).await?;
    }
    Ok(())
}
