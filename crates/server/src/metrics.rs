//! What monitors read, off the public port (`serve --metrics-bind 127.0.0.1:9464`): `GET /metrics` in the
//! Prometheus text format (syncs, documents pushed and pulled, errors by kind, request latency by route)
//! and `GET /api/health` with the version and whether the database answers.
//!
//! Counted by hand with atomics (a few numbers do not need a metrics crate). The public port's own
//! `/api/health` says only ok or not ([`crate::app`]): the version and the database's state are for the
//! administrator, who alone reaches the metrics listener (loopback unless allowed otherwise, [`check_bind`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::error::ErrorKind;
use crate::AppState;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The routes latency is kept for, by the path a request names ([`route_of`]).
const ROUTES: [&str; 4] = ["sync", "blobs", "api", "static"];

/// How long the health check waits for the database before calling it unreachable.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct Histogram {
    /// Requests per bucket (not cumulative), the last one past every bound.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

/// The server's counters since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    syncs: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    pulled: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    latency: [Histogram; ROUTES.len()],
}

impl Metrics {
    /// One sync answered: documents pushed and accepted, pushed and rejected, and sent back.
    pub fn synced(&self, accepted: usize, rejected: usize, pulled: usize) {
        self.syncs.fetch_add(1, Relaxed);
        self.accepted.fetch_add(accepted as u64, Relaxed);
        self.rejected.fetch_add(rejected as u64, Relaxed);
        self.pulled.fetch_add(pulled as u64, Relaxed);
    }

    /// One request answered after `took`, with an error of `kind` or without.
    pub fn answered(&self, path: &str, took: Duration, kind: Option<&'static str>) {
        let histogram = &self.latency[ROUTES.iter().position(|r| *r == route_of(path)).unwrap_or(ROUTES.len() - 1)];
        let secs = took.as_secs_f64();
        let bucket = BUCKETS.iter().position(|le| secs <= *le).unwrap_or(BUCKETS.len());
        histogram.counts[bucket].fetch_add(1, Relaxed);
        histogram.sum_micros.fetch_add(took.as_micros().min(u64::MAX as u128) as u64, Relaxed);
        if let Some(kind) = kind {
            *self.errors.lock().unwrap_or_else(|e| e.into_inner()).entry(kind).or_default() += 1;
        }
    }

    /// Everything, in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        };
        counter(&mut out, "xunfang_syncs_total", "Sync requests answered.", self.syncs.load(Relaxed));
        counter(&mut out, "xunfang_documents_pushed_total", "Documents tablets pushed that the server accepted.", self.accepted.load(Relaxed));
        counter(
            &mut out,
            "xunfang_documents_rejected_total",
            "Documents tablets pushed that the server rejected (with a reason).",
            self.rejected.load(Relaxed),
        );
        counter(&mut out, "xunfang_documents_pulled_total", "Documents sent to tablets in sync answers.", self.pulled.load(Relaxed));
        out.push_str("# HELP xunfang_errors_total Requests answered with an error, by kind.\n# TYPE xunfang_errors_total counter\n");
        for (kind, n) in self.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "xunfang_errors_total{{kind=\"{kind}\"}} {n}");
        }
        let name = "xunfang_http_request_duration_seconds";
        let _ = write!(out, "# HELP {name} Time to answer a request (until its headers are ready), by route.\n# TYPE {name} histogram\n");
        for (route, histogram) in ROUTES.iter().zip(&self.latency) {
            let mut total = 0;
            for (i, count) in histogram.counts.iter().enumerate() {
                total += count.load(Relaxed);
                let le = BUCKETS.get(i).map_or("+Inf".to_string(), f64::to_string);
                let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"{le}\"}} {total}");
            }
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", histogram.sum_micros.load(Relaxed) as f64 / 1e6);
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {total}");
        }
        out
    }
}

/// The latency route of a path.
fn route_of(path: &str) -> &'static str {
    if path == "/api/sync" {
        "sync"
    } else if path.starts_with("/api/blobs/") {
        "blobs"
    } else if path.starts_with("/api/") {
        "api"
    } else {
        "static"
    }
}

/// Middleware: times every request and counts the errors it is answered with (by [`ErrorKind`]).
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.answered(&path, started.elapsed(), response.extensions().get::<ErrorKind>().map(|k| k.0));
    response
}

/// Refuses a metrics address that is not loopback, unless `allow_remote`: the counters tell an
/// outsider how busy the office is, and the health answer the server's version.
pub fn check_bind(addr: &str, allow_remote: bool) -> Result<(), String> {
    if allow_remote {
        return Ok(());
    }
    let resolved: Vec<_> =
        addr.to_socket_addrs().map_err(|e| format!("--metrics-bind {addr}: not an address to listen on ({e}); e.g. 127.0.0.1:9464"))?.collect();
    if resolved.is_empty() || resolved.iter().any(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "--metrics-bind {addr} is reachable from other machines; the metrics should be read on this one \
             (e.g. --metrics-bind 127.0.0.1:9464). If a monitor elsewhere must read them, add --metrics-allow-remote \
             and let only that monitor through the firewall"
        ));
    }
    Ok(())
}

/// Whether the database answered: `None` when the server has none.
async fn database(state: &AppState) -> Option<bool> {
    let store = state.store().ok()?;
    Some(matches!(tokio::time::timeout(HEALTH_TIMEOUT, store.reachable()).await, Ok(Ok(()))))
}

#[derive(Serialize)]
struct Health {
    ok: bool,
}

/// The public `GET /api/health`: `{"ok":true}`, or 503 with `{"ok":false}` when the database does not answer.
pub async fn public_health(State(state): State<AppState>) -> Response {
    let ok = database(&state).await != Some(false);
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(Health { ok })).into_response()
}

#[derive(Serialize)]
struct Status {
    ok: bool,
    version: &'static str,
    /// `reachable`, `unreachable`, or `none` (the server runs without sync).
    database: &'static str,
}

/// The metrics listener's `GET /api/health`: ok, the version, the database's state; 503 when it does not answer.
async fn full_health(State(state): State<AppState>) -> Response {
    let database = database(&state).await;
    let ok = database != Some(false);
    let body = Status {
        ok,
        version: crate::VERSION,
        database: match database {
            Some(true) => "reachable",
            Some(false) => "unreachable",
            None => "none",
        },
    };
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], state.metrics().render()).into_response()
}

/// The metrics listener's router: `/metrics` and `/api/health` over `state` (the one the public router
/// serves, so that the counters are its).
pub fn app(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics)).route("/api/health", get(full_health)).with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_unless_allowed() {
        assert!(check_bind("127.0.0.1:9464", false).is_ok());
        assert!(check_bind("[::1]:9464", false).is_ok());
        let err = check_bind("0.0.0.0:9464", false).unwrap_err();
        assert!(err.contains("--metrics-allow-remote"), "{err}");
        assert!(check_bind("192.168.1.10:9464", false).is_err());
        assert!(check_bind("0.0.0.0:9464", true).is_ok());
        assert!(check_bind("no port", false).unwrap_err().contains("not an address"));
    }

    #[test]
    fn a_request_falls_in_the_first_bucket_that_holds_it() {
        let m = Metrics::default();
        m.answered("/api/sync", Duration::from_millis(3), None);
        m.answered("/api/sync", Duration::from_secs(60), Some("busy"));
        m.answered("/index.html", Duration::from_micros(10), None);
        let text = m.render();
        assert!(text.contains("xunfang_http_request_duration_seconds_bucket{route=\"sync\",le=\"0.001\"} 0\n"), "{text}");
        assert!(text.contains("xunfang_http_request_duration_seconds_bucket{route=\"sync\",le=\"0.005\"} 1\n"), "{text}");
        assert!(text.contains("xunfang_http_request_duration_seconds_bucket{route=\"sync\",le=\"10\"} 1\n"), "{text}");
        assert!(text.contains("xunfang_http_request_duration_seconds_bucket{route=\"sync\",le=\"+Inf\"} 2\n"), "{text}");
        assert!(text.contains("xunfang_http_request_duration_seconds_sum{route=\"sync\"} 60.003\n"), "{text}");
        assert!(text.contains("xunfang_http_request_duration_seconds_bucket{route=\"static\",le=\"0.001\"} 1\n"), "{text}");
        assert!(text.contains("xunfang_errors_total{kind=\"busy\"} 1\n"), "{text}");
    }
}
