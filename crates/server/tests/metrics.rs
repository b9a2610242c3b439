//! `/metrics` and `/api/health` for monitors: the counters move with real syncs and refusals and
//! parse as the Prometheus text format; health says 503 when the database does not answer; the
//! real binary serves them on a listener of its own and refuses a metrics address other machines
//! could reach.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{activity, call, sync_body, try_sync, val};
use serde_json::json;
use xunfang_core::BlobHash;
use xunfang_server::store::{
    Blob, BlobMeta, BlobPut, ClaimRefused, Claimed, DeviceRevoked, DeviceStore, NewBlob, NewSetupCode, NewToken, Pull, Pushed, QuotaExceeded, StoreFuture,
    Synced, SyncedBy, TokenInfo, TokenRow,
};
use xunfang_server::{AppState, Cors, SqliteStore, StoreError, SyncStore, Team};

/// One sample line of the text format: name, labels, value.
type Samples = BTreeMap<(String, Vec<(String, String)>), f64>;

/// Parses the Prometheus text format strictly enough to catch a malformed line; every sample's
/// metric must have a `# TYPE` before it.
fn parse(text: &str) -> (Samples, BTreeMap<String, String>) {
    let (mut samples, mut types) = (Samples::new(), BTreeMap::new());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            types.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let labels = inner
                    .split(',')
                    .map(|pair| {
                        let (k, v) = pair.split_once('=').unwrap();
                        (k.to_string(), v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or_else(|| panic!("unquoted: {line}")).to_string())
                    })
                    .collect();
                (name, labels)
            }
            None => (series, vec![]),
        };
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{line}");
        let family =
            ["_bucket", "_sum", "_count"].iter().find_map(|s| name.strip_suffix(s).filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))).unwrap_or(name);
        assert!(types.contains_key(family), "no TYPE for {name}");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        samples.insert((name.to_string(), labels), value);
    }
    (samples, types)
}

fn sample(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    let key = (name.to_string(), labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    *samples.get(&key).unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
}

async fn get(app: &axum::Router, uri: &str) -> common::Res {
    call(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_counters_follow_syncs_and_errors_and_parse_as_prometheus_text() {
    let (f, state) = common::fx_shared();
    let (app, token) = (&f.app, f.token("office"));
    let monitor = xunfang_server::metrics::app(state);

    let push: Vec<_> = (0..3).map(|n| val(&activity(n, "a", "记录"))).collect();
    assert_eq!(try_sync(app, &token, sync_body("a", None, push, None)).await.status, StatusCode::OK);
    assert_eq!(try_sync(app, &token, sync_body("b", None, vec![], None)).await.status, StatusCode::OK);
    assert_eq!(try_sync(app, "not-a-token", sync_body("c", None, vec![], None)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(get(app, "/api/nothing-here").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(app, "/").await.status, StatusCode::OK);

    let res = get(&monitor, "/metrics").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header(header::CONTENT_TYPE).starts_with("text/plain; version=0.0.4"));
    let (samples, types) = parse(&res.text());
    assert_eq!(types["xunfang_http_request_duration_seconds"], "histogram");
    assert_eq!(sample(&samples, "xunfang_syncs_total", &[]), 2.0, "the refused sync is no sync");
    assert_eq!(sample(&samples, "xunfang_documents_pushed_total", &[]), 3.0);
    assert_eq!(sample(&samples, "xunfang_documents_rejected_total", &[]), 0.0);
    // a's answer leaves out its own three (stored as pushed), b's carries them.
    assert_eq!(sample(&samples, "xunfang_documents_pulled_total", &[]), 3.0);
    assert_eq!(sample(&samples, "xunfang_errors_total", &[("kind", "unauthorized")]), 1.0);
    assert_eq!(sample(&samples, "xunfang_errors_total", &[("kind", "not_found")]), 1.0);

    let h = "xunfang_http_request_duration_seconds";
    for (route, requests) in [("sync", 3.0), ("api", 1.0), ("static", 1.0), ("blobs", 0.0)] {
        assert_eq!(sample(&samples, &format!("{h}_count"), &[("route", route)]), requests, "{route}");
        let buckets: Vec<f64> =
            samples.iter().filter(|((name, labels), _)| name == &format!("{h}_bucket") && labels[0].1 == route).map(|(_, v)| *v).collect::<Vec<_>>();
        assert_eq!(sample(&samples, &format!("{h}_bucket"), &[("route", route), ("le", "+Inf")]), requests, "{route}: +Inf holds all");
        assert!(buckets.iter().all(|b| *b <= requests), "{route}: {buckets:?}");
        assert!(sample(&samples, &format!("{h}_sum"), &[("route", route)]) >= 0.0);
    }
    assert!(
        sample(&samples, &format!("{h}_bucket"), &[("route", "sync"), ("le", "0.001")])
            <= sample(&samples, &format!("{h}_bucket"), &[("route", "sync"), ("le", "10")])
    );
}

#[tokio::test]
async fn health_tells_the_monitor_the_version_and_the_database_and_the_public_only_ok() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path()).with_store(SqliteStore::open(dir.path().join("db.sqlite3")).unwrap());
    let res = get(&xunfang_server::metrics::app(state.clone()), "/api/health").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), json!({"ok": true, "version": env!("CARGO_PKG_VERSION"), "database": "reachable"}));
    let res = get(&xunfang_server::app(state, &Cors::SameOrigin), "/api/health").await;
    assert_eq!(res.json(), json!({"ok": true}));

    let res = get(&xunfang_server::metrics::app(AppState::new(dir.path())), "/api/health").await;
    assert_eq!(res.json()["database"], "none", "a server without sync has no database to wait for");
}

/// A database that does not answer (its server is down): every call fails.
#[derive(Debug)]
struct Down;

fn down<T: Send + 'static>() -> StoreFuture<'static, T> {
    Box::pin(async { Err(StoreError("connection refused".into())) })
}

impl DeviceStore for Down {
    fn find_token(&self, _: Vec<u8>) -> StoreFuture<'_, Option<TokenRow>> {
        down()
    }
    fn token_used(&self, _: Vec<u8>, _: i64) -> StoreFuture<'_, ()> {
        down()
    }
    fn token_synced(&self, _: SyncedBy) -> StoreFuture<'_, ()> {
        down()
    }
    fn team_devices(&self, _: Team) -> StoreFuture<'_, Vec<TokenInfo>> {
        down()
    }
    fn add_setup_code(&self, _: Team, _: NewSetupCode) -> StoreFuture<'_, ()> {
        down()
    }
    fn claim_setup_code(&self, _: Vec<u8>, _: NewToken, _: i64) -> StoreFuture<'_, Result<Claimed, ClaimRefused>> {
        down()
    }
    fn revoke_device(&self, _: Team, _: String, _: i64) -> StoreFuture<'_, DeviceRevoked> {
        down()
    }
}

impl SyncStore for Down {
    fn sync(&self, _: Team, _: Vec<Pushed>, _: Pull, _: u64, _: SyncedBy) -> StoreFuture<'_, Result<Synced, QuotaExceeded>> {
        down()
    }
    fn blob_meta(&self, _: Team, _: BlobHash) -> StoreFuture<'_, Option<BlobMeta>> {
        down()
    }
    fn blob(&self, _: Team, _: BlobHash) -> StoreFuture<'_, Option<Blob>> {
        down()
    }
    fn put_blob(&self, _: Team, _: NewBlob, _: u64) -> StoreFuture<'_, Result<BlobPut, QuotaExceeded>> {
        down()
    }
}

#[tokio::test]
async fn health_is_503_when_the_database_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path()).with_store(Down);
    let res = get(&xunfang_server::metrics::app(state.clone()), "/api/health").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json(), json!({"ok": false, "version": env!("CARGO_PKG_VERSION"), "database": "unreachable"}));
    let res = get(&xunfang_server::app(state, &Cors::SameOrigin), "/api/health").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json(), json!({"ok": false}));
}

/// `GET path` over a real connection; the status line and the body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

#[test]
fn the_binary_serves_metrics_off_the_public_port_and_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let bin = env!("CARGO_BIN_EXE_xunfang-server");
    let base = |metrics: &str| {
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--bind", "127.0.0.1:0", "--metrics-bind", metrics, "--dist"]).arg(dir.path()).arg("--data").arg(dir.path().join("data"));
        cmd.env("RUST_LOG", "off");
        cmd
    };
    let out = base("0.0.0.0:0").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--metrics-bind 0.0.0.0:0 is reachable from other machines") && err.contains("--metrics-allow-remote"), "{err}");

    let mut child = base("127.0.0.1:0").stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines().map(Result::unwrap);
    let (mut metrics, mut public) = (None, None);
    for line in lines.by_ref() {
        if let Some(rest) = line.strip_prefix("metrics for monitors: http://") {
            metrics = rest.split_once('/').map(|(addr, _)| addr.to_string());
        }
        if let Some(rest) = line.strip_prefix("Xunfang is running at http://") {
            public = Some(rest.trim_end_matches('/').to_string());
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let (metrics, public) = (metrics.expect("the metrics address is printed first"), public.unwrap());
    assert_ne!(metrics, public);
    let (status, body) = http_get(&metrics, "/metrics");
    assert!(status.contains("200"), "{status}");
    let (samples, _) = parse(&body);
    assert_eq!(sample(&samples, "xunfang_syncs_total", &[]), 0.0);
    let (status, body) = http_get(&metrics, "/api/health");
    assert!(status.contains("200") && body.contains("\"database\":\"reachable\""), "{status} {body}");
    let (status, _) = http_get(&public, "/metrics");
    assert!(!status.contains("200") || !http_get(&public, "/metrics").1.contains("xunfang_syncs_total"), "no metrics on the public port");
    let (status, body) = http_get(&public, "/api/health");
    assert!(status.contains("200") && body == "{\"ok\":true}", "{status} {body}");
    child.kill().unwrap();
    child.wait().unwrap();
}
