//! Semantic-version constraints as Helm reads them (Masterminds/semver v3):
//! `semverCompare` in templates, and chart dependency ranges.
//!
//! A constraint is OR-groups (`||`) of AND-ed terms separated by spaces or
//! commas: `>= 1.2, < 2 || ^3.1`. Terms: `=`, `!=`, `>`, `<`, `>=`, `<=`
//! (and `=>`, `=<`), `~` (`~>`), `^`, bare versions, wildcards (`1.2.x`,
//! `*`), partial versions (`1.2`), hyphen ranges (`1.2 - 1.4.5`).
//!
//! Prereleases: a version with a prerelease only satisfies an AND-group in
//! which some term carries a prerelease (`>= 1.0.0-0`), as in Masterminds.
//!
//! Versions are parsed leniently, as Masterminds' `NewVersion` does:
//! `v1`, `1.2` and `01.2.3` are `1.0.0`, `1.2.0` and `1.2.3`.

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use semver::{BuildMetadata, Prerelease, Version};

/// Masterminds' limit on a version string.
const MAX_VERSION_LEN: usize = 256;
/// Masterminds' limit on a constraint string.
const MAX_CONSTRAINT_LEN: usize = 512;
/// Masterminds' limit on `||` groups.
const MAX_GROUPS: usize = 32;

/// Why a version string is not a version; `Display` gives Masterminds' text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("invalid semantic version")]
    Invalid,
    #[error("version string is too long (max {MAX_VERSION_LEN} bytes)")]
    TooLong,
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    #[error("error parsing version segment: strconv.ParseUint: parsing {0:?}: value out of range")]
    OutOfRange(String),
    #[error("invalid metadata string")]
    InvalidMetadata,
}

/// Why a constraint string is not a constraint; `Display` gives
/// Masterminds' text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConstraintError {
    /// Text that has no constraint's shape (quoted as Go's `%q` does).
    #[error("improper constraint: {}", crate::engine::gofmt::quote(.0))]
    Improper(String),
    /// A constraint's shape holding a version that cannot be built.
    #[error("constraint parser error")]
    Parser,
    #[error("constraint string is too long (max {MAX_CONSTRAINT_LEN} bytes)")]
    TooLong,
    #[error("too many constraint groups (max {MAX_GROUPS})")]
    TooManyGroups,
}

/// Parses a version the lenient Masterminds way (`NewVersion` with
/// coercion): optional `v`, one to three numeric parts (missing ones are 0,
/// leading zeros allowed), then an optional prerelease and build metadata.
pub fn parse_version(s: &str) -> Result<Version, VersionError> {
    if s.len() > MAX_VERSION_LEN {
        return Err(VersionError::TooLong);
    }
    let body = s.strip_prefix('v').unwrap_or(s);
    let (core, build) = match body.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (body, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let well_formed = parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && pre.is_none_or(is_identifier_list)
        && build.is_none_or(is_identifier_list);
    if !well_formed {
        return Err(VersionError::Invalid);
    }
    let number = |i: usize| -> Result<u64, VersionError> {
        parts.get(i).map_or(Ok(0), |p| {
            p.parse()
                .map_err(|_| VersionError::OutOfRange((*p).to_owned()))
        })
    };
    let (major, minor, patch) = (number(0)?, number(1)?, number(2)?);
    let pre = match pre {
        Some(p) => prerelease(p).ok_or(VersionError::SegmentStartsZero)?,
        None => Prerelease::EMPTY,
    };
    let build = match build {
        Some(b) => BuildMetadata::new(b).map_err(|_| VersionError::InvalidMetadata)?,
        None => BuildMetadata::EMPTY,
    };
    Ok(Version {
        major,
        minor,
        patch,
        pre,
        build,
    })
}

/// Dot-separated, non-empty identifiers of `[0-9A-Za-z-]`.
fn is_identifier_list(s: &str) -> bool {
    s.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(is_identifier_byte))
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// A prerelease, or `None` when a numeric identifier has a leading zero
/// (the only way well-formed identifiers can be invalid).
fn prerelease(s: &str) -> Option<Prerelease> {
    Prerelease::new(s).ok()
}

/// Masterminds' version order: numbers, then prerelease (a release is above
/// its prereleases); build metadata is ignored.
pub fn compare(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prerelease(a.pre.as_str(), b.pre.as_str()),
        })
}

/// Identifier by identifier: numbers numerically and below words, words in
/// ASCII order, a missing identifier below a present one.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (mut xs, mut ys) = (a.split('.'), b.split('.'));
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// A parsed constraint: OR-groups of AND-ed terms.
#[derive(Clone, Debug)]
pub struct Constraint {
    groups: Vec<Group>,
    text: String,
}

#[derive(Clone, Debug)]
struct Group {
    terms: Vec<Term>,
    /// Some term names a prerelease, so prerelease versions may match.
    admits_prereleases: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `=` or nothing: equality, or `~` when the version has a wildcard.
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// Which part of the constraint's version was a wildcard or missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wild {
    None,
    /// `*` / `x`: everything.
    Major,
    /// `1` / `1.x`.
    Minor,
    /// `1.2` / `1.2.x`.
    Patch,
}

#[derive(Clone, Debug)]
struct Term {
    op: Op,
    version: Version,
    wild: Wild,
}

impl Constraint {
    /// Parses a constraint as Masterminds' `NewConstraint` does.
    pub fn parse(text: &str) -> Result<Constraint, ConstraintError> {
        if text.len() > MAX_CONSTRAINT_LEN {
            return Err(ConstraintError::TooLong);
        }
        let rewritten = rewrite_ranges(text);
        let groups: Vec<&str> = rewritten.split("||").collect();
        if groups.len() > MAX_GROUPS {
            return Err(ConstraintError::TooManyGroups);
        }
        let groups = groups
            .into_iter()
            .map(parse_group)
            .collect::<Result<Vec<Group>, ConstraintError>>()?;
        Ok(Constraint {
            groups,
            text: text.to_owned(),
        })
    }

    /// Whether `version` satisfies the constraint.
    pub fn matches(&self, version: &Version) -> bool {
        self.groups.iter().any(|g| {
            (version.pre.is_empty() || g.admits_prereleases)
                && g.terms.iter().all(|t| t.matches(version))
        })
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A version (`v1.2.3-pre+meta`, parts possibly wildcards) in the
/// constraint grammar, as a regex fragment with Masterminds' groups.
const CONSTRAINT_VERSION: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// Rewrites each hyphen range `A - B` into `>= A, <= B `.
fn rewrite_ranges(text: &str) -> String {
    if !text.contains('-') {
        return text.to_owned();
    }
    static RANGE: OnceLock<Regex> = OnceLock::new();
    let range = RANGE.get_or_init(|| {
        let space = r"[\t\n\x0C\r ]";
        let pattern = format!(
            "{space}*({CONSTRAINT_VERSION}){space}+-{space}+({CONSTRAINT_VERSION}){space}*"
        );
        Regex::new(&pattern).expect("the range pattern is valid")
    });
    let mut out = text.to_owned();
    for caps in range.captures_iter(text) {
        let (Some(whole), Some(low), Some(high)) = (caps.get(0), caps.get(1), caps.get(11)) else {
            continue;
        };
        let replacement = format!(">= {}, <= {} ", low.as_str(), high.as_str());
        out = out.replacen(whole.as_str(), &replacement, 1);
    }
    out
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
}

/// An AND-group: terms separated by whitespace, a comma, or both.
fn parse_group(group: &str) -> Result<Group, ConstraintError> {
    let improper = || ConstraintError::Improper(group.to_owned());
    let mut s = skip_space(group);
    if s.is_empty() {
        return Err(improper());
    }
    let mut terms = Vec::new();
    loop {
        let (term, rest) = scan_term(s)?;
        terms.push(term);
        let mut trimmed = skip_space(rest);
        if trimmed.is_empty() {
            break;
        }
        if let Some(after_comma) = trimmed.strip_prefix(',') {
            trimmed = skip_space(after_comma);
        } else if trimmed.len() == rest.len() {
            return Err(improper());
        }
        if trimmed.is_empty() {
            return Err(improper());
        }
        s = trimmed;
    }
    let admits_prereleases = terms.iter().any(|t| !t.version.pre.is_empty());
    Ok(Group {
        terms,
        admits_prereleases,
    })
}

/// Reads one term from the front of `s`; returns it and the rest.
fn scan_term(s: &str) -> Result<(Term, &str), ConstraintError> {
    let (op, rest) = scan_op(s);
    let rest = skip_space(rest);
    let scanned = scan_version(rest).ok_or_else(|| ConstraintError::Improper(s.to_owned()))?;
    let term = build_term(op, &scanned)?;
    Ok((term, scanned.after))
}

fn scan_op(s: &str) -> (Op, &str) {
    let two = [
        ("!=", Op::NotEqual),
        (">=", Op::GreaterEqual),
        ("=>", Op::GreaterEqual),
        ("<=", Op::LessEqual),
        ("=<", Op::LessEqual),
        ("~>", Op::Tilde),
    ];
    let one = [
        ("=", Op::Equal),
        (">", Op::Greater),
        ("<", Op::Less),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    two.into_iter()
        .chain(one)
        .find_map(|(text, op)| s.strip_prefix(text).map(|rest| (op, rest)))
        .unwrap_or((Op::Equal, s))
}

/// The pieces of a constraint's version, before they are checked.
struct ScannedVersion<'a> {
    parts: Vec<&'a str>,
    pre: &'a str,
    build: &'a str,
    after: &'a str,
}

fn is_part_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*' | b'|')
}

/// Scans `v?part(.part){0,2}(-ids)?(+ids)?` from the front of `s`; whatever
/// does not fit is left in `after` for the caller to reject.
fn scan_version(s: &str) -> Option<ScannedVersion<'_>> {
    let bytes = s.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'v'));
    let mut parts = Vec::new();
    loop {
        let start = i;
        while i < bytes.len() && is_part_byte(bytes[i]) {
            i += 1;
        }
        if i == start {
            return None;
        }
        parts.push(&s[start..i]);
        let dot_then_part =
            bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(|&b| is_part_byte(b));
        if parts.len() == 3 || !dot_then_part {
            break;
        }
        i += 1;
    }
    let mut take_ids = |marker: u8| -> &str {
        if bytes.get(i) != Some(&marker) {
            return "";
        }
        let end = scan_identifiers(bytes, i + 1);
        if end == i + 1 {
            return "";
        }
        let ids = &s[i + 1..end];
        i = end;
        ids
    };
    let pre = take_ids(b'-');
    let build = take_ids(b'+');
    Some(ScannedVersion {
        parts,
        pre,
        build,
        after: &s[i..],
    })
}

/// The end of the dot-separated identifiers starting at `i`.
fn scan_identifiers(bytes: &[u8], i: usize) -> usize {
    let mut end = i;
    loop {
        let start = end;
        while end < bytes.len() && is_identifier_byte(bytes[end]) {
            end += 1;
        }
        if end == start {
            return start;
        }
        let dot_then_id = bytes.get(end) == Some(&b'.')
            && bytes.get(end + 1).is_some_and(|&b| is_identifier_byte(b));
        if !dot_then_id {
            return end;
        }
        end += 1;
    }
}

fn is_wildcard(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

/// Builds a term: a wildcard or missing part zeroes it and everything after
/// it (build metadata is kept only for full versions).
fn build_term(op: Op, scanned: &ScannedVersion) -> Result<Term, ConstraintError> {
    let parts = &scanned.parts;
    let wild_at = parts
        .iter()
        .position(|p| is_wildcard(p))
        .unwrap_or(parts.len());
    let wild = match wild_at {
        0 => Wild::Major,
        1 => Wild::Minor,
        2 => Wild::Patch,
        _ => Wild::None,
    };
    let number = |i: usize| -> Result<u64, ConstraintError> {
        match parts.get(i) {
            Some(p) if i < wild_at => {
                if !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ConstraintError::Parser);
                }
                p.parse().map_err(|_| ConstraintError::Parser)
            }
            _ => Ok(0),
        }
    };
    let (major, minor, patch) = (number(0)?, number(1)?, number(2)?);
    let pre = if scanned.pre.is_empty() {
        Prerelease::EMPTY
    } else {
        prerelease(scanned.pre).ok_or(ConstraintError::Parser)?
    };
    let build = if wild == Wild::None && !scanned.build.is_empty() {
        BuildMetadata::new(scanned.build).map_err(|_| ConstraintError::Parser)?
    } else {
        BuildMetadata::EMPTY
    };
    let version = Version {
        major,
        minor,
        patch,
        pre,
        build,
    };
    if version.to_string().len() > MAX_VERSION_LEN {
        return Err(ConstraintError::Parser);
    }
    Ok(Term { op, version, wild })
}

impl Term {
    /// Whether `v` satisfies this term (the group already vetted prereleases).
    fn matches(&self, v: &Version) -> bool {
        let c = &self.version;
        let order = compare(v, c);
        match self.op {
            Op::Equal if self.wild != Wild::None => self.tilde(v),
            Op::Equal => order == Ordering::Equal,
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => order == Ordering::Less,
            Op::GreaterEqual => order != Ordering::Less,
            Op::LessEqual => match self.wild {
                Wild::None => order != Ordering::Greater,
                _ => {
                    v.major < c.major
                        || (v.major == c.major && (v.minor <= c.minor || self.wild == Wild::Minor))
                }
            },
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.version;
        match self.wild {
            Wild::None => compare(v, c) != Ordering::Equal,
            // `!=*` compares as the version 0.0.0.
            Wild::Major => {
                c.major != v.major
                    || c.minor != v.minor
                    || c.patch != v.patch
                    || compare_prerelease_or_empty(v, c) != Ordering::Equal
            }
            Wild::Minor => c.major != v.major,
            Wild::Patch => {
                c.major != v.major
                    || c.minor != v.minor
                    || ((!v.pre.is_empty() || !c.pre.is_empty())
                        && compare_prerelease_or_empty(v, c) != Ordering::Equal)
            }
        }
    }

    fn greater(&self, v: &Version) -> bool {
        let c = &self.version;
        match self.wild {
            Wild::None | Wild::Major if v.major == c.major => compare(v, c) == Ordering::Greater,
            _ if v.major != c.major => v.major > c.major,
            Wild::Minor => false,
            _ => v.minor > c.minor,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if compare(v, c) == Ordering::Less {
            return false;
        }
        let any = c.major == 0 && c.minor == 0 && c.patch == 0;
        if any && !matches!(self.wild, Wild::Minor | Wild::Patch) {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.wild == Wild::Minor)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if compare(v, c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.wild == Wild::Minor {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.wild == Wild::Patch {
            return v.minor == c.minor;
        }
        v.minor == 0 && v.patch == c.patch
    }
}

/// Masterminds' raw prerelease comparison, where an empty prerelease is
/// just the absence of identifiers.
fn compare_prerelease_or_empty(a: &Version, b: &Version) -> Ordering {
    match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare_prerelease(a.pre.as_str(), b.pre.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(constraint: &str, version: &str) -> bool {
        let c = Constraint::parse(constraint).unwrap_or_else(|e| panic!("{constraint}: {e}"));
        c.matches(&parse_version(version).unwrap())
    }

    #[test]
    fn lenient_versions() {
        assert_eq!(parse_version("v1").unwrap().to_string(), "1.0.0");
        assert_eq!(parse_version("1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(parse_version("01.002.3").unwrap().to_string(), "1.2.3");
        assert_eq!(
            parse_version("1.2.3-beta.1+b.5").unwrap().to_string(),
            "1.2.3-beta.1+b.5"
        );
        for bad in [
            "",
            "foo",
            "1.2.3.4",
            "V1.2.3",
            "1.2.3-a..b",
            "1.2.3-",
            "v",
            "1.2.3+",
        ] {
            assert_eq!(parse_version(bad), Err(VersionError::Invalid), "{bad}");
        }
        assert_eq!(
            parse_version("1.2.3-01"),
            Err(VersionError::SegmentStartsZero)
        );
        assert_eq!(
            parse_version("99999999999999999999.0.0")
                .unwrap_err()
                .to_string(),
            "error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(parse_version(&"1".repeat(300)), Err(VersionError::TooLong));
    }

    #[test]
    fn prerelease_order() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0",
        ];
        for pair in order.windows(2) {
            let (a, b) = (
                parse_version(pair[0]).unwrap(),
                parse_version(pair[1]).unwrap(),
            );
            assert_eq!(compare(&a, &b), Ordering::Less, "{pair:?}");
        }
        let (a, b) = (
            parse_version("1.0.0+x").unwrap(),
            parse_version("1.0.0").unwrap(),
        );
        assert_eq!(compare(&a, &b), Ordering::Equal);
    }

    /// Expectations from Helm 4.3.1's `semverCompare`.
    #[test]
    fn matches_like_masterminds() {
        let cases = [
            (">=1.2.3", "1.2.3", true),
            (">1.2.3", "1.2.3", false),
            ("<2", "1.9.9", true),
            ("<=1.2", "1.2.9", true),
            ("!=1.2.3", "1.2.4", true),
            ("1.2", "1.2.7", true),
            ("=1.2.3", "v1.2.3", true),
            ("1.2.3", "1.2.3+meta", true),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1", "1.9.0", true),
            ("~0.0.0", "5.0.0", true),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("^0.0", "0.0.9", true),
            ("^0", "0.9.0", true),
            ("^1.x", "1.9.0", true),
            ("^0.x", "1.0.0", false),
            ("^*", "9.0.0", false),
            ("1.2.x", "1.2.9", true),
            ("1.2.*", "1.3.0", false),
            ("*", "3.0.0", true),
            ("x", "0.0.1", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            ("1.2 - 1.4", "1.4.9", true),
            ("1.2.3 - 2", "2.9.0", true),
            (">= 1.2, < 2", "1.5.0", true),
            (">=1.2 <2", "2.0.0", false),
            ("<1 || >=3", "3.1.0", true),
            ("<1 || >=3", "2.0.0", false),
            (">=1.2.3", "1.2.4-beta", false),
            (">=1.2.3-0", "1.2.4-beta", true),
            (">0.0.0-0", "1.0.0-rc.1", true),
            ("*", "1.0.0-a", false),
            ("<1.0.0", "1.0.0-rc.1", false),
            (">=1.0.0-0 <2.0.0", "1.5.0-beta", true),
            (">1", "1.5.0", false),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            ("<=1.x", "1.9.0", true),
            ("<=1.2.x", "1.3.0", false),
            ("!=1.x", "1.5.0", false),
            ("!=1.2.x", "1.3.0", true),
            ("!=1.2.x", "1.2.3", false),
            ("=>1.0", "1.0.0", true),
            ("  >=  1.0.0  ", "1.0.0", true),
            (">1.0.0 , <2", "1.1.0", true),
            ("1.2-1.4", "1.3.0", false),
            ("1.2.x-beta", "1.2.5-beta", true),
            ("~1.2.3-beta", "1.2.3-alpha", false),
            (">=1.21-0", "v1.30.2-eks-1234", true),
        ];
        for (constraint, version, want) in cases {
            assert_eq!(
                check(constraint, version),
                want,
                "{constraint} on {version}"
            );
        }
    }

    #[test]
    fn parse_errors_like_masterminds() {
        let cases = [
            ("", r#"improper constraint: """#),
            ("foo", r#"improper constraint: "foo""#),
            (">1 ||", r#"improper constraint: """#),
            (">>1", r#"improper constraint: ">>1""#),
            (
                ">=1.0.0 <2.0.0-",
                r#"improper constraint: ">=1.0.0 <2.0.0-""#,
            ),
            ("1y", r#"improper constraint: "1y""#),
            (">1,", r#"improper constraint: ">1,""#),
            ("1.2.3.4", r#"improper constraint: "1.2.3.4""#),
            ("1.0.0-01", "constraint parser error"),
            ("1|2", "constraint parser error"),
        ];
        for (constraint, want) in cases {
            let err = Constraint::parse(constraint).unwrap_err();
            assert_eq!(err.to_string(), want, "{constraint}");
        }
        let long = format!(">={}", "1".repeat(600));
        assert_eq!(
            Constraint::parse(&long).unwrap_err(),
            ConstraintError::TooLong
        );
        let many = vec!["1"; 40].join("||");
        assert_eq!(
            Constraint::parse(&many).unwrap_err(),
            ConstraintError::TooManyGroups
        );
    }
}
