//! What this machine could do with no network: the ceilings the fan-out is measured against.

use std::time::{Instant, SystemTime};

use crate::delivery::DeliveryEngine;
use crate::storage::DeliveryTarget;

/// Messages per second the delivery engine's encryption reaches on all cores, with the VAPID
/// token cached per origin (as deliveries run) or signed anew for each message.
pub fn encrypt_rate(engine: &DeliveryEngine, targets: &[DeliveryTarget], sign_each: bool) -> f64 {
    let encryptor = engine.encryptor();
    let payload = br#"{"title":"Summit: set for Helsinki, July 16","body":"The White House and the Kremlin announced the summit.","url":"https://example.org/summit","story":"1","alert_id":1,"ts":1530000000000}"#;
    on_all_cores(targets, |target| {
        if sign_each {
            let info = web_push::SubscriptionInfo::new(target.endpoint.as_str(), "", "");
            let _ = encryptor.sign(&target.endpoint.origin(), &info, SystemTime::now());
        }
        let _ = encryptor.prepare(target, payload, "story-1");
    })
}

/// One fresh P-256 key pair and one ECDH per message (what RFC 8291 requires), with OpenSSL
/// on all cores: the limit `openssl speed ecdhp256` points at.
pub fn p256_rate(messages: usize) -> f64 {
    use openssl::derive::Deriver;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    let Ok(group) = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1) else {
        return 0.0;
    };
    let Ok(peer) = EcKey::generate(&group).and_then(PKey::from_ec_key) else {
        return 0.0;
    };
    let work: Vec<usize> = (0..messages).collect();
    on_all_cores(&work, |_| {
        let Ok(local) = EcKey::generate(&group).and_then(PKey::from_ec_key) else {
            return;
        };
        if let Ok(mut deriver) = Deriver::new(&local) {
            let _ = deriver
                .set_peer(&peer)
                .and_then(|()| deriver.derive_to_vec());
        }
    })
}

/// Runs `op` over `items` split across all cores; returns items per second.
fn on_all_cores<T: Sync>(items: &[T], op: impl Fn(&T) + Sync) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for part in items.chunks(items.len().div_ceil(threads)) {
            let op = &op;
            scope.spawn(move || part.iter().for_each(op));
        }
    });
    items.len() as f64 / started.elapsed().as_secs_f64()
}
