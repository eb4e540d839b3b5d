//! The HTTPS server itself: certificates reloaded from disk, and requests
//! in flight drained on shutdown.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, certs};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[test]
fn a_rewritten_certificate_is_served_without_a_restart() {
    let mut h = Harness::start();
    let (_, before) = h.connect();
    let fresh = certs();
    std::fs::write(&h.cert_file, &fresh.cert_pem).expect("cert");
    std::fs::write(&h.key_file, &fresh.key_pem).expect("key");
    // The old CA no longer verifies the new certificate; trust the new one.
    h.ca_pem = fresh.ca_pem;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok((_, served)) = h.runtime.block_on(common::connect(h.address, &h.ca_pem)) {
            assert_ne!(served, before);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new certificate was never served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(h.get("/healthz").status, 200);
}

#[test]
fn a_broken_certificate_file_keeps_the_old_one_served() {
    let h = Harness::start();
    let (_, before) = h.connect();
    std::fs::write(&h.cert_file, "not PEM").expect("cert");
    std::thread::sleep(Duration::from_millis(300));
    let (_, served) = h.connect();
    assert_eq!(served, before);
}

#[test]
fn shutdown_drains_a_request_in_flight() {
    let mut h = Harness::start();
    let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#;
    let (address, ca) = (h.address, h.ca_pem.clone());
    // Half a request is sent, then shutdown begins, then the rest.
    let mut tls = h.runtime.block_on(async move {
        let (mut tls, _) = common::connect(address, &ca).await.expect("TLS");
        let head = format!(
            "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        tls.write_all(head.as_bytes()).await.expect("write");
        tls.write_all(&body[..10]).await.expect("write");
        tls
    });
    std::thread::sleep(Duration::from_millis(100));
    h.shutdown_signal();
    std::thread::sleep(Duration::from_millis(100));
    let answer = h.runtime.block_on(async move {
        tls.write_all(&body[10..]).await.expect("write");
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    });
    // No request in the body: a 400, but answered, not cut off.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.ends_with("AdmissionReview has no request\n"),
        "{answer}"
    );
    h.shut_down();
    // New connections are refused once it has stopped.
    assert!(
        h.runtime
            .block_on(common::connect(h.address, &h.ca_pem))
            .is_err()
    );
}
