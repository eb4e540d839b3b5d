//! `encryptAES` / `decryptAES`: AES-256-CBC with a zero-padded key, PKCS#7
//! padding and a random IV in front, base64 encoded, as Sprig does. The
//! decrypt side reproduces the Go runtime panics Sprig lets through on bad
//! input, because Helm prints them.

use aes::Aes256;
use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const BLOCK: usize = 16;

/// Sprig's key: the password's bytes, cut or zero-padded to 32.
fn cipher(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    Aes256::new(&Array::from(key))
}

pub fn encrypt(password: &str, plaintext: &str) -> Result<String, String> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let aes = cipher(password);
    let mut content = plaintext.as_bytes().to_vec();
    let padding = BLOCK - content.len() % BLOCK;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let mut iv = [0u8; BLOCK];
    getrandom::fill(&mut iv).map_err(|e| e.to_string())?;
    let mut out = iv.to_vec();
    let mut previous = iv;
    for chunk in content.chunks(BLOCK) {
        let mut block = [0u8; BLOCK];
        for (i, b) in block.iter_mut().enumerate() {
            *b = chunk[i] ^ previous[i];
        }
        let mut block = Array::from(block);
        aes.encrypt_block(&mut block);
        previous = block.into();
        out.extend_from_slice(&previous);
    }
    Ok(STANDARD.encode(out))
}

pub fn decrypt(password: &str, encoded: &str) -> Result<String, String> {
    if encoded.is_empty() {
        return Ok(String::new());
    }
    let data = STANDARD.decode(encoded).map_err(base64_error)?;
    if data.len() < BLOCK {
        return Err(format!(
            "runtime error: slice bounds out of range [:{BLOCK}] with capacity {}",
            data.len()
        ));
    }
    let (iv, body) = data.split_at(BLOCK);
    if body.len() % BLOCK != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let aes = cipher(password);
    let mut plain = Vec::with_capacity(body.len());
    let mut previous: &[u8] = iv;
    for chunk in body.chunks(BLOCK) {
        let mut block = Array::from(<[u8; BLOCK]>::try_from(chunk).unwrap_or_default());
        aes.decrypt_block(&mut block);
        plain.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
        previous = chunk;
    }
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    // Sprig trusts the last byte as the padding length, unchecked.
    let end = plain.len() as i64 - i64::from(last);
    if end < 0 {
        return Err(format!("runtime error: slice bounds out of range [:{end}]"));
    }
    plain.truncate(end as usize);
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

/// Go's `base64.CorruptInputError` text (the offsets Go reports can differ
/// for malformed padding).
fn base64_error(e: base64::DecodeError) -> String {
    let offset = match e {
        base64::DecodeError::InvalidByte(at, _)
        | base64::DecodeError::InvalidLastSymbol { offset: at, .. }
        | base64::DecodeError::InvalidLength(at) => at,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {offset}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decrypts_helms_ciphertext() {
        let key = "k".repeat(40);
        let helm = "PmfpCkhgBgCKXCetr2a+mI23x3JJWKMals+hxMm5EJc=";
        assert_eq!(decrypt(&key, helm).unwrap(), "x");
        let ours = encrypt("secret", "some text of several blocks......").unwrap();
        assert_eq!(
            decrypt("secret", &ours).unwrap(),
            "some text of several blocks......"
        );
    }

    #[test]
    fn fails_like_go() {
        assert_eq!(
            decrypt("k", "abc").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            decrypt("k", "YWJj").unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
        let zeros32 = STANDARD.encode([0u8; 32]);
        assert_eq!(
            decrypt("k", &zeros32).unwrap_err(),
            "runtime error: slice bounds out of range [:-19]"
        );
        let zeros40 = STANDARD.encode([0u8; 40]);
        assert_eq!(
            decrypt("k", &zeros40).unwrap_err(),
            "crypto/cipher: input not full blocks"
        );
        let zeros16 = STANDARD.encode([0u8; 16]);
        assert_eq!(
            decrypt("k", &zeros16).unwrap_err(),
            "runtime error: index out of range [-1]"
        );
    }
}
