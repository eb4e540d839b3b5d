//! What Helm does to objects in a cluster, as pure functions over JSON.
//!
//! [`strategic_merge`] computes and applies Kubernetes strategic merge
//! patches: the three-way patch Helm 3's client-side apply sends, and the
//! merge the API server performs when it receives one. [`ownership`] is the
//! metadata that ties an object to its release, and Helm's check before it
//! adopts an existing object. [`status`] judges whether an object is ready,
//! as `--wait` does.

pub mod ownership;
pub mod status;
pub mod strategic_merge;
