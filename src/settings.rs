//! Small settings kept in localStorage (through gloo-storage): the UI language,
//! this device's id and clock, the attendance rule's thresholds, where to sync
//! and when it last worked, the office's admin token; and the template in use
//! (built in for now).
//! Records never go here (IndexedDB does).

use gloo_storage::{LocalStorage, Storage};
use xunfang_core::Hlc;
use xunfang_core::Lang;

const LANG: &str = "xunfang.lang";
const DEVICE: &str = "xunfang.device";
const HLC: &str = "xunfang.hlc";

pub fn lang() -> Option<Lang> {
    LocalStorage::get::<String>(LANG).ok().and_then(|code| Lang::from_code(&code))
}

pub fn set_lang(lang: Lang) {
    // A full or disabled localStorage only costs the remembered choice.
    let _ = LocalStorage::set(LANG, lang.code());
}

pub fn device_id() -> Option<String> {
    LocalStorage::get(DEVICE).ok()
}

pub fn set_device_id(id: &str) {
    let _ = LocalStorage::set(DEVICE, id);
}

pub fn last_hlc() -> Option<Hlc> {
    LocalStorage::get(HLC).ok()
}

pub fn set_last_hlc(hlc: Hlc) {
    let _ = LocalStorage::set(HLC, hlc);
}

/// The kinds of activity and roles in use. Built in for now (the liaison
/// template); a later setting can load another template as data.
pub fn template() -> &'static xunfang_core::Template {
    static TEMPLATE: std::sync::OnceLock<xunfang_core::Template> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(xunfang_core::Template::liaison)
}

const RULE: &str = "xunfang.attendance-rule";

/// The attendance rule's thresholds (连续缺席几次口头警告 / 建议取消资格):
/// an office setting; the seeds' 2 and 3 unless changed.
pub fn rule_settings() -> xunfang_core::attendance_rule::RuleSettings {
    LocalStorage::get(RULE).unwrap_or_default()
}

pub fn set_rule_settings(rule: xunfang_core::attendance_rule::RuleSettings) {
    let _ = LocalStorage::set(RULE, rule);
}

const SYNC: &str = "xunfang.sync";

/// Where and how this device syncs. Kept in localStorage: it is small and
/// needed before IndexedDB opens.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncConfig {
    pub mode: SyncMode,
    /// The server's address (native), the collection base (REST) or the URL
    /// that accepts documents (push only).
    pub endpoint: String,
    pub token: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    #[default]
    Native,
    Rest,
    PushOnly,
}

impl SyncMode {
    pub const ALL: [SyncMode; 3] = [SyncMode::Native, SyncMode::Rest, SyncMode::PushOnly];

    pub fn key(self) -> &'static str {
        match self {
            SyncMode::Native => "native",
            SyncMode::Rest => "rest",
            SyncMode::PushOnly => "push_only",
        }
    }

    pub fn from_key(key: &str) -> Option<SyncMode> {
        SyncMode::ALL.into_iter().find(|m| m.key() == key)
    }
}

impl SyncConfig {
    pub fn is_set(&self) -> bool {
        !self.endpoint.trim().is_empty()
    }
}

pub fn sync_config() -> SyncConfig {
    LocalStorage::get(SYNC).unwrap_or_default()
}

pub fn set_sync_config(config: &SyncConfig) {
    let _ = LocalStorage::set(SYNC, config);
}

const LAST_SYNC: &str = "xunfang.sync.last-ok";

pub fn last_sync_ok() -> Option<f64> {
    LocalStorage::get(LAST_SYNC).ok()
}

pub fn set_last_sync_ok(t: f64) {
    let _ = LocalStorage::set(LAST_SYNC, t);
}

const ADMIN_TOKEN: &str = "xunfang.admin-token";

/// The office's admin token for the Devices screen: kept in this browser
/// only (localStorage is never synced), empty when none was entered.
pub fn admin_token() -> String {
    LocalStorage::get(ADMIN_TOKEN).unwrap_or_default()
}

pub fn set_admin_token(token: &str) {
    let _ = LocalStorage::set(ADMIN_TOKEN, token);
}
