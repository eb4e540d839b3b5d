//! Everything Helm knows, as a library shared by the `kubectl-helm` plugin,
//! the admission webhook and the tests.
//!
//! A chart is loaded ([`chart`]), the user's values are laid over its
//! defaults ([`values`]), the templates are rendered by Go's template
//! language ([`engine`]), and the output is split and ordered into
//! manifests ([`manifest`]). [`action`] strings these steps into Helm's
//! verbs. [`codec`] reads and writes Helm's data formats byte for byte.
//! The pure parts do no I/O, so every consumer shares one behaviour.

pub mod action;
pub mod chart;
pub mod codec;
pub mod constraints;
pub mod engine;
pub mod goio;
pub mod kube;
pub mod lint;
pub mod log;
pub mod manifest;
pub mod pathmatch;
pub mod policy;
pub mod release;
pub mod settings;
pub mod storage;
pub mod values;
