//! TODO: owned by a helper

use super::FuncMap;

pub(super) fn register(_map: &mut FuncMap) {}
