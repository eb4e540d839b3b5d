//! Chart archives (`NAME-VERSION.tgz`): gzipped tar files holding the chart
//! under one top directory. [`read_archive`] unpacks one in memory with
//! Helm's safety checks; [`write_archive`] packs files as `helm package`
//! does, deterministically.

mod open;
mod read;
mod sniff;
mod write;

pub use open::{OpenError, load_archive, load_file};
pub use read::{ArchiveError, MAX_DECOMPRESSED_CHART_BYTES, read_archive};
pub use sniff::detect_content_type;
pub use write::write_archive;
