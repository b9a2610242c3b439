//! What the server logs: never a token, never a set-up link's query. Its
//! own test binary, so that no other test's thread races for the one
//! tracing subscriber this test captures.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::{call, fx, sync, sync_body};

#[tokio::test]
async fn the_request_log_never_holds_a_token_or_a_set_up_links_query() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);
    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let f = fx();
    let token = f.token("office");
    call(&f.app, Request::get("/settings?sync=https%3A%2F%2Fsync.example&token=SETUP-SECRET-123&mode=native").body(Body::empty()).unwrap()).await;
    sync(&f.app, &token, sync_body("tablet-a", None, vec![], None)).await;
    let bad = Request::post("/api/sync").header(header::AUTHORIZATION, "Bearer WRONG-SECRET-456").body(Body::empty()).unwrap();
    call(&f.app, bad).await;

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("/settings") && text.contains("sync"), "the log was captured: {text}");
    for secret in ["SETUP-SECRET-123", "WRONG-SECRET-456", token.as_str(), "sync.example"] {
        assert!(!text.contains(secret), "{secret} is in the log:\n{text}");
    }
}
