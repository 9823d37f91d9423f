//! Feed timestamps in the many forms publishers write them.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = herald::sources::parse::timestamp::parse(&text);
});
