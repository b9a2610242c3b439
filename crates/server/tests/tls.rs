//! HTTPS: `tls init|renew` certificates served through real TLS handshakes
//! (a rustls client trusting only the generated CA), the plain-HTTP redirect
//! and set-up page, and the refusals of unusable certificates.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use xunfang_server::local_ca;
use xunfang_server::setup::{self, SetupPage};
use xunfang_server::tls::{self, TlsDir, TlsListener};

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn now() -> DateTime<Utc> {
    tls::now()
}

/// A fresh `tls init` for office.test and 127.0.0.1, issued at `at`.
fn init_at(at: DateTime<Utc>) -> (tempfile::TempDir, TlsDir) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = TlsDir::in_data(tmp.path());
    local_ca::init(&dir, &names(&["office.test"]), &["127.0.0.1".parse().unwrap()], at).unwrap();
    (tmp, dir)
}

/// The app (over a stub dist) and the set-up routes, served over TLS with
/// the files in `dir`, on a free loopback port; the address and the dist
/// directory (removed when dropped).
async fn serve_https(dir: &TlsDir) -> (SocketAddr, tempfile::TempDir) {
    let loaded = tls::load(&dir.server_cert(), &dir.server_key(), now()).unwrap();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html><title>x</title>").unwrap();
    let page = SetupPage::new(std::fs::read(dir.ca_cert()).ok(), true, false);
    let app = setup::router(page).merge(xunfang_server::router(dist.path()));
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listener = TlsListener::new(tcp, loaded.config).unwrap();
    let addr = axum::serve::Listener::local_addr(&listener).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, dist)
}

/// GET `path` over TLS as `server_name`, trusting only the CA certificate
/// file `ca`; the whole answer (status line, headers, body) as text.
async fn https_get(addr: SocketAddr, server_name: &str, ca: &Path, path: &str) -> Result<String, std::io::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in tls::read_chain(ca).unwrap() {
        roots.add(cert).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut stream = connector.connect(ServerName::try_from(server_name.to_string()).unwrap(), tcp).await?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_client_trusting_the_generated_ca_completes_a_real_handshake_by_name_and_by_ip() {
    let (_tmp, dir) = init_at(now());
    let (addr, _dist) = serve_https(&dir).await;
    let by_name = https_get(addr, "office.test", &dir.ca_cert(), "/api/health").await.unwrap();
    assert!(by_name.starts_with("HTTP/1.1 200"), "{by_name}");
    assert!(by_name.ends_with(r#"{"ok":true}"#), "{by_name}");
    let by_ip = https_get(addr, "127.0.0.1", &dir.ca_cert(), "/api/health").await.unwrap();
    assert!(by_ip.starts_with("HTTP/1.1 200"), "{by_ip}");
}

#[tokio::test]
async fn a_client_that_trusts_another_ca_or_asks_for_another_name_is_refused() {
    let (_tmp, dir) = init_at(now());
    let (_other_tmp, other) = init_at(now());
    let (addr, _dist) = serve_https(&dir).await;
    let err = https_get(addr, "office.test", &other.ca_cert(), "/api/health").await.unwrap_err();
    // Both CAs carry the same name (same office, same day): the client finds
    // the other one by name, and its signature does not match.
    assert!(err.to_string().contains("invalid peer certificate"), "{err}");
    let err = https_get(addr, "elsewhere.test", &dir.ca_cert(), "/api/health").await.unwrap_err();
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

#[tokio::test]
async fn renew_signs_a_new_server_certificate_that_tablets_trusting_the_old_ca_still_accept() {
    let (_tmp, dir) = init_at(now());
    let ca_before = std::fs::read(dir.ca_cert()).unwrap();
    let cert_before = std::fs::read(dir.server_cert()).unwrap();
    let renewed = local_ca::renew(&dir, &[], &[], now()).unwrap();
    assert_eq!(renewed.names, names(&["office.test", "127.0.0.1"]), "the names are kept");
    assert_eq!(std::fs::read(dir.ca_cert()).unwrap(), ca_before, "the CA is untouched");
    assert_ne!(std::fs::read(dir.server_cert()).unwrap(), cert_before);
    let (addr, _dist) = serve_https(&dir).await;
    let answer = https_get(addr, "office.test", &dir.ca_cert(), "/api/health").await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // New names replace the old ones.
    let moved = local_ca::renew(&dir, &names(&["office2.test"]), &[], now()).unwrap();
    assert_eq!(moved.names, names(&["office2.test"]));
}

#[test]
fn init_refuses_to_overwrite_an_existing_ca_and_says_what_to_do_instead() {
    let (_tmp, dir) = init_at(now());
    let ca_before = std::fs::read(dir.ca_cert()).unwrap();
    let err = local_ca::init(&dir, &names(&["office.test"]), &[], now()).unwrap_err();
    assert!(err.contains("already exists") && err.contains("tls renew"), "{err}");
    assert_eq!(std::fs::read(dir.ca_cert()).unwrap(), ca_before);
}

#[test]
fn init_refuses_names_that_are_not_host_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = TlsDir::in_data(tmp.path());
    for bad in ["*.office.lan", "office lan", "-x.lan", "a/b"] {
        let err = local_ca::init(&dir, &names(&[bad]), &[], now()).unwrap_err();
        assert!(err.contains("not a host name"), "{bad}: {err}");
    }
    assert!(local_ca::init(&dir, &[], &[], now()).unwrap_err().contains("--name"));
    assert!(!dir.ca_key().exists(), "nothing written for a refused name");
}

#[cfg(unix)]
#[test]
fn the_private_keys_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir) = init_at(now());
    for key in [dir.ca_key(), dir.server_key()] {
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o077, 0, "{}", key.display());
    }
}

#[test]
fn serve_refuses_an_expired_certificate_and_warns_of_one_expiring_within_thirty_days() {
    let server_days = local_ca::SERVER_DAYS;
    let (_old, expired) = init_at(now() - Duration::days(server_days + 2));
    let err = tls::load(&expired.server_cert(), &expired.server_key(), now()).unwrap_err();
    assert!(err.contains("expired") && err.contains("tls renew"), "{err}");

    let (_soon, soon) = init_at(now() - Duration::days(server_days - 20));
    let loaded = tls::load(&soon.server_cert(), &soon.server_key(), now()).unwrap();
    assert!(loaded.warning.as_deref().unwrap_or("").contains("tls renew"), "{:?}", loaded.warning);

    let (_fresh, fresh) = init_at(now());
    assert!(tls::load(&fresh.server_cert(), &fresh.server_key(), now()).unwrap().warning.is_none());
}

#[test]
fn serve_refuses_a_key_that_is_not_the_certificates() {
    let (_a, a) = init_at(now());
    let (_b, b) = init_at(now());
    let err = tls::load(&a.server_cert(), &b.server_key(), now()).unwrap_err();
    assert!(err.contains("does not belong"), "{err}");
    let err = tls::load(&a.server_cert(), &a.server_cert(), now()).unwrap_err();
    assert!(err.contains("no private key"), "{err}");
}

async fn answer(app: &Router, host: &str, path: &str, extra: Option<(&str, &str)>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::HOST, host);
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn plain_http_redirects_to_https_on_the_same_host_but_serves_the_ca_and_its_page() {
    let (_tmp, dir) = init_at(now());
    let ca = std::fs::read(dir.ca_cert()).unwrap();
    let app = setup::redirect_router(SetupPage::new(Some(ca.clone()), false, false).with_https_port(8443), 8443);

    let (status, headers, _) = answer(&app, "office.test:8080", "/records?team=a", None).await;
    assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(headers[header::LOCATION], "https://office.test:8443/records?team=a");
    let (_, headers, _) = answer(&app, "192.168.1.10", "/", None).await;
    assert_eq!(headers[header::LOCATION], "https://192.168.1.10:8443/");
    for hostile in ["office.test:8080@evil.example", "a:b:8080", "office.test/evil", "[not-ipv6]:80"] {
        let (status, _, _) = answer(&app, hostile, "/", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a Host that is not a host name goes nowhere: {hostile}");
    }
    let (_, headers, _) = answer(&app, "[::1]:8080", "/a", None).await;
    assert_eq!(headers[header::LOCATION], "https://[::1]:8443/a");

    let (status, headers, body) = answer(&app, "office.test:8080", "/setup/ca.crt", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/x-x509-ca-cert");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".crt"));
    assert_eq!(body, ca, "the download is the CA file, byte for byte");
    assert!(!String::from_utf8_lossy(&body).contains("PRIVATE KEY"));

    let (status, headers, body) = answer(&app, "office.test:8080", "/setup/ca", None).await;
    let page = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "no inline script allowed: {csp}");
    assert!(!page.contains("<script"), "the page needs no script");
    assert!(page.contains("<svg"), "a QR code");
    assert!(page.contains("http://office.test:8080/setup/ca"), "the QR code's address is the page's own");
    assert!(page.contains("https://office.test:8443/"), "the page names the https address");
    assert!(page.contains("证书信任设置") && page.contains("Certificate Trust Settings"));
    assert!(page.find("让平板信任").unwrap() < page.find("Let the tablet trust").unwrap(), "Chinese first");
}

#[tokio::test]
async fn x_forwarded_proto_is_believed_only_when_the_proxy_is_trusted() {
    let (_tmp, dir) = init_at(now());
    let ca = std::fs::read(dir.ca_cert()).ok();
    let forwarded = Some(("x-forwarded-proto", "https"));
    let trusted = setup::router(SetupPage::new(ca.clone(), false, true));
    let (_, _, body) = answer(&trusted, "office.example", "/setup/ca", forwarded).await;
    assert!(String::from_utf8(body).unwrap().contains("https://office.example/setup/ca"));
    let untrusted = setup::router(SetupPage::new(ca, false, false));
    let (_, _, body) = answer(&untrusted, "office.example", "/setup/ca", forwarded).await;
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("http://office.example/setup/ca") && !page.contains("https://office.example/setup/ca"));
}

#[tokio::test]
async fn without_a_local_ca_the_set_up_page_says_there_is_nothing_to_install() {
    let app = setup::router(SetupPage::new(None, true, false));
    let (status, _, body) = answer(&app, "office.example", "/setup/ca.crt", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8(body).unwrap().contains("nothing to install"));
}

/// Runs `xunfang-server serve` with a stub app until it says it runs (or
/// exits); its stdout up to then and, once stopped, its stderr.
fn serve_binary(args: &[&str]) -> (bool, String, String) {
    use std::io::{BufRead, Read};
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xunfang-server"))
        .arg("serve")
        .arg("--dist")
        .arg(tmp.path())
        .arg("--data")
        .arg(tmp.path().join("data"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut running = false;
    let mut line = String::new();
    while lines.read_line(&mut line).unwrap_or(0) > 0 {
        stdout.push_str(&line);
        if line.starts_with("Xunfang is running at ") {
            running = true;
            break;
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (running, stdout, stderr)
}

#[test]
fn serve_warns_when_it_serves_plain_http_beyond_this_machine_and_not_on_loopback() {
    let (running, _, stderr) = serve_binary(&["--bind", "0.0.0.0:0"]);
    assert!(running);
    assert!(stderr.contains("serving plain HTTP") && stderr.contains("cannot work offline") && stderr.contains("tls init"), "{stderr}");
    let (running, _, stderr) = serve_binary(&["--bind", "127.0.0.1:0"]);
    assert!(running);
    assert!(!stderr.contains("serving plain HTTP"), "{stderr}");
}

#[test]
fn before_tls_init_the_redirect_port_serves_the_plain_app_itself_and_the_log_says_what_to_run() {
    // A fresh package install has `http_bind` in its config and no certificate yet: it must start
    // (on the plain port only, so the held https port proves it does not listen there) and say
    // which command makes the certificate.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let https_port = held.local_addr().unwrap().port();
    let (running, stdout, stderr) = serve_binary(&["--bind", &format!("127.0.0.1:{https_port}"), "--http-bind", "127.0.0.1:0"]);
    assert!(running, "{stdout}{stderr}");
    let url = stdout.lines().find_map(|l| l.strip_prefix("Xunfang is running at ")).unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && !url.contains(&format!(":{https_port}/")), "{url}");
    assert!(stderr.contains("no certificate") && stderr.contains("tls init") && stderr.contains("--http-bind"), "{stderr}");
    drop(held);
}

#[test]
fn tls_init_takes_the_data_directory_from_the_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("state");
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, format!("bind = \"0.0.0.0:8443\"\ndata = {:?}\n", data.display().to_string())).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xunfang-server"))
        .args(["tls", "init", "--name", "office.test", "--ip", "127.0.0.1", "--config"])
        .arg(&config)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = TlsDir::in_data(&data);
    assert!(dir.has_server_files() && dir.ca_cert().is_file());
    assert!(!tmp.path().join("data").exists(), "the default data directory was used instead of the config's");
}
