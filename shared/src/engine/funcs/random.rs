//! Sprig's random functions: `randAlphaNum`, `randAlpha`, `randNumeric`,
//! `randAscii`, `randInt`, `randBytes`, `uuidv4`. Values come from the
//! operating system's generator, as Sprig's `crypto/rand` ones do.
//!
//! Difference from Helm: lengths above [`MAX_COUNT`] fail instead of
//! exhausting memory.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use rand::rngs::OsRng;

use super::{Env, FuncMap, add};
use crate::engine::value::{IntKind, Ty, Value};

/// The longest random string or byte run we produce.
const MAX_COUNT: i64 = 1 << 24;

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUMERIC: &[u8] = b"0123456789";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(super) fn register(map: &mut FuncMap) {
    add(map, "randAlphaNum", &[Ty::Int], |_, a| {
        random_text(&a, ALPHANUMERIC)
    });
    add(map, "randAlpha", &[Ty::Int], |_, a| random_text(&a, ALPHA));
    add(map, "randNumeric", &[Ty::Int], |_, a| {
        random_text(&a, NUMERIC)
    });
    add(map, "randAscii", &[Ty::Int], |_, a| random_ascii(&a));
    add(map, "randInt", &[Ty::Int, Ty::Int], rand_int);
    add(map, "randBytes", &[Ty::Int], rand_bytes);
    add(map, "uuidv4", &[], |_, _| Ok(Value::from(uuid_v4())));
}

fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    }
}

/// The requested length; Sprig gives `""` for a negative one.
fn count(args: &[Value]) -> Result<usize, String> {
    let n = int_arg(args, 0);
    if n > MAX_COUNT {
        return Err(format!("random length {n} is too large (max {MAX_COUNT})"));
    }
    Ok(usize::try_from(n).unwrap_or(0))
}

fn random_text(args: &[Value], alphabet: &[u8]) -> Result<Value, String> {
    let text: String = (0..count(args)?)
        .map(|_| alphabet[OsRng.gen_range(0..alphabet.len())] as char)
        .collect();
    Ok(Value::from(text))
}

/// Printable ASCII, space through `~`.
fn random_ascii(args: &[Value]) -> Result<Value, String> {
    let text: String = (0..count(args)?)
        .map(|_| OsRng.gen_range(b' '..=b'~') as char)
        .collect();
    Ok(Value::from(text))
}

/// `randInt min max`: `min <= n < max`, Go's `rand.Intn` panic otherwise.
fn rand_int(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    let (min, max) = (int_arg(&args, 0), int_arg(&args, 1));
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return Err("invalid argument to Intn".into());
    }
    let n = OsRng.gen_range(0..span).wrapping_add(min);
    Ok(Value::Int(n, IntKind::Int))
}

/// `randBytes n`: `n` random bytes, base64-encoded.
fn rand_bytes(_: &mut dyn Env, args: Vec<Value>) -> Result<Value, String> {
    if int_arg(&args, 0) < 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    let mut bytes = vec![0u8; count(&args)?];
    OsRng.fill(bytes.as_mut_slice());
    Ok(Value::from(STANDARD.encode(bytes)))
}

/// A random (version 4, RFC 4122 variant) UUID in its hyphenated form.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    OsRng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn text(name: &str, n: i64) -> String {
        call(name, vec![Value::int(n)])
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn random_strings_have_length_and_alphabet() {
        let s = text("randAlphaNum", 40);
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert!(
            text("randAlpha", 30)
                .bytes()
                .all(|b| b.is_ascii_alphabetic())
        );
        assert!(text("randNumeric", 30).bytes().all(|b| b.is_ascii_digit()));
        assert!(
            text("randAscii", 30)
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b))
        );
        assert_eq!(text("randAlpha", -1), "");
        assert!(call("randAlpha", vec![Value::int(MAX_COUNT + 1)]).is_err());
    }

    #[test]
    fn rand_int_range_and_errors() {
        for _ in 0..50 {
            let Ok(Value::Int(n, IntKind::Int)) =
                call("randInt", vec![Value::int(3), Value::int(5)])
            else {
                panic!("randInt must give an int");
            };
            assert!((3..5).contains(&n));
        }
        assert_eq!(
            call("randInt", vec![Value::int(5), Value::int(5)]).unwrap_err(),
            "invalid argument to Intn"
        );
    }

    #[test]
    fn rand_bytes_and_uuid_shape() {
        assert_eq!(text("randBytes", 12).len(), 16);
        let id = call("uuidv4", vec![]).unwrap();
        let id = id.as_str().unwrap();
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(re.is_match(id), "{id}");
    }
}
