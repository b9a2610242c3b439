//! Listening: binding the address with messages that say what to do, and
//! serving until Ctrl-C or SIGTERM (in-flight requests finish first).

use axum::Router;

/// Binds `addr`, turning the usual failures into friendly messages.
pub async fn bind(addr: &str) -> Result<tokio::net::TcpListener, String> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(err) => Err(match err.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "address {addr} is already in use (is another Xunfang server running?). \
                 Stop it or pick another address, e.g. --bind 127.0.0.1:8081"
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "not allowed to listen on {addr} (ports below 1024 need privileges). \
                 Pick another address with --bind, e.g. --bind 127.0.0.1:8080"
            ),
            std::io::ErrorKind::AddrNotAvailable => format!(
                "address {addr} is not available on this machine. \
                 Pick another with --bind, e.g. --bind 127.0.0.1:8080"
            ),
            _ => format!("cannot listen on {addr}: {err}. Pick another address with --bind"),
        }),
    }
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve_until_shutdown(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

/// Serves `app` on any listener (the TLS one of [`crate::tls`]) until
/// Ctrl-C or SIGTERM.
pub async fn serve_listener_until_shutdown<L>(listener: L, app: Router) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
