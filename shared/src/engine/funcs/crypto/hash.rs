//! Sprig's checksums: `sha1sum`, `sha256sum`, `sha512sum`, `adler32sum`.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// Lower-case hex, as Go's `hex.EncodeToString`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha1_hex(input: &str) -> String {
    hex(&Sha1::digest(input.as_bytes()))
}

pub fn sha256_hex(input: &str) -> String {
    hex(&Sha256::digest(input.as_bytes()))
}

pub fn sha512_hex(input: &str) -> String {
    hex(&Sha512::digest(input.as_bytes()))
}

/// Adler-32 (RFC 1950), printed in decimal as Sprig does.
pub fn adler32_decimal(input: &str) -> String {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the longest run whose sums cannot overflow u32 before reducing.
    for chunk in input.as_bytes().chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    ((b << 16) | a).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_helm() {
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha512_hex(""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
             47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
        assert_eq!(adler32_decimal("hello"), "103547413");
        assert_eq!(adler32_decimal(""), "1");
        let long = "z".repeat(20_000);
        assert_eq!(adler32_decimal(&long), adler32_naive(long.as_bytes()));
    }

    fn adler32_naive(data: &[u8]) -> String {
        let (mut a, mut b) = (1u64, 0u64);
        for &byte in data {
            a = (a + u64::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        ((b << 16) | a).to_string()
    }
}
