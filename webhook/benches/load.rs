//! Load on `POST /validate` over HTTPS: object writes at 1,000 req/s and
//! 1 MiB release records at 50 req/s, each for a bounded time and count.
//! Prints p50/p99 latency, achieved throughput and the process's RSS (the
//! webhook, the test cluster and this load generator share the process).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Harness, record, release, review_by};
use helm::release::Status;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Connections the load is spread over.
const CONNECTIONS: usize = 16;

fn main() {
    let h = Harness::start();
    h.namespace("shop");
    h.store_release(&release("shop", "web", 1, Status::Deployed));
    std::thread::sleep(Duration::from_millis(300));

    let before = owned("before");
    let after = owned("after");
    let object = review_by("UPDATE", Some(&after), Some(&before), "alice", Some("helm"));
    run(
        &h,
        "object UPDATE",
        &object,
        1000,
        Duration::from_secs(5),
        5000,
    );

    let mut big = release("shop", "web", 2, Status::PendingUpgrade);
    big.manifest.push_str(&filler(1 << 20));
    let big = record(&big);
    let record_review = review_by("CREATE", Some(&big), None, "alice", None);
    run(
        &h,
        "1 MiB record CREATE",
        &record_review,
        50,
        Duration::from_secs(5),
        250,
    );
}

fn owned(value: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "web-config",
            "namespace": "shop",
            "annotations": {
                "meta.helm.sh/release-name": "web",
                "meta.helm.sh/release-namespace": "shop",
            },
        },
        "data": {"k": value},
    })
}

/// `len` bytes of YAML comment lines that gzip cannot shrink much.
fn filler(len: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut text = String::with_capacity(len + 80);
    while text.len() < len {
        text.push_str("\n# ");
        for _ in 0..8 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(&format!("{state:016x}"));
        }
    }
    text
}

/// Sends `review` at `rate` per second for at most `duration` or
/// `count` requests, and prints what it measured.
fn run(h: &Harness, name: &str, review: &Value, rate: u64, duration: Duration, count: usize) {
    let body = Bytes::from(review.to_string());
    let (address, ca) = (h.address, h.ca_pem.clone());
    let (latencies, elapsed, errors) = h.runtime.block_on(async move {
        let latencies = Arc::new(Mutex::new(Vec::with_capacity(count)));
        let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = Vec::new();
        let per_worker = count / CONNECTIONS;
        let interval = Duration::from_secs_f64(CONNECTIONS as f64 / rate as f64);
        for _ in 0..CONNECTIONS {
            let (body, ca, latencies, errors) =
                (body.clone(), ca.clone(), latencies.clone(), errors.clone());
            workers.push(tokio::spawn(async move {
                let (tls, _) = common::connect(address, &ca).await.expect("TLS");
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                        .await
                        .expect("handshake");
                tokio::spawn(connection);
                let mut ticks = tokio::time::interval(interval);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                for _ in 0..per_worker {
                    ticks.tick().await;
                    if started.elapsed() > duration {
                        break;
                    }
                    let request = hyper::Request::post("/validate")
                        .header("host", "localhost")
                        .header("content-type", "application/json")
                        .body(Full::new(body.clone()))
                        .expect("request");
                    let sent = Instant::now();
                    let ok = match sender.send_request(request).await {
                        Ok(response) => {
                            let status = response.status();
                            let body = response.into_body().collect().await.map(|b| b.to_bytes());
                            status == 200
                                && body.is_ok_and(|b| {
                                    serde_json::from_slice::<Value>(&b)
                                        .is_ok_and(|v| v["response"]["allowed"] == true)
                                })
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    latencies.lock().await.push(sent.elapsed());
                }
            }));
        }
        for worker in workers {
            worker.await.expect("worker");
        }
        let elapsed = started.elapsed();
        let latencies = latencies.lock().await.clone();
        (
            latencies,
            elapsed,
            errors.load(std::sync::atomic::Ordering::Relaxed),
        )
    });
    let mut sorted = latencies;
    sorted.sort();
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{name}: target {rate}/s, {} requests in {:.2}s = {:.0}/s, not allowed or failed: {errors}, p50 {:.2} ms, p99 {:.2} ms, RSS {} MiB",
        sorted.len(),
        elapsed.as_secs_f64(),
        sorted.len() as f64 / elapsed.as_secs_f64(),
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        rss_mib()
    );
}

/// The process's resident set, from `/proc/self/status`.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
