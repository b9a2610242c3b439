//! The passcode's key handling in the browser: PBKDF2 through Web Crypto, the
//! data key held in memory while unlocked, and sealing/opening stored values.
//!
//! The rules and the envelope are `xunfang_core::vault`. The wrapped data key,
//! the lock policy and the count of wrong tries sit in localStorage (they
//! must be readable before unlocking; none opens anything without the
//! passcode). Inside a transaction values are sealed synchronously in wasm
//! (AES-256-GCM from the core crate): awaiting anything but an IndexedDB
//! request ends an IndexedDB transaction, and a document, its outbox entry and
//! its row must be written in one. Bulk work goes through Web Crypto outside
//! one: reading the whole list (`open_all`, after its transaction) and a
//! pulled page (`seal_all`, before its write, which re-checks what it merged).

use super::{StoreError, StoreErrorKind};
use gloo_storage::{LocalStorage, Storage};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use xunfang_core::vault::{self, AfterFailure, Key, LockPolicy, SecretKind, Tries, WrappedKey, IV_LEN, KEY_LEN, SALT_LEN};

const VAULT: &str = "xunfang.vault";

/// What localStorage holds while a passcode is set.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Stored {
    key: WrappedKey,
    policy: LockPolicy,
    #[serde(default)]
    tries: Tries,
}

/// Where the tablet stands.
#[derive(Clone)]
enum State {
    /// No passcode: values are stored as they are.
    Clear,
    /// A passcode is set and the data key is not in memory.
    Locked,
    /// Shared: every sealed value asks for it (an AES key schedule is half a KB).
    Open(Rc<Key>),
    /// The passcode is being removed: new values are stored as they are, and
    /// values not yet rewritten still open with the old key, so a list or a
    /// sync reading meanwhile does not fail.
    Removing(Rc<Key>),
}

thread_local! {
    // Read once from localStorage; every stored value asks, so it is not read each time.
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    // The open data key as Web Crypto holds it (imported non-extractable on the first
    // bulk read, dropped with every change of state): reads of many values at once.
    static WEB_KEY: RefCell<Option<web_sys::CryptoKey>> = const { RefCell::new(None) };
    // Counts the changes of state: values sealed ahead (`seal_all`) are stored only if none came since.
    static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn stored() -> Option<Stored> {
    LocalStorage::get::<Stored>(VAULT).ok()
}

fn state() -> State {
    STATE.with(|s| s.borrow_mut().get_or_insert_with(|| if stored().is_some() { State::Locked } else { State::Clear }).clone())
}

fn set_state(new: State) {
    WEB_KEY.with(|k| *k.borrow_mut() = None);
    GENERATION.with(|g| g.set(g.get() + 1));
    STATE.with(|s| *s.borrow_mut() = Some(new));
}

/// Whether a passcode is set on this tablet.
pub fn passcode_set() -> bool {
    matches!(state(), State::Locked | State::Open(_))
}

/// Whether the app may read and write now (no passcode, or unlocked).
pub fn unlocked() -> bool {
    !matches!(state(), State::Locked)
}

/// The lock policy in force (the default when no passcode is set).
pub fn policy() -> LockPolicy {
    stored().map(|s| s.policy.clamped()).unwrap_or_default()
}

/// What kind of secret unlocks this tablet, if one is set.
pub fn secret_kind() -> Option<SecretKind> {
    stored().map(|s| s.key.kind)
}

/// Forgets the data key: reads and writes fail until `unlock`.
pub fn lock() {
    if passcode_set() {
        set_state(State::Locked);
    }
}

fn locked_error() -> StoreError {
    StoreError::new(StoreErrorKind::Failed, "the tablet is locked: unlock it with the passcode first".into())
}

/// `plain` sealed for storing, or `None` when no passcode is set (stored as it is).
pub(super) fn seal(plain: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    match state() {
        State::Clear | State::Removing(_) => Ok(None),
        State::Locked => Err(locked_error()),
        State::Open(key) => Ok(Some(key.seal_packed(random()?, plain))),
    }
}

/// Whether values are sealed now (`Err` while locked: nothing may be written).
pub(super) fn sealing() -> Result<bool, StoreError> {
    match state() {
        State::Clear | State::Removing(_) => Ok(false),
        State::Locked => Err(locked_error()),
        State::Open(_) => Ok(true),
    }
}

/// A stored envelope opened.
pub(super) fn open(envelope: &[u8]) -> Result<Vec<u8>, StoreError> {
    match state() {
        State::Open(key) | State::Removing(key) => key.open(envelope).map_err(|e| StoreError::new(StoreErrorKind::Unreadable, e.to_string())),
        _ => Err(locked_error()),
    }
}

/// A text for localStorage sealed when a passcode is set (the sync token), as it is otherwise.
pub fn seal_text(plain: &str) -> Result<String, StoreError> {
    match state() {
        State::Clear | State::Removing(_) => Ok(plain.to_string()),
        State::Locked => Err(locked_error()),
        State::Open(key) => Ok(key.seal_text(random()?, plain)),
    }
}

/// A text `seal_text` made, opened; `None` while locked or when it does not open.
pub fn open_text(text: &str) -> Option<String> {
    if !vault::is_sealed_text(text) {
        return Some(text.to_string());
    }
    match state() {
        State::Open(key) | State::Removing(key) => key.open_text(text).ok(),
        _ => None,
    }
}

fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes)?;
    Ok(bytes)
}

/// `bytes` filled from the browser's random source (at most 64 KiB per call, so in pieces).
fn fill_random(bytes: &mut [u8]) -> Result<(), StoreError> {
    let crypto =
        web_sys::window().and_then(|w| w.crypto().ok()).ok_or_else(|| StoreError::new(StoreErrorKind::Failed, "this browser has no Web Crypto".into()))?;
    for piece in bytes.chunks_mut(65_536) {
        crypto.get_random_values_with_u8_array(piece).map_err(|e| StoreError::new(StoreErrorKind::Failed, format!("no random numbers: {e:?}")))?;
    }
    Ok(())
}

fn js_error(e: JsValue) -> StoreError {
    StoreError::new(StoreErrorKind::Failed, format!("Web Crypto refused: {}", e.as_string().unwrap_or_else(|| format!("{e:?}"))))
}

/// The key PBKDF2-SHA-256 derives from `secret` (Web Crypto: native code, far faster than wasm for 600,000 rounds).
async fn derive(secret: &str, salt: &[u8], iterations: u32) -> Result<Key, StoreError> {
    let subtle = web_sys::window().and_then(|w| w.crypto().ok()).ok_or_else(|| js_error("no crypto".into()))?.subtle();
    let usages = js_sys::Array::of1(&"deriveBits".into());
    let base = subtle.import_key_with_str("raw", &js_sys::Uint8Array::from(secret.as_bytes()), "PBKDF2", false, &usages).map_err(js_error)?;
    let base: web_sys::CryptoKey = wasm_bindgen_futures::JsFuture::from(base).await.map_err(js_error)?.unchecked_into();
    let params = js_sys::Object::new();
    for (k, v) in
        [("name", JsValue::from("PBKDF2")), ("hash", "SHA-256".into()), ("salt", js_sys::Uint8Array::from(salt).into()), ("iterations", iterations.into())]
    {
        js_sys::Reflect::set(&params, &k.into(), &v).map_err(js_error)?;
    }
    let bits = subtle.derive_bits_with_object(&params, &base, (KEY_LEN * 8) as u32).map_err(js_error)?;
    let bits = js_sys::Uint8Array::new(&wasm_bindgen_futures::JsFuture::from(bits).await.map_err(js_error)?).to_vec();
    Ok(Key::from_bytes(bits.try_into().map_err(|_| js_error("short key".into()))?))
}

async fn wrap(kind: SecretKind, secret: &str, data_key: &Key) -> Result<WrappedKey, StoreError> {
    let salt = random::<SALT_LEN>()?;
    let passcode_key = derive(secret, &salt, vault::ITERATIONS).await?;
    Ok(WrappedKey::new(kind, salt, vault::ITERATIONS, &passcode_key, random::<IV_LEN>()?, data_key))
}

fn save(stored: &Stored) -> Result<(), StoreError> {
    LocalStorage::set(VAULT, stored).map_err(|e| StoreError::new(StoreErrorKind::Failed, format!("the passcode could not be saved: {e}")))
}

/// What an unlock attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlock {
    Open,
    /// Refused without trying: wait this many seconds (after earlier wrong tries).
    Wait(u32),
    /// Wrong; what follows (`AfterFailure::Erase` means the tablet was just erased).
    Wrong(AfterFailure),
}

/// Seconds still to wait before a try is taken.
pub fn wait_secs() -> u32 {
    stored().map_or(0, |s| s.tries.wait_secs(js_sys::Date::now()))
}

/// How many tries are left when the erase is near enough to warn (a reload keeps the warning).
pub fn warning_tries_left() -> Option<u32> {
    let s = stored().filter(|s| s.tries.failures > 0)?;
    match s.policy.after_failure(s.tries.failures) {
        AfterFailure::Wait { tries_left, warn: true, .. } => Some(tries_left),
        _ => None,
    }
}

/// Tries `secret`. A wrong one is counted before the slow derivation
/// finishes is known, so closing the tab mid-try does not escape the count.
pub async fn unlock(secret: &str) -> Result<Unlock, StoreError> {
    let Some(mut s) = stored() else { return Ok(Unlock::Open) };
    let wait = s.tries.wait_secs(js_sys::Date::now());
    if wait > 0 {
        return Ok(Unlock::Wait(wait));
    }
    let salt = s.key.salt_bytes().map_err(|e| StoreError::new(StoreErrorKind::Unreadable, e.to_string()))?;
    let counted = Stored { tries: Tries { failures: s.tries.failures + 1, last_failure_ms: js_sys::Date::now() }, ..s.clone() };
    save(&counted)?;
    let passcode_key = derive(secret, &salt, s.key.iterations).await?;
    match s.key.unwrap_with(&passcode_key) {
        Ok(data_key) => {
            s.tries = Tries::default();
            save(&s)?;
            set_state(State::Open(Rc::new(data_key)));
            Ok(Unlock::Open)
        }
        Err(_) => {
            let after = s.policy.after_failure(counted.tries.failures);
            if after == AfterFailure::Erase {
                erase_tablet().await;
            }
            Ok(Unlock::Wrong(after))
        }
    }
}

/// Sets the first passcode: a new data key, and everything stored sealed under it.
pub async fn set_passcode(kind: SecretKind, secret: &str, policy: LockPolicy) -> Result<(), StoreError> {
    if passcode_set() {
        return change_passcode(kind, secret, policy).await;
    }
    let data_key = Key::from_bytes(random::<KEY_LEN>()?);
    let key = wrap(kind, secret, &data_key).await?;
    let token = crate::settings::sync_config();
    // The record goes first: a set-up cut short leaves values of both kinds, and both read.
    save(&Stored { key, policy: policy.clamped(), tries: Tries::default() })?;
    set_state(State::Open(Rc::new(data_key)));
    crate::settings::set_sync_config(&token);
    super::Db::app().await?.reseal_all().await
}

/// A new passcode (or policy) for the same data key: nothing stored is rewritten.
pub async fn change_passcode(kind: SecretKind, secret: &str, policy: LockPolicy) -> Result<(), StoreError> {
    let State::Open(data_key) = state() else { return Err(locked_error()) };
    let key = wrap(kind, secret, &data_key).await?;
    save(&Stored { key, policy: policy.clamped(), tries: Tries::default() })
}

/// A new lock policy, the passcode unchanged.
pub fn set_policy(policy: LockPolicy) -> Result<(), StoreError> {
    let mut s = stored().ok_or_else(locked_error)?;
    s.policy = policy.clamped();
    save(&s)
}

/// Removes the passcode: everything is stored as it is again (one rewrite),
/// so that no data key is ever kept beside the data it opens.
pub async fn remove_passcode() -> Result<(), StoreError> {
    let State::Open(data_key) = state() else { return Err(locked_error()) };
    let token = crate::settings::sync_config();
    set_state(State::Removing(data_key.clone()));
    let rewritten = async { super::Db::app().await?.reseal_all_with(&data_key).await }.await;
    if let Err(e) = rewritten {
        set_state(State::Open(data_key));
        return Err(e);
    }
    crate::settings::set_sync_config(&token);
    LocalStorage::delete(VAULT);
    set_state(State::Clear);
    Ok(())
}

/// Deletes everything this tablet holds (IndexedDB, localStorage with the
/// wrapped key) and starts the app afresh: after too many wrong tries.
pub async fn erase_tablet() {
    set_state(State::Clear);
    // The same erase as "sign out and erase this tablet" (`storage::erase_all`: every store
    // emptied first, then the database and the data caches deleted), then localStorage with
    // the wrapped key. Should the stores refuse to empty, what stays is sealed under a key
    // that goes with localStorage here: unreadable.
    let _ = super::erase_all().await;
    crate::settings::erase_all();
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// A stored value's sealed bytes, if it has them (`sealed`, a `Uint8Array`).
pub(super) fn sealed_field(value: &JsValue) -> Option<Vec<u8>> {
    sealed_array(value).map(|b| b.to_vec())
}

/// A stored value's sealed bytes where they lie, not copied into wasm.
pub fn sealed_array(value: &JsValue) -> Option<js_sys::Uint8Array> {
    js_sys::Reflect::get(value, &JsValue::from_str("sealed")).ok().and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
}

fn unreadable(e: vault::VaultError) -> StoreError {
    StoreError::new(StoreErrorKind::Unreadable, e.to_string())
}

/// The open data key in Web Crypto, imported once (it cannot be read back out).
async fn web_key(key: &Key) -> Result<web_sys::CryptoKey, StoreError> {
    if let Some(k) = WEB_KEY.with(|k| k.borrow().clone()) {
        return Ok(k);
    }
    let subtle = web_sys::window().and_then(|w| w.crypto().ok()).ok_or_else(|| js_error("no crypto".into()))?.subtle();
    let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
    let raw = js_sys::Uint8Array::from(key.bytes().as_slice());
    let imported = subtle.import_key_with_str("raw", &raw, "AES-GCM", false, &usages).map_err(js_error)?;
    raw.fill(0, 0, raw.length());
    let imported: web_sys::CryptoKey = wasm_bindgen_futures::JsFuture::from(imported).await.map_err(js_error)?.unchecked_into();
    // Kept only if the key is still the open one (a lock while importing drops it).
    if matches!(state(), State::Open(now) | State::Removing(now) if now.bytes() == key.bytes()) {
        WEB_KEY.with(|k| *k.borrow_mut() = Some(imported.clone()));
    }
    Ok(imported)
}

/// Many stored envelopes opened at once, each as `open` would (`None` stays
/// `None`: a value stored as it is). Through Web Crypto: native AES-GCM, all
/// in flight together and off the main thread, several times faster than
/// wasm for a whole list. Only after the reading transaction: awaiting a
/// promise ends it. Falls back to wasm when Web Crypto is not there.
pub async fn open_all(envelopes: &[Option<js_sys::Uint8Array>]) -> Result<Vec<Option<Result<Vec<u8>, StoreError>>>, StoreError> {
    if envelopes.iter().all(Option::is_none) {
        return Ok(envelopes.iter().map(|_| None).collect());
    }
    // While the passcode is being removed, values not yet rewritten still open with the old key.
    let (State::Open(key) | State::Removing(key)) = state() else { return Err(locked_error()) };
    let wasm = |e: &js_sys::Uint8Array| key.open(&e.to_vec()).map_err(unreadable);
    let Ok(web) = web_key(&key).await else { return Ok(envelopes.iter().map(|e| e.as_ref().map(wasm)).collect()) };
    let (subtle, params) = aes_gcm()?;
    let (iv_name, aad_name) = (JsValue::from_str("iv"), JsValue::from_str("additionalData"));
    let pending = js_sys::Array::new();
    let mut shape = Vec::with_capacity(envelopes.len());
    for e in envelopes {
        let checked = e.as_ref().map(|e| {
            let version = if e.length() > 0 { e.get_index(0) } else { 0 };
            vault::check_envelope(e.length() as usize, version).map(|()| version).map_err(unreadable)
        });
        if let Some(Ok(version)) = checked {
            let e = e.as_ref().expect("checked above");
            js_sys::Reflect::set(&params, &iv_name, &e.subarray(1, 1 + IV_LEN as u32)).map_err(js_error)?;
            js_sys::Reflect::set(&params, &aad_name, &additional_data(version)).map_err(js_error)?;
            pending.push(&subtle.decrypt_with_object_and_buffer_source(&params, &web, &e.subarray(1 + IV_LEN as u32, e.length())).map_err(js_error)?.into());
        }
        shape.push(checked);
    }
    let settled = js_sys::Array::from(&wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all_settled(&pending)).await.map_err(js_error)?);
    let (status, value, fulfilled) = (JsValue::from_str("status"), JsValue::from_str("value"), JsValue::from_str("fulfilled"));
    let mut results = settled.iter();
    Ok(shape
        .into_iter()
        .map(|checked| {
            checked.map(|c| {
                let version = c?;
                let r = results.next().ok_or_else(|| unreadable(vault::VaultError::WrongKey))?;
                if js_sys::Reflect::get(&r, &status).ok() != Some(fulfilled.clone()) {
                    // Web Crypto's OperationError: the tag did not match.
                    return Err(unreadable(vault::VaultError::WrongKey));
                }
                let opened = js_sys::Uint8Array::new(&js_sys::Reflect::get(&r, &value).map_err(js_error)?).to_vec();
                vault::unpack(version, opened).map_err(unreadable)
            })
        })
        .collect())
}

/// `vault::additional_data(version)` as Web Crypto takes it.
fn additional_data(version: u8) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(vault::additional_data(version).as_slice())
}

/// Web Crypto, and AES-GCM's parameters without the IV. Web Crypto copies the IV, the additional data
/// (and the data) when called, so one parameter object serves every call.
fn aes_gcm() -> Result<(web_sys::SubtleCrypto, js_sys::Object), StoreError> {
    let subtle = web_sys::window().and_then(|w| w.crypto().ok()).ok_or_else(|| js_error("no crypto".into()))?.subtle();
    let params = js_sys::Object::new();
    js_sys::Reflect::set(&params, &"name".into(), &"AES-GCM".into()).map_err(js_error)?;
    js_sys::Reflect::set(&params, &"tagLength".into(), &128.into()).map_err(js_error)?;
    Ok((subtle, params))
}

/// Values sealed by `seal_all`, and the state they were sealed in.
pub struct SealedAhead {
    generation: u64,
    /// One envelope per value given, in order.
    pub envelopes: Vec<js_sys::Uint8Array>,
}

impl SealedAhead {
    /// Whether these envelopes may still be stored: the key they were sealed
    /// with is the open one and nothing changed since (a lock, the passcode
    /// being removed). Asked in the write transaction before its first wait,
    /// so a passcode removal's rewrite either sees what it writes or comes after.
    pub fn still_open(&self) -> bool {
        matches!(state(), State::Open(_)) && GENERATION.with(|g| g.get()) == self.generation
    }
}

/// Many values sealed at once through Web Crypto (native AES-GCM, all in flight
/// together, off the main thread), each in `Key::seal_packed`'s envelope
/// `[version][iv][ciphertext+tag]` (compressed first) under a fresh random IV. Only before a
/// transaction: awaiting a promise ends it. `None` when nothing is sealed now
/// (no passcode, locked, being removed) or Web Crypto is not there or refuses:
/// the values are then written the usual way, sealed in wasm inside the
/// transaction or refused.
pub async fn seal_all(plains: &[&[u8]]) -> Result<Option<SealedAhead>, StoreError> {
    let State::Open(key) = state() else { return Ok(None) };
    let generation = GENERATION.with(|g| g.get());
    let Ok(web) = web_key(&key).await else { return Ok(None) };
    drop(key);
    Ok(seal_with(&web, plains).await.ok().map(|envelopes| SealedAhead { generation, envelopes }))
}

async fn seal_with(web: &web_sys::CryptoKey, plains: &[&[u8]]) -> Result<Vec<js_sys::Uint8Array>, StoreError> {
    let (subtle, params) = aes_gcm()?;
    let mut ivs = vec![0u8; plains.len() * IV_LEN];
    fill_random(&mut ivs)?;
    let (iv_name, aad_name) = (JsValue::from_str("iv"), JsValue::from_str("additionalData"));
    let pending = js_sys::Array::new();
    let mut heads = Vec::with_capacity(plains.len());
    for (plain, iv) in plains.iter().zip(ivs.chunks_exact(IV_LEN)) {
        // Compressed in wasm first (LZ4 is fast; Web Crypto then seals fewer bytes): `Key::seal_packed`'s envelope.
        let (version, body) = vault::pack(plain);
        let head = js_sys::Uint8Array::new_with_length(1 + IV_LEN as u32);
        head.set_index(0, version);
        head.subarray(1, 1 + IV_LEN as u32).copy_from(iv);
        js_sys::Reflect::set(&params, &iv_name, &head.subarray(1, 1 + IV_LEN as u32)).map_err(js_error)?;
        js_sys::Reflect::set(&params, &aad_name, &additional_data(version)).map_err(js_error)?;
        pending.push(&subtle.encrypt_with_object_and_u8_array(&params, web, &body).map_err(js_error)?.into());
        heads.push(head);
    }
    let sealed = js_sys::Array::from(&wasm_bindgen_futures::JsFuture::from(js_sys::Promise::all(&pending)).await.map_err(js_error)?);
    Ok(heads
        .into_iter()
        .zip(sealed.iter())
        .map(|(head, body)| {
            let body = js_sys::Uint8Array::new(&body);
            let envelope = js_sys::Uint8Array::new_with_length(head.length() + body.length());
            envelope.set(&head, 0);
            envelope.set(&body, head.length());
            envelope
        })
        .collect())
}
