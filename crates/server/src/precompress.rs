//! Static files compressed once, at the best ratio, and kept in memory.
//!
//! The app shell (above all the wasm, ~2 MB) is what a tablet downloads on a
//! thin connection. Brotli's best quality (11) makes the wasm ~13% smaller
//! than the quality 5 that on-the-fly compression can afford, but takes
//! seconds, so it is done once per file and encoding: the first request (or
//! [`PrecompressCache::warm`], which `xunfang-server serve` runs before it
//! says it is running) starts a job on the blocking pool, requests for the
//! same file and encoding wait for that job (never a second one), and later
//! requests get the stored bytes. Entries are keyed by the
//! file's path, length and modification time: a rebuilt `dist/` is compressed
//! afresh on its first request, and entries of files that are gone are
//! dropped when the next entry is added.
//!
//! Debug builds compress brotli at quality 5 instead: unoptimised, brotli 11
//! needs ~37 s for the wasm (~6 s in a release build), and the tests and
//! `cargo xtask serve` run the debug server.
//!
//! Which requests use it is decided in [`crate::serve`]: only a whole `200`
//! response (no `Range`) that the compression layer would have compressed
//! ([`tower_http`]'s default predicate: not images, 32 bytes or more), for a
//! client whose `Accept-Encoding` picks brotli or gzip the way the layer
//! would ([`negotiate`]). Anything else, and a file that cannot be read
//! whole, goes through the layer as before.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use tokio::sync::watch;

/// Brotli quality of stored files: 11 (the best) in optimised builds, 5 (as
/// the on-the-fly compression) in debug builds, where 11 is ~6× slower.
pub const BROTLI_QUALITY: u32 = if cfg!(debug_assertions) { 5 } else { 11 };
/// Brotli window (log2 bytes): 22, brotli's default; 4 MiB covers the wasm.
/// Up to 24 is standard (RFC 7932); larger ("large window") is not, and
/// browsers refuse it.
pub const BROTLI_LGWIN: u32 = 22;
/// gzip level of stored files (the best).
pub const GZIP_LEVEL: u32 = 9;
/// Larger files are left to on-the-fly compression (nothing in `dist/` is
/// near this; it bounds the memory a stray large file could take).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// An encoding the cache stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }

    /// Compresses `data` at this encoding's stored quality.
    pub fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Encoding::Gzip => gzip(data, GZIP_LEVEL),
            Encoding::Brotli => brotli(data, BROTLI_QUALITY),
        }
    }
}

/// Brotli at `quality` (0–11), window [`BROTLI_LGWIN`].
pub fn brotli(data: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams { quality: quality.min(11) as i32, lgwin: BROTLI_LGWIN as i32, size_hint: data.len(), ..Default::default() };
    let mut out = Vec::with_capacity(data.len() / 3);
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

/// gzip at `level` (0–9).
pub fn gzip(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), flate2::Compression::new(level.min(9)));
    encoder.write_all(data)?;
    encoder.finish()
}

/// The encoding the compression layer would pick for these request headers,
/// among those it is configured with (gzip, brotli), or `None` for identity.
/// Same rules as `tower_http`: the highest q-value wins, ties go to brotli
/// over gzip over identity, q=0 refuses, unknown codings are ignored.
pub fn negotiate(headers: &HeaderMap) -> Option<Encoding> {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(','))
        .filter_map(|item| {
            let mut parts = item.splitn(2, ';');
            let name = parts.next().unwrap_or("").trim();
            let coding = if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                Some(Encoding::Gzip)
            } else if name.eq_ignore_ascii_case("br") {
                Some(Encoding::Brotli)
            } else if name.eq_ignore_ascii_case("identity") {
                None
            } else {
                return None;
            };
            let q = match parts.next() {
                Some(q) => qvalue(q.trim())?,
                None => 1000,
            };
            Some((coding, q))
        })
        .filter(|&(_, q)| q > 0)
        .max_by_key(|&(coding, q)| (q, coding.map_or(0, |c| c as u8 + 1)))
        .and_then(|(coding, _)| coding)
}

/// A q-value (`q=0.8`) in thousandths, as RFC 9110 §12.4.2 writes it.
fn qvalue(s: &str) -> Option<u16> {
    let rest = s.strip_prefix("q=").or_else(|| s.strip_prefix("Q="))?;
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let frac_value = frac.bytes().zip([100u16, 10, 1]).map(|(b, f)| (b - b'0') as u16 * f).sum::<u16>();
    let value = whole + frac_value;
    (value <= 1000).then_some(value)
}

/// What a stored entry was made from: the file as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileKey {
    len: u64,
    modified: SystemTime,
}

impl FileKey {
    fn of(meta: &std::fs::Metadata) -> Option<FileKey> {
        Some(FileKey { len: meta.len(), modified: meta.modified().ok()? })
    }
}

/// `None` while compressing; then the bytes, or `None` if the file could
/// not be read whole.
type Outcome = Option<Option<Bytes>>;

struct Slot {
    key: FileKey,
    done: watch::Receiver<Outcome>,
}

/// Compressed static files, shared by the router's clones.
#[derive(Clone, Default)]
pub struct PrecompressCache {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    slots: Mutex<HashMap<(PathBuf, Encoding), Arc<Slot>>>,
    /// How many compressions have run (started), for tests and logs.
    compressions: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for PrecompressCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("PrecompressCache").field("entries", &slots.len()).finish()
    }
}

impl PrecompressCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many compressions have been started since the cache was made.
    pub fn compressions(&self) -> u64 {
        self.inner.compressions.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `path` compressed with `encoding`: from memory when stored for the
    /// file as it is now, otherwise compressed (once, however many requests
    /// ask at the same time) and stored. `None` when the file is not a
    /// regular file of at most [`MAX_FILE_BYTES`], or changed while being
    /// read: the caller serves it another way.
    pub async fn get(&self, path: &Path, encoding: Encoding) -> Option<Bytes> {
        let meta = tokio::fs::metadata(path).await.ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return None;
        }
        let key = FileKey::of(&meta)?;
        let slot = self.slot(path, encoding, key);
        let mut done = slot.done.clone();
        // `Err`: the job died without an answer (a panic); treated as a failure.
        let bytes = match done.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone().flatten(),
            Err(_) => None,
        };
        if bytes.is_none() {
            // Unreadable or changed underfoot: forget it, the next request tries again.
            let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
            let id = (path.to_path_buf(), encoding);
            if slots.get(&id).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                slots.remove(&id);
            }
        }
        bytes
    }

    /// The slot for `path` as `key` describes it, starting its compression
    /// if there is none yet (or only one for an older version of the file).
    fn slot(&self, path: &Path, encoding: Encoding, key: FileKey) -> Arc<Slot> {
        let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
        let id = (path.to_path_buf(), encoding);
        if let Some(slot) = slots.get(&id).filter(|s| s.key == key) {
            return slot.clone();
        }
        // A new file or a new version: drop what no longer matches its file.
        slots.retain(|(p, _), s| std::fs::metadata(p).ok().and_then(|m| FileKey::of(&m)).is_some_and(|k| k == s.key));
        let (tx, rx) = watch::channel(None);
        let slot = Arc::new(Slot { key, done: rx });
        slots.insert(id, slot.clone());
        drop(slots);
        self.inner.compressions.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = path.to_path_buf();
        // Runs to the end even if every waiting request goes away.
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let bytes = compress_file(&path, key, encoding);
            match &bytes {
                Some(out) => tracing::debug!(
                    path = %path.display(),
                    encoding = encoding.as_str(),
                    from = key.len,
                    to = out.len(),
                    ms = started.elapsed().as_secs_f64() * 1000.0,
                    "compressed a static file"
                ),
                None => {
                    tracing::debug!(path = %path.display(), "static file changed while compressing")
                }
            }
            let _ = tx.send(Some(bytes));
        });
        slot
    }

    /// Brotli-compresses every file under `dir` that would be served
    /// compressed, one at a time, smallest first: start-up work so the first
    /// tablet does not wait. (Browsers all take brotli; gzip is made on the
    /// first request for it.) Requests that come meanwhile share the jobs: a
    /// file is never compressed twice.
    pub async fn warm(&self, dir: &Path) {
        let started = Instant::now();
        let mut files = Vec::new();
        collect_files(dir, &mut files);
        files.retain(|(path, len)| *len >= 32 && *len <= MAX_FILE_BYTES && compressible_type(crate::static_files::content_type_for(path).essence_str()));
        files.sort_by_key(|&(_, len)| len);
        let (mut raw, mut br) = (0, 0);
        for (path, len) in &files {
            if let Some(out) = self.get(path, Encoding::Brotli).await {
                raw += len;
                br += out.len() as u64;
            }
        }
        tracing::info!(
            files = files.len(),
            raw,
            brotli = br,
            brotli_quality = BROTLI_QUALITY,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "static files compressed"
        );
    }
}

/// Reads `path` and compresses it, if it is still the file `key` describes.
fn compress_file(path: &Path, key: FileKey, encoding: Encoding) -> Option<Bytes> {
    let data = std::fs::read(path).ok()?;
    let now = std::fs::metadata(path).ok().and_then(|m| FileKey::of(&m));
    if data.len() as u64 != key.len || now != Some(key) {
        return None;
    }
    encoding.compress(&data).ok().map(Bytes::from)
}

/// Whether the compression layer's default predicate lets this content type
/// be compressed (not images except SVG, not gRPC, not event streams).
fn compressible_type(mime: &str) -> bool {
    let image = mime.starts_with("image/") && mime != "image/svg+xml";
    !(image || mime.starts_with("application/grpc") || mime.starts_with("text/event-stream"))
}

/// Regular files under `dir` with their lengths, skipping dot-files and
/// dot-directories (trunk's `.stage`).
fn collect_files(dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_files(&path, out),
            Ok(t) if t.is_file() => {
                if let Ok(meta) = entry.metadata() {
                    out.push((path, meta.len()));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn negotiates_like_the_compression_layer() {
        use Encoding::*;
        assert_eq!(negotiate(&accept(&[])), None);
        assert_eq!(negotiate(&accept(&["identity"])), None);
        assert_eq!(negotiate(&accept(&["gzip"])), Some(Gzip));
        assert_eq!(negotiate(&accept(&["x-gzip"])), Some(Gzip));
        assert_eq!(negotiate(&accept(&["br"])), Some(Brotli));
        assert_eq!(negotiate(&accept(&["gzip, deflate, br, zstd"])), Some(Brotli));
        assert_eq!(negotiate(&accept(&["gzip", "br"])), Some(Brotli));
        assert_eq!(negotiate(&accept(&["br;q=0.5, gzip"])), Some(Gzip));
        assert_eq!(negotiate(&accept(&["br;q=0, gzip;q=0"])), None);
        assert_eq!(negotiate(&accept(&["identity, gzip;q=0.9"])), None);
        assert_eq!(negotiate(&accept(&["identity;q=0.5, gzip;q=0.9"])), Some(Gzip));
        assert_eq!(negotiate(&accept(&["br;q=0.25, gzip;q=0.125"])), Some(Brotli));
        assert_eq!(negotiate(&accept(&["br;q=1.5, gzip"])), Some(Gzip), "bad q ignored");
        assert_eq!(negotiate(&accept(&["*"])), None);
        assert_eq!(negotiate(&accept(&["deflate, zstd"])), None);
    }

    #[test]
    fn qvalues() {
        assert_eq!(qvalue("q=1"), Some(1000));
        assert_eq!(qvalue("q=1.000"), Some(1000));
        assert_eq!(qvalue("q=0.5"), Some(500));
        assert_eq!(qvalue("Q=0.125"), Some(125));
        assert_eq!(qvalue("q=0"), Some(0));
        assert_eq!(qvalue("q=1.001"), None);
        assert_eq!(qvalue("q=0.1234"), None);
        assert_eq!(qvalue("q=2"), None);
        assert_eq!(qvalue("x=1"), None);
    }

    #[test]
    fn both_encodings_round_trip() {
        let data = "巡访 field notes, compressed once. ".repeat(300);
        let br = Encoding::Brotli.compress(data.as_bytes()).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, data.as_bytes());
        let gz = Encoding::Gzip.compress(data.as_bytes()).unwrap();
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, data.as_bytes());
        assert!(br.len() < data.len() / 10 && gz.len() < data.len() / 10);
    }
}
