//! Reading a chart archive into memory with Helm's safety rules.
//!
//! Nothing here touches the disk: the archive is decompressed and unpacked
//! in memory, every entry's path is checked before its data is read, and
//! decompression stops as soon as the total passes Helm's limit, so a gzip
//! bomb costs at most that much.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use tar::EntryType;

use crate::chart::File;

/// The most a chart may hold once decompressed, all files together (Helm's
/// `MaxDecompressedChartSize`). Helm 4.3.1 has no separate per-file limit
/// for archives.
pub const MAX_DECOMPRESSED_CHART_BYTES: u64 = 100 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why an archive was refused; the messages are those of Helm's archive
/// loader (and of Go's gzip, flate and tar readers under it).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// No bytes at all.
    #[error("EOF")]
    Empty,
    #[error("gzip: invalid header")]
    GzipHeader,
    /// The data ends inside a header or a file.
    #[error("unexpected EOF")]
    Truncated,
    #[error("flate: corrupt input")]
    CorruptDeflate,
    #[error("archive/tar: invalid tar header")]
    TarHeader,
    #[error("chart illegally contains absolute paths")]
    AbsolutePath,
    /// An entry that names no file under the chart directory (the name as
    /// it appears in the archive).
    #[error("chart illegally contains content outside the base directory: {}", crate::engine::gofmt::quote(.0))]
    OutsideBase(String),
    #[error("chart illegally references parent directory")]
    ParentDirectory,
    /// A path that still reads as a Windows drive (`c:/…`) after cleaning.
    #[error("chart contains illegally named files")]
    DriveLetter,
    #[error("chart yaml not in base directory")]
    ChartYamlNotInBase,
    #[error("decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_BYTES}")]
    TooLarge,
    #[error("no files in chart archive")]
    NoFiles,
}

/// Reads the files of a gzipped tar chart archive, named relative to the
/// chart root: the first segment of every entry (the chart's directory) is
/// dropped, whatever it is called.
///
/// As in Helm: directories and PAX headers are skipped; links, devices and
/// FIFOs become empty files (their targets are never followed); a UTF-8 BOM
/// is stripped; `.helmignore` is not applied.
pub fn read_archive(bytes: &[u8]) -> Result<Vec<File>, ArchiveError> {
    check_gzip_header(bytes)?;
    let inflate_failed = Rc::new(Cell::new(None));
    let stream = Watched {
        inner: MultiGzDecoder::new(bytes),
        failure: Rc::clone(&inflate_failed),
    };
    let classify = |e: io::Error| classify(&e, inflate_failed.get());

    let mut archive = tar::Archive::new(stream);
    let mut remaining = MAX_DECOMPRESSED_CHART_BYTES as i64;
    let mut files = Vec::new();
    for entry in archive.entries().map_err(classify)? {
        let mut entry = entry.map_err(classify)?;
        let header = entry.header();
        let kind = header.entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if is_directory(kind, header.mode().unwrap_or(0), &raw_name)
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
        {
            continue;
        }
        let name = chart_relative_name(&raw_name)?;
        let size = i64::try_from(entry.size()).unwrap_or(i64::MAX);
        if size > remaining {
            return Err(ArchiveError::TooLarge);
        }
        let mut data = Vec::new();
        if has_data(kind) {
            // `size` is at most `remaining`, so this read is bounded.
            (&mut entry)
                .take(size as u64)
                .read_to_end(&mut data)
                .map_err(classify)?;
            if (data.len() as i64) < size {
                return Err(ArchiveError::Truncated);
            }
        } else if size > 0 {
            // Go reads no data for header-only entries, so a size in their
            // header counts as a short read, which Helm reports as too large.
            return Err(ArchiveError::TooLarge);
        }
        remaining -= data.len() as i64;
        if remaining <= 0 {
            return Err(ArchiveError::TooLarge);
        }
        if data.starts_with(UTF8_BOM) {
            data.drain(..UTF8_BOM.len());
        }
        files.push(File { name, data });
    }
    if files.is_empty() {
        return Err(ArchiveError::NoFiles);
    }
    Ok(files)
}

/// The checks Go's `gzip.NewReader` makes on the first member's header:
/// its magic and method, its optional fields, and their checksum. Go, unlike
/// some readers, ignores the reserved flag bits.
fn check_gzip_header(bytes: &[u8]) -> Result<(), ArchiveError> {
    const FHCRC: u8 = 1 << 1;
    const FEXTRA: u8 = 1 << 2;
    const FNAME: u8 = 1 << 3;
    const FCOMMENT: u8 = 1 << 4;
    /// Go gives up on a name or comment longer than its 512-byte buffer.
    const MAX_STRING: usize = 512;

    if bytes.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let fixed = bytes.get(..10).ok_or(ArchiveError::Truncated)?;
    if fixed[..3] != [0x1F, 0x8B, 8] {
        return Err(ArchiveError::GzipHeader);
    }
    let flags = fixed[3];
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let len = bytes.get(pos..pos + 2).ok_or(ArchiveError::Truncated)?;
        pos += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
        if pos > bytes.len() {
            return Err(ArchiveError::Truncated);
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = &bytes[pos..];
            match rest.iter().take(MAX_STRING).position(|&b| b == 0) {
                Some(end) => pos += end + 1,
                None if rest.len() < MAX_STRING => return Err(ArchiveError::Truncated),
                None => return Err(ArchiveError::GzipHeader),
            }
        }
    }
    if flags & FHCRC != 0 {
        let stored = bytes.get(pos..pos + 2).ok_or(ArchiveError::Truncated)?;
        let mut crc = flate2::Crc::new();
        crc.update(&bytes[..pos]);
        if crc.sum() as u16 != u16::from_le_bytes([stored[0], stored[1]]) {
            return Err(ArchiveError::GzipHeader);
        }
    }
    Ok(())
}

/// Passes reads through, remembering how the decompressor failed, so an
/// error surfacing through the tar reader can be told apart from a tar one.
struct Watched<R> {
    inner: R,
    failure: Rc<Cell<Option<io::ErrorKind>>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            self.failure.set(Some(e.kind()));
        })
    }
}

fn classify(e: &io::Error, inflate_failure: Option<io::ErrorKind>) -> ArchiveError {
    match (inflate_failure, e.kind()) {
        (Some(io::ErrorKind::UnexpectedEof), _) | (None, io::ErrorKind::UnexpectedEof) => {
            ArchiveError::Truncated
        }
        (Some(_), _) => ArchiveError::CorruptDeflate,
        (None, _) => ArchiveError::TarHeader,
    }
}

/// Go's `FileInfo().IsDir()` for a tar header: the directory type, an old
/// regular entry named with a trailing slash, or directory mode bits.
fn is_directory(kind: EntryType, mode: u32, name: &str) -> bool {
    const TYPE_BITS: u32 = !0o7777;
    const DIR_BITS: u32 = 0o040000;
    kind.is_dir()
        || (kind.as_byte() == b'\0' && name.ends_with('/'))
        || mode & TYPE_BITS == DIR_BITS
}

/// Entries whose data Go's tar reader reads; the others carry a header only.
fn has_data(kind: EntryType) -> bool {
    !(kind.is_hard_link()
        || kind.is_symlink()
        || kind.is_character_special()
        || kind.is_block_special()
        || kind.is_dir()
        || kind.is_fifo())
}

/// The entry's path below the chart directory, refused when it would land
/// anywhere else. The order of the checks is Helm's, so the same archive
/// gets the same complaint.
fn chart_relative_name(raw: &str) -> Result<String, ArchiveError> {
    // Archives made on Windows may separate with backslashes.
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let mut parts = raw.split(delimiter);
    let first = parts.next().unwrap_or_default();
    let rest = parts.collect::<Vec<_>>().join("/");
    if rest.starts_with('/') {
        return Err(ArchiveError::AbsolutePath);
    }
    let name = clean_path(&rest);
    if name == "." {
        return Err(ArchiveError::OutsideBase(raw.to_string()));
    }
    // Helm's test is on the prefix, so `..data` is refused too.
    if name.starts_with("..") {
        return Err(ArchiveError::ParentDirectory);
    }
    if is_drive_path(&name) {
        return Err(ArchiveError::DriveLetter);
    }
    if first == "Chart.yaml" {
        return Err(ArchiveError::ChartYamlNotInBase);
    }
    Ok(name)
}

/// Go's `path.Clean` for a relative path: no empty or `.` segments, `..`
/// resolved lexically, `.` for nothing.
fn clean_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if out.last().is_some_and(|last| *last != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

fn is_drive_path(name: &str) -> bool {
    matches!(name.as_bytes(), [letter, b':', b'/', ..] if letter.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_first_segment() {
        assert_eq!(
            chart_relative_name("x/templates/a.yaml").unwrap(),
            "templates/a.yaml"
        );
        assert_eq!(
            chart_relative_name("x\\templates\\a.yaml").unwrap(),
            "templates/a.yaml"
        );
        assert_eq!(chart_relative_name("/x/a/./b").unwrap(), "x/a/b");
        assert_eq!(chart_relative_name("x/a/../b").unwrap(), "b");
    }

    #[test]
    fn names_outside_the_chart_are_refused() {
        let err = |n| chart_relative_name(n).unwrap_err().to_string();
        assert_eq!(
            err("x/../../evil"),
            "chart illegally references parent directory"
        );
        assert_eq!(
            err("x/..data"),
            "chart illegally references parent directory"
        );
        assert_eq!(
            err("x//etc/passwd"),
            "chart illegally contains absolute paths"
        );
        assert_eq!(err("x/c:/foo"), "chart contains illegally named files");
        assert_eq!(err("x\\c:\\foo"), "chart contains illegally named files");
        assert_eq!(
            err("Chart.yaml"),
            "chart illegally contains content outside the base directory: \"Chart.yaml\""
        );
        assert_eq!(err("Chart.yaml/x"), "chart yaml not in base directory");
    }

    #[test]
    fn gzip_headers_are_checked_first() {
        assert!(matches!(read_archive(b""), Err(ArchiveError::Empty)));
        assert!(matches!(
            read_archive(b"\x1f\x8b\x08"),
            Err(ArchiveError::Truncated)
        ));
        assert!(matches!(
            read_archive(b"hello world"),
            Err(ArchiveError::GzipHeader)
        ));
        // Every optional field, and a header checksum that does not match.
        let bad_crc = b"\x1f\x8b\x08\xff\0\0\0\0\0\0\0\0\0\0\0\0";
        assert!(matches!(
            read_archive(bad_crc),
            Err(ArchiveError::GzipHeader)
        ));
    }
}
