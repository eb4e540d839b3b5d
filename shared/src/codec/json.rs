//! TODO(codec helper): see codec/mod.rs
