//! Release record decoding on hostile input: any text as a record body
//! (base64 of gzip of JSON, as Helm stores it) or as the record's JSON
//! either decodes or errors, within the decompression bound; what decodes
//! encodes again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(release) = helm::storage::decode_release(text) {
        let _ = helm::storage::encode_release(&release);
    }
    if let Ok(release) = helm::release::Release::from_json(text) {
        let _ = release.to_json();
    }
});
