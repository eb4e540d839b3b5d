//! Everything Helm knows, as a library: the template engine today; charts,
//! values, releases, storage and the rest as the plugin grows.
//!
//! The pure parts (templates, encoding) do no I/O, so the plugin, the
//! webhook and the tests share one implementation of Helm's behaviour.

pub mod codec;
pub mod constraints;
pub mod engine;
