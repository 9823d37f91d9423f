//! Charset detection and decoding of HTML: with no content type, and with one taken from the
//! input's first line.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = herald::sources::charset::decode_html(data, None);
    if let Some(at) = data.iter().take(128).position(|b| *b == b'\n') {
        let content_type = String::from_utf8_lossy(&data[..at]);
        let _ = herald::sources::charset::decode_html(&data[at + 1..], Some(&content_type));
    }
});
