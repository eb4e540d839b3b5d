//! What Helm does to objects in a cluster.
//!
//! Pure functions over JSON: [`strategic_merge`] computes and applies
//! Kubernetes strategic merge patches (the three-way patch Helm 3's
//! client-side apply sends, and the merge the API server performs when it
//! receives one); [`ownership`] is the metadata that ties an object to its
//! release, and Helm's check before it adopts an existing object;
//! [`status`] judges whether an object is ready, as `--wait` does.
//!
//! The client: [`Kube`] connects as Helm's settings say ([`config`]), limits
//! its request rate as client-go does ([`throttle`]), maps kinds to
//! resources through discovery ([`discovery`]) and reads and writes any
//! object as JSON ([`dynamic`]); [`lookup`] is the template function's
//! live backend. [`selector`] parses and matches label
//! selectors on the client side.

pub mod client;
pub mod config;
pub mod discovery;
pub mod dynamic;
pub mod lookup;
pub mod ownership;
pub mod resources;
pub mod selector;
pub mod status;
pub mod strategic_merge;
pub mod throttle;

/// The request parameters of the dynamic verbs, from kube-rs.
pub use ::kube::api::{DeleteParams, Patch, PatchParams, PostParams};
pub use client::{Kube, KubeError};
pub use discovery::Resource;
