//! Encryption at rest under a passcode: the envelope every sealed value is
//! stored in, the wrapped data key, and the rules of the lock (wrong tries, delays, idle time).
//!
//! A random 256-bit data key seals every value with AES-256-GCM; the data key
//! itself is stored only sealed under a key derived from the passcode (the
//! derivation, PBKDF2-SHA-256, runs in the browser's Web Crypto). Changing
//! the passcode re-seals the data key alone. Callers pass the random bytes
//! (IVs, keys, salts) and the time in: nothing here reads a clock or a
//! random source, so every rule is tested natively.

use crate::blob::hex;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The first byte of every envelope: how the rest is laid out. Version 1: the
/// value sealed as it is (the data key's wrapping, a sealed text, values stored
/// before version 2).
pub const ENVELOPE_VERSION: u8 = 1;
/// Version 2 (`Key::seal_packed`, what IndexedDB's values are sealed in): the value
/// LZ4-compressed (`pack`) before sealing, and this byte authenticated with it
/// (AES-GCM's additional data), so relabelling an envelope makes it refuse to open.
/// Why compressed: the browser's store compresses what it writes, but sealed
/// bytes look random and do not compress; sealed JSON took 2–3× the disk
/// of the same JSON in the clear, and a first sync waited for the writes.
pub const ENVELOPE_PACKED: u8 = 2;
/// The most a packed value may say it opens to (a photo is a few MB): a damaged
/// length must not make the app reserve gigabytes.
const MAX_UNPACKED: usize = 256 << 20;
/// AES-GCM's 96-bit IV, fresh and random for every value sealed.
pub const IV_LEN: usize = 12;
/// The data key and the passcode key: AES-256.
pub const KEY_LEN: usize = 32;
/// The random salt of the passcode derivation.
pub const SALT_LEN: usize = 16;
/// GCM's authentication tag, at the end of the ciphertext.
const TAG_LEN: usize = 16;
/// PBKDF2-SHA-256 iterations for a new passcode (OWASP's 2023 figure):
/// what makes each guess cost a tablet a fraction of a second.
pub const ITERATIONS: u32 = 600_000;
/// A stored record asking fewer than this is refused: a tampered record must
/// not make guessing cheap.
pub const MIN_ITERATIONS: u32 = 100_000;
/// A stored record asking more than this is refused too (it would hang the unlock).
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// The prefix of a sealed text (a token in localStorage), then the envelope in hex.
pub const TEXT_PREFIX: &str = "sealed1:";

/// Why a sealed value or a passcode did not open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultError {
    /// Shorter than an envelope, or of a version this app does not know.
    Malformed,
    /// The tag did not match: another key (a wrong passcode) or altered bytes.
    WrongKey,
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultError::Malformed => write!(f, "the stored value is not a sealed value this version can read"),
            VaultError::WrongKey => write!(f, "the stored value does not open with this key (wrong passcode, or the value was altered)"),
        }
    }
}

/// A 256-bit AES-GCM key held in memory only while the app is unlocked.
#[derive(Clone)]
pub struct Key {
    cipher: Aes256Gcm,
    raw: [u8; KEY_LEN],
}

impl fmt::Debug for Key {
    // Never print key bytes (a log or a panic message must not carry them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    pub fn from_bytes(raw: [u8; KEY_LEN]) -> Key {
        Key { cipher: Aes256Gcm::new(&raw.into()), raw }
    }

    /// The key's bytes, for handing to a platform AES-GCM (the browser imports
    /// them as a key it will not give back); never for storing or showing.
    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.raw
    }

    /// Seals `plain` with the caller's fresh random `iv`:
    /// `[ENVELOPE_VERSION] ++ iv ++ ciphertext-with-tag`.
    pub fn seal(&self, iv: [u8; IV_LEN], plain: &[u8]) -> Vec<u8> {
        let sealed = self.cipher.encrypt(Nonce::from_slice(&iv), plain).expect("AES-GCM seals any length a browser can hold");
        let mut out = Vec::with_capacity(1 + IV_LEN + sealed.len());
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed);
        out
    }

    /// Seals `plain` for storing: compressed first (`pack`) in an envelope of
    /// version 2 when that is shorter, else as `seal` does (a photo does not compress).
    pub fn seal_packed(&self, iv: [u8; IV_LEN], plain: &[u8]) -> Vec<u8> {
        let (version, body) = pack(plain);
        if version == ENVELOPE_VERSION {
            return self.seal(iv, plain);
        }
        let sealed = self.cipher.encrypt(Nonce::from_slice(&iv), Payload { msg: &body, aad: &[version] }).expect("AES-GCM seals any length a browser can hold");
        let mut out = Vec::with_capacity(1 + IV_LEN + sealed.len());
        out.push(version);
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens an envelope made by `seal` or `seal_packed` under this key.
    pub fn open(&self, envelope: &[u8]) -> Result<Vec<u8>, VaultError> {
        let version = envelope.first().copied().unwrap_or(0);
        check_envelope(envelope.len(), version)?;
        let (iv, sealed) = envelope[1..].split_at(IV_LEN);
        let opened = self.cipher.decrypt(Nonce::from_slice(iv), Payload { msg: sealed, aad: &additional_data(version) }).map_err(|_| VaultError::WrongKey)?;
        unpack(version, opened)
    }

    /// `seal` for text kept as text (localStorage): `TEXT_PREFIX` and hex.
    pub fn seal_text(&self, iv: [u8; IV_LEN], plain: &str) -> String {
        format!("{TEXT_PREFIX}{}", hex(&self.seal(iv, plain.as_bytes())))
    }

    /// Opens what `seal_text` made.
    pub fn open_text(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = sealed.strip_prefix(TEXT_PREFIX).and_then(unhex).ok_or(VaultError::Malformed)?;
        String::from_utf8(self.open(&bytes)?).map_err(|_| VaultError::Malformed)
    }
}

/// Whether an envelope of `len` bytes starting with `version` can be opened
/// at all: what any AES-GCM that opens envelopes checks first (the rest,
/// `[iv 12][ciphertext ++ 128-bit tag]`, is what AES-GCM takes as it is).
pub fn check_envelope(len: usize, version: u8) -> Result<(), VaultError> {
    if len < 1 + IV_LEN + TAG_LEN || !matches!(version, ENVELOPE_VERSION | ENVELOPE_PACKED) {
        return Err(VaultError::Malformed);
    }
    Ok(())
}

/// AES-GCM's additional data for an envelope of `version`: none for version 1
/// (as it was sealed), the version byte for version 2. GCM treats no additional
/// data and an empty one alike, so a platform AES-GCM may pass this always.
pub fn additional_data(version: u8) -> Vec<u8> {
    if version == ENVELOPE_VERSION {
        Vec::new()
    } else {
        vec![version]
    }
}

/// `plain` as it is to be sealed, with the envelope version saying how:
/// `ENVELOPE_PACKED` and LZ4's block (the plain length first, 4 bytes little-endian)
/// when that is shorter, else `ENVELOPE_VERSION` and `plain` itself. For a
/// platform AES-GCM sealing many values (the browser's), which then passes
/// `additional_data(version)` and puts `version` first.
pub fn pack(plain: &[u8]) -> (u8, Cow<'_, [u8]>) {
    let packed = lz4_flex::block::compress_prepend_size(plain);
    if packed.len() < plain.len() {
        (ENVELOPE_PACKED, Cow::Owned(packed))
    } else {
        (ENVELOPE_VERSION, Cow::Borrowed(plain))
    }
}

/// What an envelope of `version` held, from its opened bytes: `pack` undone.
/// The opened bytes passed AES-GCM's tag, but a value is still checked as
/// hostile: a length out of bounds or a block that does not decode is `Malformed`.
pub fn unpack(version: u8, opened: Vec<u8>) -> Result<Vec<u8>, VaultError> {
    if version == ENVELOPE_VERSION {
        return Ok(opened);
    }
    let (len, block) = lz4_flex::block::uncompressed_size(&opened).map_err(|_| VaultError::Malformed)?;
    // LZ4 expands at most ~255× (one literal-run byte per 255 bytes of output).
    if len > MAX_UNPACKED || len > block.len().saturating_mul(255).saturating_add(16) {
        return Err(VaultError::Malformed);
    }
    let plain = lz4_flex::block::decompress(block, len).map_err(|_| VaultError::Malformed)?;
    if plain.len() != len {
        return Err(VaultError::Malformed);
    }
    Ok(plain)
}

/// Whether a stored text is sealed (else it was stored before a passcode was set).
pub fn is_sealed_text(text: &str) -> bool {
    text.starts_with(TEXT_PREFIX)
}

/// What kind of secret unlocks the tablet: the lock screen offers a number pad for a PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    Pin,
    Passcode,
}

/// Why a new passcode is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasscodeProblem {
    /// A PIN is exactly six digits.
    PinNotSixDigits,
    /// A PIN of one digit repeated or a run (123456) is the first thing tried.
    PinTooSimple,
    /// A passcode has at least `MIN_PASSCODE_CHARS` characters.
    PasscodeTooShort,
}

/// The shortest passcode (not PIN) accepted.
pub const MIN_PASSCODE_CHARS: usize = 8;

/// Checks a new secret of `kind` (the lock screen's tries are not checked: a wrong one simply fails).
pub fn check_new_secret(kind: SecretKind, secret: &str) -> Result<(), PasscodeProblem> {
    match kind {
        SecretKind::Pin => {
            let digits: Vec<u32> = secret.chars().filter_map(|c| c.to_digit(10)).collect();
            if digits.len() != 6 || secret.chars().count() != 6 || !secret.chars().all(|c| c.is_ascii_digit()) {
                return Err(PasscodeProblem::PinNotSixDigits);
            }
            let steps: Vec<i64> = digits.windows(2).map(|w| w[1] as i64 - w[0] as i64).collect();
            if steps.iter().all(|&s| s == steps[0]) && steps[0].abs() <= 1 {
                return Err(PasscodeProblem::PinTooSimple);
            }
            Ok(())
        }
        SecretKind::Passcode if secret.chars().count() < MIN_PASSCODE_CHARS => Err(PasscodeProblem::PasscodeTooShort),
        SecretKind::Passcode => Ok(()),
    }
}

/// What the tablet stores about its passcode: the salt and cost of the
/// derivation and the data key sealed under the derived key. Nothing in it
/// opens anything without the passcode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub kind: SecretKind,
    /// Hex of `SALT_LEN` random bytes.
    pub salt: String,
    pub iterations: u32,
    /// Hex of the data key's envelope under the passcode key.
    pub wrapped: String,
}

impl WrappedKey {
    /// Seals `data_key` under `passcode_key` (derived from the passcode with `salt`, `iterations`).
    pub fn new(kind: SecretKind, salt: [u8; SALT_LEN], iterations: u32, passcode_key: &Key, iv: [u8; IV_LEN], data_key: &Key) -> WrappedKey {
        WrappedKey { kind, salt: hex(&salt), iterations, wrapped: hex(&passcode_key.seal(iv, &data_key.raw)) }
    }

    /// The salt, if the record is sound (a tampered or damaged record is refused, not guessed at).
    pub fn salt_bytes(&self) -> Result<Vec<u8>, VaultError> {
        let salt = unhex(&self.salt).ok_or(VaultError::Malformed)?;
        let sound = salt.len() == SALT_LEN && (MIN_ITERATIONS..=MAX_ITERATIONS).contains(&self.iterations);
        sound.then_some(salt).ok_or(VaultError::Malformed)
    }

    /// The data key, if `passcode_key` is the one it was sealed under.
    pub fn unwrap_with(&self, passcode_key: &Key) -> Result<Key, VaultError> {
        let raw = passcode_key.open(&unhex(&self.wrapped).ok_or(VaultError::Malformed)?)?;
        let raw: [u8; KEY_LEN] = raw.try_into().map_err(|_| VaultError::Malformed)?;
        Ok(Key::from_bytes(raw))
    }
}

/// How the lock behaves: a local setting of this tablet, chosen by the
/// office when the passcode is set (it is not synced: it must be readable
/// before unlocking, and a team setting would arrive only after a sync).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockPolicy {
    /// Lock after this many minutes without a touch or a key, and after the app was hidden this long.
    pub idle_minutes: u32,
    /// Erase the tablet at this many wrong tries in a row.
    pub max_tries: u32,
    /// Keep syncing while the lock screen shows (the data key then stays in
    /// memory until the page is closed or reloaded).
    #[serde(default)]
    pub sync_while_locked: bool,
}

impl Default for LockPolicy {
    fn default() -> Self {
        LockPolicy { idle_minutes: 5, max_tries: 10, sync_while_locked: false }
    }
}

/// The bounds the settings screen offers (and a stored policy is clamped to).
pub const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;
pub const MAX_TRIES: std::ops::RangeInclusive<u32> = 3..=50;
/// The lock screen warns when this many tries or fewer are left before the erase.
pub const WARN_TRIES_LEFT: u32 = 3;

impl LockPolicy {
    /// The policy with every number inside the bounds (a stored one may have been edited).
    pub fn clamped(self) -> LockPolicy {
        LockPolicy {
            idle_minutes: self.idle_minutes.clamp(*IDLE_MINUTES.start(), *IDLE_MINUTES.end()),
            max_tries: self.max_tries.clamp(*MAX_TRIES.start(), *MAX_TRIES.end()),
            ..self
        }
    }

    /// Whether the app must lock now: idle (or hidden) for `idle_minutes`.
    /// A clock that went backwards locks too: the time since use is unknown.
    pub fn lock_due(&self, now_ms: f64, last_use_ms: f64, hidden_since_ms: Option<f64>) -> bool {
        let limit = self.clamped().idle_minutes as f64 * 60_000.0;
        let since = |t: f64| now_ms - t;
        if !(now_ms.is_finite() && last_use_ms.is_finite()) || since(last_use_ms) < 0.0 {
            return true;
        }
        since(last_use_ms) >= limit || hidden_since_ms.is_some_and(|h| !h.is_finite() || since(h) < 0.0 || since(h) >= limit)
    }

    /// What follows the `failures`-th wrong try in a row.
    pub fn after_failure(&self, failures: u32) -> AfterFailure {
        let max = self.clamped().max_tries;
        if failures >= max {
            return AfterFailure::Erase;
        }
        AfterFailure::Wait { seconds: delay_secs(failures), tries_left: max - failures, warn: max - failures <= WARN_TRIES_LEFT }
    }
}

/// The lock screen's answer to a wrong try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Wait `seconds` before the next try; `warn`: say the erase is near.
    Wait { seconds: u32, tries_left: u32, warn: bool },
    /// Too many: erase the tablet now.
    Erase,
}

/// Seconds to wait after `failures` wrong tries in a row: none for the first
/// three (a typo), then 5 s doubling to at most 5 minutes.
pub fn delay_secs(failures: u32) -> u32 {
    match failures {
        0..=3 => 0,
        n => (5u32 << (n - 4).min(6)).min(300),
    }
}

/// The wrong tries so far, kept beside the wrapped key (a reload must not reset the delay).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tries {
    pub failures: u32,
    /// When the last wrong try was made (ms since the epoch).
    pub last_failure_ms: f64,
}

impl Tries {
    /// Seconds still to wait at `now_ms` before a try is taken. A clock set
    /// back does not shorten the wait below the full delay.
    pub fn wait_secs(&self, now_ms: f64) -> u32 {
        let delay = delay_secs(self.failures) as f64;
        let passed = (now_ms - self.last_failure_ms) / 1000.0;
        if !passed.is_finite() || passed < 0.0 {
            return delay as u32;
        }
        (delay - passed).max(0.0).ceil() as u32
    }
}

/// The inverse of `blob::hex` (either case); `None` for anything else.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
#[path = "vault_tests.rs"]
mod tests;
