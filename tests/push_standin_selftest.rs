//! Self-test of the push stand-in: it decrypts the RFC 8291 example, accepts a request made
//! here from the RFCs alone, and rejects each kind of mistake with 400 and a violation.

#[path = "push_standin_selftest/app_server.rs"]
mod app_server;
mod support;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::SecretKey;
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use reqwest::StatusCode;
use serde_json::{Value, json};

use app_server::{
    Push, authorization, b64, default_claims, encrypt_with, payload, public_key, unix_now,
};
use support::push_standin::{PushStandin, Reply, crypto};

/// RFC 8291 §5 and Appendix A.
mod rfc8291 {
    pub const PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
    pub const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    pub const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    pub const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    pub const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    pub const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    pub const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    pub const MESSAGE: &str = concat!(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml",
        "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT",
        "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
    );
}

#[test]
fn decrypts_the_rfc_8291_example() {
    let ua = SecretKey::from_slice(&b64(rfc8291::UA_PRIVATE)).expect("RFC ua key");
    let message = b64(rfc8291::MESSAGE);
    let decrypted = crypto::decrypt(&message, &ua, &b64(rfc8291::AUTH)).expect("decrypts");
    assert_eq!(decrypted.plaintext, rfc8291::PLAINTEXT.as_bytes());
    assert_eq!(decrypted.sender_key, b64(rfc8291::AS_PUBLIC));
    assert_eq!((decrypted.record_size, decrypted.records), (4096, 1));
    let ua_public = ua.public_key().to_encoded_point(false);
    assert_eq!(ua_public.as_bytes(), b64(rfc8291::UA_PUBLIC));
}

#[test]
fn the_test_encryptor_reproduces_the_rfc_8291_example() {
    let sender = SecretKey::from_slice(&b64(rfc8291::AS_PRIVATE)).expect("RFC as key");
    let salt: [u8; 16] = b64(rfc8291::SALT).try_into().expect("16-byte salt");
    let body = encrypt_with(
        rfc8291::PLAINTEXT.as_bytes(),
        &b64(rfc8291::UA_PUBLIC),
        &b64(rfc8291::AUTH),
        &sender,
        salt,
    );
    assert_eq!(B64.encode(body), rfc8291::MESSAGE);
}

#[tokio::test]
async fn accepts_and_decrypts_a_valid_push() {
    let standin = PushStandin::start().await;
    let client = reqwest::Client::new();
    let alice = standin.subscriber("alice");
    assert!(alice.endpoint.starts_with(&standin.endpoint_prefix()));
    let vapid = SigningKey::random(&mut rand::rngs::OsRng);
    standin.set_expected_key(&public_key(&vapid));

    let response = Push::valid(&standin, &alice, &vapid)
        .send(&client, &alice.endpoint)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().contains_key("location"));
    assert!(standin.wait_for_received(1, Duration::from_secs(5)).await);

    standin.assert_no_violations();
    let received = standin.received("alice");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].payload, payload());
    assert_eq!(
        (received[0].ttl, received[0].urgency.as_str()),
        (3600, "high")
    );
    assert_eq!(received[0].topic.as_deref(), Some("story-42"));
    assert_eq!(received[0].claims["aud"], standin.url());
    assert_eq!(received[0].vapid_key, public_key(&vapid));
    assert_eq!(standin.attempts("alice"), 1);
    let json = alice.subscription_json(&["world"]);
    assert_eq!(json["keys"]["p256dh"], alice.p256dh);
    assert_eq!(json["topics"], json!(["world"]));
}

#[tokio::test]
async fn rejects_each_broken_request_with_400_and_a_violation() {
    let standin = PushStandin::start().await;
    let client = reqwest::Client::new();
    let alice = standin.subscriber("alice");
    let vapid = SigningKey::random(&mut rand::rngs::OsRng);
    let other = SigningKey::random(&mut rand::rngs::OsRng);
    let valid = || Push::valid(&standin, &alice, &vapid);
    let claims = |change: &dyn Fn(&mut Value)| {
        let mut claims = default_claims(&standin);
        change(&mut claims);
        valid().header("authorization", &authorization(&vapid, &vapid, &claims))
    };
    let mut tampered = valid();
    *tampered.body.last_mut().expect("non-empty body") ^= 1;
    let cases = [
        (tampered, "authentication"),
        (
            claims(&|c| c["aud"] = json!("https://elsewhere.example")),
            "aud",
        ),
        (claims(&|c| c["exp"] = json!(unix_now() - 60)), "expired"),
        (
            claims(&|c| c["exp"] = json!(unix_now() + 25 * 3600)),
            "24 h",
        ),
        (claims(&|c| c["sub"] = json!("herald@example.org")), "sub"),
        (
            claims(&|c| {
                c.as_object_mut().expect("claims object").remove("sub");
            }),
            "no sub",
        ),
        (valid().without("urgency"), "urgency header missing"),
        (valid().header("urgency", "urgent"), "Urgency"),
        (valid().header("ttl", "-1"), "TTL"),
        (valid().header("topic", "not a topic!"), "Topic"),
        (
            valid().header("content-encoding", "aesgcm"),
            "content-encoding",
        ),
        (
            valid().without("authorization"),
            "authorization header missing",
        ),
        (
            valid().header(
                "authorization",
                &authorization(&vapid, &other, &default_claims(&standin)),
            ),
            "signature",
        ),
        (
            Push::with_payload(
                &standin,
                &alice,
                &vapid,
                &json!({ "big": "x".repeat(5000) }),
            ),
            "over the 4096",
        ),
    ];
    for (i, (push, expected)) in cases.into_iter().enumerate() {
        let response = push.send(&client, &alice.endpoint).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "case {expected}"
        );
        let violations = standin.violations();
        assert_eq!(violations.len(), i + 1, "case {expected}: {violations:?}");
        assert!(
            violations[i].contains(expected),
            "{} lacks {expected}",
            violations[i]
        );
    }
    let stranger = valid()
        .send(&client, &format!("{}nobody", standin.endpoint_prefix()))
        .await;
    assert_eq!(stranger.status(), StatusCode::BAD_REQUEST);
    standin.set_expected_key(&public_key(&other));
    assert_eq!(
        valid().send(&client, &alice.endpoint).await.status(),
        StatusCode::BAD_REQUEST
    );
    let violations = standin.violations();
    assert!(violations[violations.len() - 2].contains("unknown subscriber"));
    assert!(violations[violations.len() - 1].contains("expected the server key"));
    assert!(standin.received("alice").is_empty());
}

#[tokio::test]
async fn scripted_replies_come_in_order_then_the_default() {
    let standin = PushStandin::start().await;
    let client = reqwest::Client::new();
    let bob = standin.subscriber("bob");
    let vapid = SigningKey::random(&mut rand::rngs::OsRng);
    standin.reply(
        "bob",
        vec![
            Reply::Status(410),
            Reply::TooManyRequests {
                retry_after_secs: 7,
            },
        ],
    );
    let send = || async {
        Push::valid(&standin, &bob, &vapid)
            .send(&client, &bob.endpoint)
            .await
    };

    assert_eq!(send().await.status(), StatusCode::GONE);
    let throttled = send().await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "7");
    assert_eq!(send().await.status(), StatusCode::CREATED);
    standin.reply_all(Reply::Status(500));
    assert_eq!(send().await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    standin.reply_all(Reply::Created);
    assert_eq!(send().await.status(), StatusCode::CREATED);

    assert_eq!(standin.attempts("bob"), 5);
    assert_eq!(standin.received("bob").len(), 2);
    assert_eq!(standin.total_received(), 2);
    standin.assert_no_violations();
}

#[tokio::test]
async fn hang_holds_the_request_until_the_client_gives_up() {
    let standin = PushStandin::start().await;
    let carol = standin.subscriber("carol");
    let vapid = SigningKey::random(&mut rand::rngs::OsRng);
    standin.reply("carol", vec![Reply::Hang]);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let push = Push::valid(&standin, &carol, &vapid);
    let error = push
        .try_send(&client, &carol.endpoint)
        .await
        .expect_err("hangs");
    assert!(error.is_timeout(), "{error}");
    assert!(
        standin
            .wait_for_attempts("carol", 1, Duration::from_secs(1))
            .await
    );
    assert!(
        !standin
            .wait_for_received(1, Duration::from_millis(20))
            .await
    );
    standin.assert_no_violations();
}
