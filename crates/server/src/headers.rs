//! Security headers on every answer: the app's Content-Security-Policy,
//! `nosniff`, no referrer, and camera and location for the app itself only.
//!
//! The policy allows what the app needs and nothing else: its own scripts
//! and the wasm they compile (`'wasm-unsafe-eval'`), the inline loader that
//! trunk writes into `index.html` (by its SHA-256, read from the file served,
//! so a rebuild needs no configuration), photos as `blob:` and `data:` URLs,
//! and sync with this server, any `https:` server an office sets up, or a
//! server on this machine's loopback (development, the e2e REST server).
//! Styles may be inline (`style=` attributes the app sets); nothing may be
//! framed, embedded as a plugin, or re-based.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy without any inline script (every answer but an HTML page).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; \
     media-src 'self' blob:; connect-src 'self' https: http://localhost:* http://127.0.0.1:*; worker-src 'self'; manifest-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `Permissions-Policy`: the camera (photos) and location (check-in) for
/// this origin only; nothing else that a page could ask for.
pub const PERMISSIONS_POLICY: &str = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()";

/// The policy for an HTML page: [`CSP`] with each of its inline scripts
/// allowed by hash.
pub fn csp_for_html(html: &str) -> String {
    let hashes: Vec<String> =
        inline_scripts(html).map(|script| format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script)))).collect();
    if hashes.is_empty() {
        return CSP.to_string();
    }
    let wasm = "script-src 'self' 'wasm-unsafe-eval'";
    CSP.replacen(wasm, &format!("{wasm}{}", hashes.concat()), 1)
}

/// The text of each `<script>` without a `src` (what the browser hashes:
/// exactly the characters between the tags).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let open_end = start + rest[start..].find('>')?;
        let tag = &rest[start..open_end];
        let body_start = open_end + 1;
        let body_end = body_start + rest[body_start..].find("</script")?;
        let body = &rest[body_start..body_end];
        rest = &rest[body_end..];
        if !tag.contains("src=") && !body.is_empty() {
            return Some(body);
        }
    })
}

/// Middleware: the security headers on every answer; a page's own policy
/// (set by [`crate::static_files`]) is kept.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(HeaderName::from_static("permissions-policy"), HeaderValue::from_static(PERMISSIONS_POLICY));
    response
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_and_nothing_else() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import init from '/x.js';init();</script></head>"#;
        let csp = csp_for_html(html);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest("import init from '/x.js';init();"));
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
        assert_eq!(csp_for_html("<head></head>"), CSP);
    }
}
