//! Which other origins may call `/api` (`--cors-origin`), and the CORS
//! layer that lets them; by default only the app's own origin can.

use axum::http::{header, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Which other origins may call `/api` (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// Same origin only (no CORS headers).
    #[default]
    SameOrigin,
    /// Any origin (`--cors-origin '*'`).
    Any,
    /// These origins (`https://app.example.org`).
    Origins(Vec<HeaderValue>),
}

impl Cors {
    /// From the `--cors-origin` values; `*` among them means any.
    pub fn from_args(origins: &[String]) -> Result<Cors, String> {
        if origins.is_empty() {
            return Ok(Cors::SameOrigin);
        }
        if origins.iter().any(|o| o.trim() == "*") {
            return Ok(Cors::Any);
        }
        origins
            .iter()
            .map(|o| {
                let o = o.trim().trim_end_matches('/');
                let ok = (o.starts_with("http://") || o.starts_with("https://")) && !o["https://".len().min(o.len())..].contains('/');
                match HeaderValue::from_str(o) {
                    Ok(v) if ok => Ok(v),
                    _ => Err(format!("--cors-origin {o:?} is not an origin; write it as scheme://host[:port], e.g. https://app.example.org, or * for any")),
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Cors::Origins)
    }

    /// The layer to put on `/api`, if any origin besides our own may call it.
    pub(crate) fn layer(&self) -> Option<CorsLayer> {
        let origin = match self {
            Cors::SameOrigin => return None,
            Cors::Any => AllowOrigin::any(),
            Cors::Origins(list) => AllowOrigin::list(list.clone()),
        };
        Some(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::OPTIONS])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                // So the app can read a photo's hash back from a response,
                // and how long to wait after a 429.
                .expose_headers([header::ETAG, header::RETRY_AFTER])
                .max_age(std::time::Duration::from_secs(3600)),
        )
    }
}
