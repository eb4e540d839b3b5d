//! Sprig's `b64enc`, `b64dec`, `b32enc`, `b32dec` (standard alphabets, with
//! padding). Decoding follows Go's `encoding/base64`/`base32` exactly,
//! including skipped `\r`/`\n` and the byte offset in `illegal … data at
//! input byte N`, which Sprig returns *as the result string*.
//!
//! Known difference: Go strings may hold invalid UTF-8 (`b64dec "/w=="`);
//! ours cannot, so such bytes become U+FFFD.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{FuncMap, add};
use crate::engine::value::{Ty, Value};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "b64enc", &[Ty::String], |_, a| {
        Ok(text_of(a, |s| STANDARD.encode(s)))
    });
    add(map, "b64dec", &[Ty::String], |_, a| {
        Ok(text_of(a, |s| decoded(base64_decode(s))))
    });
    add(map, "b32enc", &[Ty::String], |_, a| {
        Ok(text_of(a, base32_encode))
    });
    add(map, "b32dec", &[Ty::String], |_, a| {
        Ok(text_of(a, |s| decoded(base32_decode(s))))
    });
}

fn text_of(args: Vec<Value>, f: impl FnOnce(&[u8]) -> String) -> Value {
    let s = args.first().and_then(Value::as_str).unwrap_or_default();
    Value::from(f(s.as_bytes()))
}

/// Sprig's result: the decoded text, or the error's text.
fn decoded(result: Result<Vec<u8>, String>) -> String {
    match result {
        Ok(bytes) => String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => e,
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn digit(alphabet: &[u8], b: u8) -> Option<u32> {
    alphabet.iter().position(|&a| a == b).map(|p| p as u32)
}

fn is_newline(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

fn base64_error(offset: usize) -> String {
    format!("illegal base64 data at input byte {offset}")
}

/// Go's `base64.StdEncoding.DecodeString`, quantum by quantum.
fn base64_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(base64_error(si - j));
            }
            let b = src[si];
            si += 1;
            if let Some(d) = digit(B64, b) {
                quantum[j] = d;
                j += 1;
                continue;
            }
            if is_newline(b) {
                continue;
            }
            if b != b'=' || j < 2 {
                return Err(base64_error(si - 1));
            }
            if j == 2 {
                // A second `=` must follow, newlines aside.
                while si < src.len() && is_newline(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(base64_error(src.len()));
                }
                if src[si] != b'=' {
                    return Err(base64_error(si - 1));
                }
                si += 1;
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                return Err(base64_error(si));
            }
            len = j;
            break;
        }
        let val = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3];
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if len < 4 {
            break;
        }
    }
    Ok(out)
}

fn base32_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len().div_ceil(5) * 8);
    for chunk in src.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        let digits = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < digits {
                out.push(B32[(bits >> (35 - 5 * i) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_error(offset: usize) -> String {
    format!("illegal base32 data at input byte {offset}")
}

/// Go's `base32.StdEncoding.DecodeString`: newlines are removed first, then
/// 8-character quanta decoded; padding ends the input.
fn base32_decode(raw: &[u8]) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = raw.iter().copied().filter(|&b| !is_newline(b)).collect();
    let total = src.len();
    let mut out = Vec::with_capacity(total / 8 * 5);
    let mut rest = &src[..];
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut quantum = [0u64; 8];
        let mut len = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&b, tail)) = rest.split_first() else {
                return Err(base32_error(total - j));
            };
            rest = tail;
            if b == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(base32_error(total));
                }
                if let Some(k) = (0..7 - j).find(|&k| rest.get(k).is_some_and(|&c| c != b'=')) {
                    return Err(base32_error(total - rest.len() + k - 1));
                }
                len = j;
                end = true;
                if matches!(len, 1 | 3 | 6) {
                    return Err(base32_error(total - rest.len() - 1));
                }
                break;
            }
            quantum[j] = digit(B32, b)
                .map(u64::from)
                .ok_or_else(|| base32_error(total - rest.len() - 1))?;
            j += 1;
        }
        let bits = quantum.iter().fold(0u64, |acc, &d| acc << 5 | d);
        let bytes = bits.to_be_bytes();
        let produced = len * 5 / 8;
        out.extend_from_slice(&bytes[3..3 + produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::call;

    fn run(name: &str, arg: &str) -> String {
        call(name, vec![arg.into()])
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(run("b64enc", "hello"), "aGVsbG8=");
        assert_eq!(run("b64dec", "aGVsbG8="), "hello");
        assert_eq!(run("b64dec", "aGVs\nbG8="), "hello");
        assert_eq!(run("b64dec", "aGVsbG8=\r\n"), "hello");
        assert_eq!(run("b64dec", "YR=="), "a");
        assert_eq!(run("b64dec", ""), "");
        let cases = [
            ("aGVsbG8", 4),
            ("a", 0),
            ("!!!!", 0),
            ("aGVs bG8=", 4),
            ("YQ==YQ==", 4),
            ("YW=", 3),
        ];
        for (input, offset) in cases {
            assert_eq!(
                run("b64dec", input),
                format!("illegal base64 data at input byte {offset}"),
                "{input}"
            );
        }
    }

    #[test]
    fn base32_like_go() {
        assert_eq!(run("b32enc", "hello"), "NBSWY3DP");
        assert_eq!(run("b32enc", "a"), "ME======");
        assert_eq!(run("b32dec", "NBSWY3DP"), "hello");
        assert_eq!(run("b32dec", "ME======"), "a");
        assert_eq!(run("b32dec", "NBSW\nY3DP"), "hello");
        let cases = [("NBSWY3D", 0), ("nbswy3dp", 0), ("ME=====", 7), ("1", 0)];
        for (input, offset) in cases {
            assert_eq!(
                run("b32dec", input),
                format!("illegal base32 data at input byte {offset}"),
                "{input}"
            );
        }
        for s in ["", "a", "ab", "abc", "abcd", "abcde", "abcdef", "日本語"] {
            assert_eq!(run("b32dec", &run("b32enc", s)), s);
        }
    }
}
