//! HTTPS for `serve`: the certificate and key (PEM) checked and loaded into
//! rustls (ring provider, no OpenSSL), and a listener that hands axum TLS streams.
//!
//! A tablet only gets a service worker and Web Crypto in a secure context,
//! so HTTPS is what makes the app work offline on an office network. The
//! checks refuse what would only fail later at every tablet: an expired or
//! not yet valid certificate, a key that is not the certificate's.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// `serve` warns in the log when the certificate expires within this many days.
pub const WARN_DAYS_BEFORE_EXPIRY: i64 = 30;

/// How long a client may take for its TLS handshake before it is dropped
/// (a connection that never speaks must not hold a task forever).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// A checked certificate and key, ready to serve.
#[derive(Clone)]
pub struct Loaded {
    pub config: Arc<ServerConfig>,
    /// The server certificate's names (DNS names and IP addresses).
    pub names: Vec<String>,
    pub not_after: DateTime<Utc>,
    /// Set when the certificate expires soon: what to tell the operator.
    pub warning: Option<String>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded").field("names", &self.names).field("not_after", &self.not_after).finish_non_exhaustive()
    }
}

/// Where `tls init` puts its files, and where `serve` looks for them by default.
#[derive(Debug, Clone)]
pub struct TlsDir(pub PathBuf);

impl TlsDir {
    /// `DATA/tls`.
    pub fn in_data(data: &Path) -> Self {
        Self(data.join("tls"))
    }
    /// The local CA's certificate: what tablets install (served at /setup/ca.crt).
    pub fn ca_cert(&self) -> PathBuf {
        self.0.join("ca.crt")
    }
    /// The local CA's private key: signs server certificates; never served.
    pub fn ca_key(&self) -> PathBuf {
        self.0.join("ca.key")
    }
    /// The server certificate followed by the CA's (the chain the server sends).
    pub fn server_cert(&self) -> PathBuf {
        self.0.join("server.crt")
    }
    pub fn server_key(&self) -> PathBuf {
        self.0.join("server.key")
    }
    /// Whether a server certificate and key are there for `serve` to use.
    pub fn has_server_files(&self) -> bool {
        self.server_cert().is_file() && self.server_key().is_file()
    }
}

/// Reads and checks `cert` (PEM, the server certificate first, then any
/// intermediates) and `key` (PEM: PKCS#8, PKCS#1 or SEC1), as of `now`.
pub fn load(cert: &Path, key: &Path, now: DateTime<Utc>) -> Result<Loaded, String> {
    let chain = read_chain(cert)?;
    let leaf = CertInfo::parse(&chain[0]).map_err(|e| format!("cannot read the certificate in {}: {e}", cert.display()))?;
    if now > leaf.not_after {
        return Err(format!(
            "the certificate in {} expired on {} and browsers refuse it. Make a new one: `xunfang-server tls renew` \
             for a certificate made by `tls init`, otherwise from whoever issued it",
            cert.display(),
            day(leaf.not_after)
        ));
    }
    if now < leaf.not_before {
        return Err(format!(
            "the certificate in {} is only valid from {}; is this computer's date right? (it says {})",
            cert.display(),
            day(leaf.not_before),
            day(now)
        ));
    }
    let key_pem = std::fs::read(key).map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|_| format!("{} holds no private key in PEM (expected \"-----BEGIN PRIVATE KEY-----\" or similar)", key.display()))?;
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => format!(
                "the private key {} does not belong to the certificate {}: pass the key it was issued with \
                 (after `tls init` or `tls renew` both are in the same directory)",
                key.display(),
                cert.display()
            ),
            other => format!("cannot use the certificate {} with the key {}: {other}", cert.display(), key.display()),
        })?;
    let mut config = config;
    // axum here speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let warning = expiry_warning(cert, leaf.not_after, now);
    Ok(Loaded { config: Arc::new(config), names: leaf.names, not_after: leaf.not_after, warning })
}

/// The warning for a certificate that expires within [`WARN_DAYS_BEFORE_EXPIRY`] days.
fn expiry_warning(cert: &Path, not_after: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let left = not_after - now;
    (left < chrono::Duration::days(WARN_DAYS_BEFORE_EXPIRY)).then(|| {
        format!(
            "the certificate in {} expires on {} (in {} days); after that no tablet can open the app. \
             Renew it now: `xunfang-server tls renew` (tablets keep trusting the same local CA)",
            cert.display(),
            day(not_after),
            left.num_days()
        )
    })
}

/// The certificates of a PEM file, at least one.
pub fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the certificate {}: {e}", path.display()))?;
    let chain: Vec<_> =
        CertificateDer::pem_slice_iter(&pem).collect::<Result<_, _>>().map_err(|e| format!("{} is not a PEM certificate file: {e}", path.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no certificate (expected \"-----BEGIN CERTIFICATE-----\")", path.display()));
    }
    Ok(chain)
}

/// What `serve` and `tls renew` need to know of a certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    pub names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The DER of its SubjectPublicKeyInfo (hashed, it is what Chromium's
    /// `--ignore-certificate-errors-spki-list` names).
    pub spki: Vec<u8>,
}

impl CertInfo {
    pub fn parse(der: &[u8]) -> Result<Self, String> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let time = |t: x509_parser::time::ASN1Time| DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    x509_parser::extensions::GeneralName::DNSName(dns) => names.push(dns.to_string()),
                    x509_parser::extensions::GeneralName::IPAddress(bytes) => match bytes.len() {
                        4 => names.push(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default()).to_string()),
                        16 => names.push(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default()).to_string()),
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        Ok(Self {
            names,
            not_before: time(cert.validity().not_before),
            not_after: time(cert.validity().not_after),
            spki: cert.tbs_certificate.subject_pki.raw.to_vec(),
        })
    }
}

/// This computer's clock (chrono is built without its own clock here).
pub fn now() -> DateTime<Utc> {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// `2026-12-01`.
pub(crate) fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A listener for `axum::serve` that accepts TCP connections and hands on
/// those whose TLS handshake succeeded. Handshakes run in their own tasks,
/// so a slow or silent client does not hold up the others.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    /// Stops accepting when the listener is dropped.
    _accepting: AbortOnDrop,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %err, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        // Usually a browser that does not trust the certificate yet.
                        Ok(Err(err)) => tracing::debug!(%peer, error = %err, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { ready, local, _accepting: AbortOnDrop(accepting) })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task ended (it only does when aborted): accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn a_certificate_expiring_within_thirty_days_is_warned_about_and_a_later_one_is_not() {
        let now = now();
        let path = Path::new("server.crt");
        let soon = expiry_warning(path, now + chrono::Duration::days(29), now).expect("a warning");
        assert!(soon.contains("tls renew"), "{soon}");
        assert!(expiry_warning(path, now + chrono::Duration::days(31), now).is_none());
    }
}
