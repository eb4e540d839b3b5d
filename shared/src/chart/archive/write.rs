//! Writing a chart archive in the layout Helm writes, deterministically.
//!
//! Helm 4.3.1 stamps each entry with its source file's modification time
//! (or `SOURCE_DATE_EPOCH`), so its archives change with a fresh checkout.
//! Ours take one given time for every entry, so the same chart always gives
//! the same bytes: entries in the order given, mode 0644, owner 0:0 with no
//! names, plain ustar headers (a GNU long-name record only for paths ustar
//! cannot hold), and a gzip header without a timestamp.

use std::io::{self, Write};

use flate2::{Compression, GzBuilder};

use crate::chart::File;

/// The gzip "extra" field of Helm's archives: one subfield, `rr`, whose 40
/// bytes Helm has always written there.
const GZIP_EXTRA: &[u8; 44] = b"rr\x28\x00aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";
/// Go's `gzip` writes "unknown" for the operating system.
const GZIP_OS_UNKNOWN: u8 = 255;

/// Archives `files` (named relative to the chart root, in the order given)
/// under the directory `root`, every entry stamped with `mtime` (seconds
/// since the Unix epoch).
///
/// Fails only on a name a tar header cannot hold (one with `..` or a
/// leading `/`), which a chart loaded from disk never has.
pub fn write_archive(root: &str, files: &[File], mtime: u64) -> io::Result<Vec<u8>> {
    let gzip = GzBuilder::new()
        .extra(GZIP_EXTRA.to_vec())
        .comment("Helm")
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gzip);
    for file in files {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_size(file.data.len() as u64);
        let path = format!("{root}/{}", file.name);
        tar.append_data(&mut header, path, file.data.as_slice())?;
    }
    let mut gzip = tar.into_inner()?;
    gzip.flush()?;
    gzip.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::archive::read_archive;

    fn file(name: &str, data: &str) -> File {
        File {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn what_is_written_reads_back() {
        let long = format!("files/{}/{}.txt", "d".repeat(120), "e".repeat(120));
        let files = vec![
            file("Chart.yaml", "name: x\n"),
            file("templates/a.yaml", "a: 1\n"),
            file(&long, "long"),
        ];
        let bytes = write_archive("x", &files, 0).unwrap();
        let back = read_archive(&bytes).unwrap();
        let names: Vec<_> = back.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml", long.as_str()]);
        assert_eq!(back[2].data, b"long");
    }

    #[test]
    fn same_input_same_bytes() {
        let files = vec![file("Chart.yaml", "name: x\n")];
        assert_eq!(
            write_archive("x", &files, 7).unwrap(),
            write_archive("x", &files, 7).unwrap()
        );
    }

    #[test]
    fn gzip_header_is_helms() {
        let bytes = write_archive("x", &[file("Chart.yaml", "")], 0).unwrap();
        // Magic, deflate, FEXTRA|FCOMMENT, no mtime, then the extra field.
        assert_eq!(&bytes[..4], b"\x1f\x8b\x08\x14");
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(bytes[9], GZIP_OS_UNKNOWN);
        assert_eq!(&bytes[10..12], &[44, 0]);
        assert_eq!(&bytes[12..56], GZIP_EXTRA);
        assert_eq!(&bytes[56..61], b"Helm\0");
    }
}
