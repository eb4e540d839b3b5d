//! Sprig's `urlParse` and `urlJoin`, over a port of the parts of Go's
//! `net/url` they use (`Parse` and `URL.String`).
//!
//! Known differences: Go's IPv6 zone (`%25`) handling and its IP-literal
//! validation inside `[...]` are not reproduced.

use std::collections::BTreeMap;

use super::lists::NIL_DEREF;
use super::{Env, FuncMap, add};
use crate::engine::value::{Map, MapKind, Ty, Value};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "urlParse", &[Ty::String], url_parse);
    add(map, "urlJoin", &[Ty::Dict], url_join);
}

/// Go's `url.URL`, reduced to what Sprig reads and writes.
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<UserInfo>,
    host: String,
    path: String,
    raw_query: String,
    force_query: bool,
    fragment: String,
    omit_host: bool,
}

struct UserInfo {
    username: String,
    password: Option<String>,
}

fn url_parse(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let raw = args.first().and_then(Value::as_str).unwrap_or_default();
    let url = parse(raw).map_err(|e| format!("unable to parse url: {e}"))?;
    let userinfo = url
        .user
        .as_ref()
        .map(UserInfo::to_string)
        .unwrap_or_default();
    let fields = [
        ("scheme", url.scheme.clone()),
        ("host", url.host.clone()),
        ("hostname", hostname(&url.host).to_owned()),
        ("path", url.path),
        ("query", url.raw_query),
        ("opaque", url.opaque),
        ("fragment", url.fragment),
        ("userinfo", userinfo),
    ];
    let entries: BTreeMap<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
    Ok(Value::Map(Map::from_entries(MapKind::Any, entries)))
}

fn url_join(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let dict = match args.first() {
        Some(Value::Map(m)) => m.entries().clone(),
        _ => BTreeMap::new(),
    };
    let get = |key: &str| -> Result<String, String> {
        match dict.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            Some(Value::Nil) => Err(NIL_DEREF.into()),
            Some(other) => Err(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                other.kind_name()
            )),
        }
    };
    let mut url = Url {
        scheme: get("scheme")?,
        host: get("host")?,
        path: get("path")?,
        raw_query: get("query")?,
        opaque: get("opaque")?,
        fragment: get("fragment")?,
        ..Url::default()
    };
    let userinfo = get("userinfo")?;
    if !userinfo.is_empty() {
        let carrier = parse(&format!("proto://{userinfo}@host"))
            .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
        url.user = carrier.user;
    }
    Ok(Value::from(url.to_string()))
}

/// Go's `url.Parse` (not via a request), with its `*url.Error` wording.
fn parse(raw: &str) -> Result<Url, String> {
    let (before, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let fail = |url: &str, err: String| format!("parse {}: {err}", go_quote(url));
    let mut url = parse_without_fragment(before).map_err(|e| fail(before, e))?;
    if let Some(fragment) = fragment {
        url.fragment = unescape(fragment, Mode::Fragment).map_err(|e| fail(raw, e))?;
    }
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_owned();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        let first_segment = rest.split('/').next().unwrap_or_default();
        if first_segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, path) = match authority.find('/') {
            Some(i) => authority.split_at(i),
            None => (authority, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest, Mode::Path)?;
    Ok(url)
}

/// Go's `getScheme`: letters, then letters, digits, `+-.`, up to a `:`.
fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(Option<UserInfo>, String), String> {
    let Some(at) = authority.rfind('@') else {
        return Ok((None, parse_host(authority)?));
    };
    let host = parse_host(&authority[at + 1..])?;
    let userinfo = &authority[..at];
    if !userinfo.bytes().all(valid_userinfo_byte) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        Some((name, password)) => UserInfo {
            username: unescape(name, Mode::UserPassword)?,
            password: Some(unescape(password, Mode::UserPassword)?),
        },
        None => UserInfo {
            username: unescape(userinfo, Mode::UserPassword)?,
            password: None,
        },
    };
    Ok((Some(user), host))
}

fn valid_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b) || b >= 0x80
}

fn parse_host(host: &str) -> Result<String, String> {
    let port = if host.starts_with('[') {
        let close = host.rfind(']').ok_or("missing ']' in host")?;
        &host[close + 1..]
    } else {
        host.rfind(':').map_or("", |i| &host[i..])
    };
    let valid_port =
        port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()));
    if !valid_port {
        return Err(format!("invalid port {} after host", go_quote(port)));
    }
    unescape(host, Mode::Host)
}

/// Go's `URL.Hostname`: the host without port or IPv6 brackets.
fn hostname(host: &str) -> &str {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &host[..i],
        _ => host,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

/// Go's `unescape`: `%XX` decoding, with its errors.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                let Some(hex) = hex else {
                    let end = (i + 3).min(bytes.len());
                    return Err(format!("invalid URL escape {}", go_quote(&s[i..end])));
                };
                let value =
                    u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("00"), 16).unwrap_or(0);
                out.push(value);
                i += 3;
            }
            b if mode == Mode::Host && b < 0x80 && should_escape(b, mode) => {
                return Err(format!(
                    "invalid character {} in host name",
                    go_quote(&s[i..i + 1])
                ));
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `escape` for the given component (spaces as `%20`).
fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

impl std::fmt::Display for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape(&self.username, Mode::UserPassword))?;
        if let Some(password) = &self.password {
            write!(f, ":{}", escape(password, Mode::UserPassword))?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Url {
    /// Go's `URL.String`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            let has_authority = !self.host.is_empty() || self.user.is_some();
            if has_authority || (!self.scheme.is_empty() && !self.omit_host) {
                if has_authority || !self.path.is_empty() {
                    out.push_str("//");
                }
                if let Some(user) = &self.user {
                    out.push_str(&format!("{user}@"));
                }
                out.push_str(&escape(&self.host, Mode::Host));
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
                out.push_str("./");
            }
            out.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        f.write_str(&out)
    }
}

/// Go's `%q` for URL texts.
fn go_quote(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn parsed(raw: &str) -> String {
        match call("urlParse", vec![raw.into()]) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("ERR {e}"),
        }
    }

    fn joined(pairs: &[(&str, &str)]) -> String {
        let entries = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        let dict = Value::Map(Map::from_entries(MapKind::Any, entries));
        call("urlJoin", vec![dict])
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Expectations from Helm 4.3.1.
    #[test]
    fn parse_like_go() {
        assert_eq!(
            parsed("https://user:pa%20ss@example.com:8443/path/to?q=1&r=two#frag"),
            r#"{"fragment": "frag", "host": "example.com:8443", "hostname": "example.com", "opaque": "", "path": "/path/to", "query": "q=1&r=two", "scheme": "https", "userinfo": "user:pa%20ss"}"#
        );
        assert_eq!(
            parsed("mailto:joe@example.com?subject=hi"),
            r#"{"fragment": "", "host": "", "hostname": "", "opaque": "joe@example.com", "path": "", "query": "subject=hi", "scheme": "mailto", "userinfo": ""}"#
        );
        assert!(parsed("/path/a%20b?x=1#frag%21").contains(r#""fragment": "frag!""#));
        assert!(parsed("http://[::1]:8080/p").contains(r#""hostname": "::1""#));
        assert_eq!(
            parsed("http://a b.com/"),
            r#"ERR unable to parse url: parse "http://a b.com/": invalid character " " in host name"#
        );
        assert_eq!(
            parsed("http://x/%zz"),
            r#"ERR unable to parse url: parse "http://x/%zz": invalid URL escape "%zz""#
        );
        assert_eq!(
            parsed("1http://x"),
            r#"ERR unable to parse url: parse "1http://x": first path segment in URL cannot contain colon"#
        );
    }

    #[test]
    fn join_like_go() {
        let full = [
            ("scheme", "https"),
            ("host", "example.com:80"),
            ("path", "/a b"),
            ("query", "x=1"),
            ("fragment", "f g"),
            ("userinfo", "u:p"),
        ];
        assert_eq!(joined(&full), "https://u:p@example.com:80/a%20b?x=1#f%20g");
        assert_eq!(joined(&[]), "");
        assert_eq!(joined(&[("path", "a/b")]), "a/b");
        assert_eq!(
            joined(&[("opaque", "joe@x"), ("scheme", "mailto")]),
            "mailto:joe@x"
        );
        assert_eq!(joined(&[("path", "a:b")]), "./a:b");
        assert_eq!(joined(&[("host", "h"), ("path", "rel")]), "//h/rel");
    }
}
