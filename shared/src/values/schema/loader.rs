//! What a `$ref` (or `$schema`) outside the document loads. Like Helm, a
//! `file:` URL reads that file and an unresolved `urn:` is the permissive
//! schema `true`. Unlike Helm, `http:` and `https:` are not fetched: we
//! render offline, and a chart whose schema needs the network fails with a
//! message saying so. The drafts' own metaschemas are built into boon and
//! never loaded.

use std::error::Error;

use serde_json::Value as Json;

use super::document;
use crate::values::io_message;

pub(super) struct Loader;

#[derive(Debug, thiserror::Error)]
enum LoadError {
    #[error("open {path}: {message}")]
    Open { path: String, message: String },
    #[error("{0}")]
    Document(String),
    #[error("remote schema {0} is not fetched: kubectl-helm validates offline")]
    Remote(String),
    #[error("no URLLoader registered for {0:?}")]
    Scheme(String),
}

impl boon::UrlLoader for Loader {
    fn load(&self, url: &str) -> Result<Json, Box<dyn Error>> {
        if url.starts_with("urn:") {
            return Ok(Json::Bool(true));
        }
        if let Some(path) = url.strip_prefix("file://") {
            let path = percent_decode(path);
            let bytes = std::fs::read(&path).map_err(|e| LoadError::Open {
                path: path.clone(),
                message: io_message(&e),
            })?;
            return Ok(document::read(&bytes).map_err(LoadError::Document)?);
        }
        if url.starts_with("http://") || url.starts_with("https://") {
            return Err(Box::new(LoadError::Remote(url.to_string())));
        }
        Err(Box::new(LoadError::Scheme(url.to_string())))
    }
}

/// `%XX` escapes of a file URL's path, decoded (invalid ones kept).
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_percent_decoded() {
        assert_eq!(percent_decode("/a%20b/c.json"), "/a b/c.json");
        assert_eq!(percent_decode("/bad%zz"), "/bad%zz");
    }
}
