//! `/setup/ca`: the page (Chinese, then English) from which a tablet installs
//! the office's local CA, `/setup/ca.crt` (the CA file itself), and the plain-HTTP
//! side of an HTTPS server, which serves only these and sends everything else to https.
//!
//! Both must be reachable over plain HTTP: a tablet that does not trust the
//! CA yet cannot open the https address. The CA's key is never read here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The CA certificate file's name when downloaded (iOS and Android go by `.crt`).
pub const DOWNLOAD_NAME: &str = "xunfang-office-ca.crt";
/// The content type under which Android and iOS offer to install a CA.
pub const CA_CONTENT_TYPE: &str = "application/x-x509-ca-cert";

/// What the set-up routes serve.
#[derive(Debug, Clone)]
pub struct SetupPage {
    /// The CA certificate (PEM, as `tls init` wrote it); `None` when the
    /// server's certificate comes from elsewhere (nothing to install then).
    ca_pem: Option<Bytes>,
    /// Whether these routes are served over TLS.
    tls: bool,
    /// Whether `X-Forwarded-Proto` of a reverse proxy in front is believed.
    trust_proxy: bool,
    /// The port the app is served on over https, when this server knows it.
    https_port: Option<u16>,
}

impl SetupPage {
    pub fn new(ca_pem: Option<Vec<u8>>, tls: bool, trust_proxy: bool) -> Self {
        Self { ca_pem: ca_pem.map(Bytes::from), tls, trust_proxy, https_port: None }
    }

    /// The page names the app's https address on this port.
    pub fn with_https_port(mut self, port: u16) -> Self {
        self.https_port = Some(port);
        self
    }

    /// The scheme the browser used: the connection's, or the trusted proxy's word.
    fn scheme(&self, headers: &HeaderMap) -> &'static str {
        if self.tls {
            return "https";
        }
        if self.trust_proxy {
            let forwarded = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("");
            // A proxy chain may list several ("https, http"): the first is the browser's.
            if forwarded.split(',').next().map(str::trim).is_some_and(|p| p.eq_ignore_ascii_case("https")) {
                return "https";
            }
        }
        "http"
    }
}

/// `/setup/ca` and `/setup/ca.crt`, with the security headers.
pub fn router(page: SetupPage) -> Router {
    Router::new()
        .route("/setup/ca", get(page_html))
        .route("/setup/ca.crt", get(ca_file))
        .with_state(Arc::new(page))
        .layer(axum::middleware::from_fn(crate::headers::security_headers))
}

/// The plain-HTTP server next to an HTTPS one: the set-up routes, and a
/// redirect to `https://<same host>:<https_port><same path>` for the rest.
pub fn redirect_router(page: SetupPage, https_port: u16) -> Router {
    router(page).fallback(move |headers: HeaderMap, request: Request| async move { redirect(&headers, &request, https_port) })
}

fn redirect(headers: &HeaderMap, request: &Request, https_port: u16) -> Response {
    let Some(host) = host_name(headers) else {
        return (StatusCode::BAD_REQUEST, "请使用 https 地址打开。 Open the https address of this server.").into_response();
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let location = format!("https://{host}{port}{path}");
    match HeaderValue::from_str(&location) {
        // Temporary: an office may move the https port; a browser must not
        // keep an old permanent redirect.
        Ok(value) => {
            (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, value), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response()
        }
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The host of the `Host` header without its port, if it is a plain host
/// name, IPv4 or bracketed IPv6 address (the header is the client's word:
/// nothing else may reach a page or a `Location`).
fn host_name(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    if let Some(rest) = host.strip_prefix('[') {
        let (inside, _) = rest.split_once(']')?;
        inside.parse::<std::net::Ipv6Addr>().ok()?;
        return Some(format!("[{inside}]"));
    }
    let name = host.rsplit_once(':').map_or(host, |(name, port)| if port.bytes().all(|b| b.is_ascii_digit()) { name } else { "" });
    let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    (!name.is_empty() && name.len() <= 253 && plain).then(|| name.to_string())
}

/// The `Host` header whole (name and port) if it is well formed.
fn host_with_port(headers: &HeaderMap) -> Option<String> {
    let name = host_name(headers)?;
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let port = host.strip_prefix(&name).unwrap_or("");
    let port_ok = port.is_empty() || (port.starts_with(':') && port.len() <= 6 && port[1..].bytes().all(|b| b.is_ascii_digit()));
    port_ok.then(|| format!("{name}{port}"))
}

async fn ca_file(State(page): State<Arc<SetupPage>>) -> Response {
    match &page.ca_pem {
        Some(pem) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(CA_CONTENT_TYPE)),
                (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"xunfang-office-ca.crt\"")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            pem.clone(),
        )
            .into_response(),
        None => no_local_ca(),
    }
}

fn no_local_ca() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>无需安装证书 · Nothing to install</title>\
             <p>本服务器没有本地证书颁发机构（它的证书来自别处），平板无需安装证书。</p>\
             <p lang=\"en\">This server has no local certificate authority (its certificate comes from elsewhere): there is nothing to install.</p></html>",
        ),
    )
        .into_response()
}

async fn page_html(State(page): State<Arc<SetupPage>>, headers: HeaderMap) -> Response {
    if page.ca_pem.is_none() {
        return no_local_ca();
    }
    let Some(host) = host_with_port(&headers) else {
        return (StatusCode::BAD_REQUEST, "Bad Host header").into_response();
    };
    let address = format!("{}://{host}/setup/ca", page.scheme(&headers));
    let qr = qr_svg(&address).unwrap_or_default();
    let (https_zh, https_en) = match (page.https_port, host_name(&headers)) {
        (Some(port), Some(name)) => {
            let url = escape(&format!("https://{name}{}/", if port == 443 { String::new() } else { format!(":{port}") }));
            (format!("<a href=\"{url}\">{url}</a>"), format!("<a href=\"{url}\">{url}</a>"))
        }
        _ => ("服务器的 https 地址".to_string(), "the server's https address".to_string()),
    };
    let html = PAGE
        .replace("{HTTPS_EN}", &https_en)
        .replace("{HTTPS}", &https_zh)
        .replace("{ADDRESS}", &escape(&address))
        .replace("{QR}", &qr)
        .replace("{FILE}", DOWNLOAD_NAME);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

/// The QR code of `text` as inline SVG (without the XML prolog, which has
/// no place inside HTML).
fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build();
    svg.find("<svg").map(|start| svg[start..].to_string())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page: no script (the default policy allows none inline), inline
/// styles only, and an empty icon: the browser's own /favicon.ico request
/// would be redirected to the https origin, which the policy refuses.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>巡访：信任办公室证书 · Xunfang: trust the office certificate</title>
<style>
body { font: 18px/1.6 system-ui, sans-serif; max-width: 42rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
a.download { display: inline-block; min-height: 44px; min-width: 44px; padding: 0.6rem 1.2rem; background: #0b5cad; color: #fff; border-radius: 6px; text-decoration: none; }
.qr svg { width: 220px; height: 220px; }
section[lang="en"] { border-top: 1px solid #ccc; margin-top: 2.5rem; }
code { word-break: break-all; }
</style>
</head>
<body>
<main>
<section>
<h1>让平板信任办公室的证书</h1>
<p>平板只有通过 https 打开巡访，才能离线工作、保存照片。办公室服务器使用自己的证书，每台平板需要安装并信任一次。</p>
<p><a class="download" href="/setup/ca.crt" download="{FILE}">下载办公室证书（{FILE}）</a></p>
<p>另一台平板可扫描此二维码打开本页：</p>
<div class="qr" role="img" aria-label="本页地址的二维码：{ADDRESS}">{QR}</div>
<p>本页地址：<code>{ADDRESS}</code></p>
<h2>安卓平板</h2>
<ol>
<li>点上面的“下载办公室证书”。</li>
<li>打开“设置” › “安全”（或“安全和隐私”） › “更多安全设置” › “加密与凭据” › “安装证书” › “CA 证书”。</li>
<li>看到提示时选“仍然安装”，然后在“下载”中选择 {FILE}。</li>
<li>用 Chrome 打开 {HTTPS}。</li>
</ol>
<h2>iPad</h2>
<ol>
<li>用 Safari 打开本页，点“下载办公室证书”，选“允许”。</li>
<li>打开“设置” › “通用” › “VPN 与设备管理”，点名为 “Xunfang office CA …” 的描述文件，点“安装”。</li>
<li>打开“设置” › “通用” › “关于本机” › “证书信任设置”，打开该证书的开关。</li>
<li>在 Safari 中打开 {HTTPS}。</li>
</ol>
</section>
<section lang="en">
<h1>Let the tablet trust the office certificate</h1>
<p>Xunfang works offline and keeps photos only when a tablet opens it over https. The office server uses a certificate of its own: install and trust it once on each tablet.</p>
<p><a class="download" href="/setup/ca.crt" download="{FILE}">Download the office certificate ({FILE})</a></p>
<p>Another tablet can open this page by scanning the QR code above. This page: <code>{ADDRESS}</code></p>
<h2>Android tablets</h2>
<ol>
<li>Tap “Download the office certificate” above.</li>
<li>Open Settings › Security (or Security &amp; privacy) › More security settings › Encryption &amp; credentials › Install a certificate › CA certificate.</li>
<li>Choose “Install anyway” when warned, then pick {FILE} in Downloads.</li>
<li>Open {HTTPS_EN} in Chrome.</li>
</ol>
<h2>iPad</h2>
<ol>
<li>Open this page in Safari, tap “Download the office certificate”, then “Allow”.</li>
<li>Open Settings › General › VPN &amp; Device Management, tap the “Xunfang office CA …” profile, then Install.</li>
<li>Open Settings › General › About › Certificate Trust Settings and switch the certificate on.</li>
<li>Open {HTTPS_EN} in Safari.</li>
</ol>
</section>
</main>
</body>
</html>
"#;
