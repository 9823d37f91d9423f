//! The user agent's side of RFC 8291 message encryption: RFC 8188 `aes128gcm` decryption.

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// Salt (16) | record size (4) | key id length (1).
const FIXED_HEADER_LEN: usize = 21;
/// RFC 8291 puts the sender's uncompressed P-256 point in the key id.
const KEY_ID_LEN: usize = 65;
const TAG_LEN: usize = 16;
/// RFC 8188: a record must hold at least the tag and one delimiter octet.
const MIN_RECORD_SIZE: u32 = 18;

/// A decrypted message and the header fields a test may want to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    pub plaintext: Vec<u8>,
    pub record_size: u32,
    pub records: usize,
    /// The sender's ephemeral public key (the key id), 65 bytes.
    pub sender_key: Vec<u8>,
}

/// Decrypts an `aes128gcm` body for the user agent holding `ua_secret` and `auth`.
/// Every malformation is an error with a reason a test failure can show.
pub fn decrypt(body: &[u8], ua_secret: &SecretKey, auth: &[u8]) -> Result<Decrypted, String> {
    if body.len() < FIXED_HEADER_LEN {
        return Err(format!(
            "body of {} bytes is shorter than the aes128gcm header",
            body.len()
        ));
    }
    let (salt, rest) = body.split_at(16);
    let record_size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let key_id_len = usize::from(rest[4]);
    if key_id_len != KEY_ID_LEN {
        return Err(format!(
            "key id length is {key_id_len}, RFC 8291 wants the 65-byte sender key"
        ));
    }
    if record_size < MIN_RECORD_SIZE {
        return Err(format!(
            "record size {record_size} is below {MIN_RECORD_SIZE}"
        ));
    }
    let rest = &rest[5..];
    if rest.len() < KEY_ID_LEN {
        return Err("body ends inside the key id".into());
    }
    let (sender_key, records) = rest.split_at(KEY_ID_LEN);
    let sender = sender_public_key(sender_key)?;
    let (cek, nonce) = derive_keys(ua_secret, &sender, auth, salt)?;
    let (plaintext, count) = open_records(records, record_size, &cek, &nonce)?;
    Ok(Decrypted {
        plaintext,
        record_size,
        records: count,
        sender_key: sender_key.to_vec(),
    })
}

fn sender_public_key(bytes: &[u8]) -> Result<PublicKey, String> {
    if bytes[0] != 0x04 {
        return Err("key id is not an uncompressed P-256 point".into());
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| "key id is not a point on P-256".into())
}

/// RFC 8291 §3.3 and §3.4: the content-encryption key and the base nonce.
fn derive_keys(
    ua_secret: &SecretKey,
    sender: &PublicKey,
    auth: &[u8],
    salt: &[u8],
) -> Result<([u8; 16], [u8; 12]), String> {
    let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), sender.as_affine());
    let ua_public = ua_secret.public_key().to_encoded_point(false);
    let as_public = sender.to_encoded_point(false);
    let key_info: [&[u8]; 3] = [
        b"WebPush: info\0",
        ua_public.as_bytes(),
        as_public.as_bytes(),
    ];
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand_multi_info(&key_info, &mut ikm)
        .map_err(|e| format!("HKDF (IKM): {e}"))?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| format!("HKDF (CEK): {e}"))?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|e| format!("HKDF (nonce): {e}"))?;
    Ok((cek, nonce))
}

/// Decrypts every record and strips its padding; returns the joined content and the count.
fn open_records(
    records: &[u8],
    record_size: u32,
    cek: &[u8; 16],
    base_nonce: &[u8; 12],
) -> Result<(Vec<u8>, usize), String> {
    if records.is_empty() {
        return Err("no records after the header".into());
    }
    let cipher = Aes128Gcm::new(cek.into());
    let chunks: Vec<&[u8]> = records.chunks(record_size as usize).collect();
    let mut plaintext = Vec::with_capacity(records.len());
    for (seq, chunk) in chunks.iter().enumerate() {
        if chunk.len() <= TAG_LEN {
            return Err(format!(
                "record {seq} is too short to hold a tag and a delimiter"
            ));
        }
        let nonce = record_nonce(base_nonce, seq as u64);
        let padded = cipher
            .decrypt((&nonce).into(), *chunk)
            .map_err(|_| format!("record {seq} fails AES-128-GCM authentication"))?;
        let last = seq + 1 == chunks.len();
        plaintext.extend_from_slice(unpad(&padded, last, seq)?);
    }
    Ok((plaintext, chunks.len()))
}

/// RFC 8188 §2.3: the sequence number is XORed into the low bytes of the base nonce.
fn record_nonce(base: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *base;
    for (byte, seq_byte) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *byte ^= seq_byte;
    }
    nonce
}

/// Content, then the delimiter (2 for the last record, 1 before it), then zeros.
fn unpad(padded: &[u8], last: bool, seq: usize) -> Result<&[u8], String> {
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .ok_or_else(|| format!("record {seq} is all padding, without a delimiter"))?;
    let expected = if last { 2 } else { 1 };
    match padded[end] {
        d if d == expected => Ok(&padded[..end]),
        d => Err(format!(
            "record {seq} ends with delimiter {d:#04x}, expected {expected:#04x} (last: {last})"
        )),
    }
}
