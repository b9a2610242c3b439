//! Small settings kept in localStorage (through gloo-storage): the UI language,
//! this device's id and clock, where to sync and when it last worked, the
//! office's admin token; and the team's template in use (synced team
//! settings, read from IndexedDB); and the place (endpoint, team) the data on
//! this tablet belongs to (`xunfang_core::team_switch`).
//! Records never go here (IndexedDB does).

use gloo_storage::{LocalStorage, Storage};
use xunfang_core::attendance_rule::RuleSettings;
use xunfang_core::sync_client::rest::{RestOptions, RestState};
use xunfang_core::team_switch::Place;
use xunfang_core::Hlc;
use xunfang_core::Lang;
use xunfang_core::Template;

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

const RULE: &str = "xunfang.attendance-rule";

thread_local! {
    static TEMPLATE: std::cell::RefCell<Option<std::rc::Rc<Template>>> = const { std::cell::RefCell::new(None) };
    /// Changed whenever another template is put in use: `template()` tracks
    /// it, so whatever a screen derives from the template follows a change.
    static TEMPLATE_CHANGED: leptos::prelude::ArcTrigger = leptos::prelude::ArcTrigger::new();
}

/// The team's template in use: the synced team settings once `use_template`
/// has been given them, else the liaison template. Before synced settings
/// existed the attendance thresholds were kept per device in localStorage;
/// such a value is the starting point until the team saves settings, so no
/// office loses the thresholds it set.
pub fn template() -> std::rc::Rc<Template> {
    TEMPLATE_CHANGED.with(|c| leptos::prelude::Track::track(c));
    TEMPLATE.with(|t| {
        t.borrow_mut()
            .get_or_insert_with(|| {
                let mut initial = Template::liaison();
                if let Ok(rule) = LocalStorage::get::<RuleSettings>(RULE) {
                    initial.rule = rule;
                }
                std::rc::Rc::new(initial)
            })
            .clone()
    })
}

/// Puts `settings` in use from now on (what `template()` returns); what
/// screens derive from the template follows.
pub fn use_template(settings: &Template) {
    let settings = settings.clone().in_order();
    if *template() != settings {
        TEMPLATE.with(|t| *t.borrow_mut() = Some(std::rc::Rc::new(settings)));
        TEMPLATE_CHANGED.with(|c| leptos::prelude::Notify::notify(c));
    }
}

/// The settings document a first edit on this device starts from: the base
/// every device shares, with what this device used until then (a threshold
/// set in localStorage before settings were synced) as this device's edit.
pub fn first_settings() -> xunfang_core::Document<Template> {
    let mut doc = xunfang_core::template::base_settings();
    doc.edit((*template()).clone(), crate::device::stamp());
    doc
}

/// Reads the team settings stored on this device, if any, and puts them in
/// use: at start and after every sync. A failed read keeps the template in use.
pub async fn load_template() {
    if let Ok(Some(doc)) = async { crate::storage::Db::app().await?.team_settings().await }.await {
        use_template(&doc.body);
    }
}

/// The attendance rule's thresholds (连续缺席几次口头警告 / 建议取消资格):
/// part of the team settings, the same on every office computer.
pub fn rule_settings() -> RuleSettings {
    template().rule
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
    /// What a REST endpoint can do to be read without reading all of it.
    #[serde(default)]
    pub rest: RestOptions,
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

/// With a passcode set the token is stored sealed (`storage::crypto`): it
/// reads as empty while the tablet is locked, so nothing syncs then.
pub fn sync_config() -> SyncConfig {
    let mut config: SyncConfig = LocalStorage::get(SYNC).unwrap_or_default();
    config.token = crate::storage::crypto::open_text(&config.token).unwrap_or_default();
    config
}

pub fn set_sync_config(config: &SyncConfig) {
    // While locked the token cannot be sealed: nothing is written then rather than the token in the clear.
    let Ok(token) = crate::storage::crypto::seal_text(&config.token) else { return };
    let _ = LocalStorage::set(SYNC, SyncConfig { token, ..config.clone() });
}

const REST_STATE: &str = "xunfang.sync.rest-state";

/// What the last REST syncs learnt (validators, digests, the newest change
/// read): small, and only a shortcut, so a failed read starts afresh.
pub fn rest_state() -> RestState {
    LocalStorage::get(REST_STATE).unwrap_or_default()
}

pub fn set_rest_state(state: &RestState) {
    let _ = LocalStorage::set(REST_STATE, state);
}

/// Forgets it: the endpoint or the mode changed.
pub fn clear_rest_state() {
    LocalStorage::delete(REST_STATE);
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

const PLACE: &str = "xunfang.sync.place";

/// Where the data on this tablet belongs (`xunfang_core::team_switch`): set
/// when sync is set up, its team filled in from the server's `whoami`.
/// A tablet set up before places were kept counts as tied to its settings.
pub fn bound_place() -> Option<Place> {
    LocalStorage::get::<Place>(PLACE).ok().or_else(|| {
        let config = sync_config();
        config.is_set().then(|| config.place(None))
    })
}

pub fn set_place(place: &Place) {
    let _ = LocalStorage::set(PLACE, place);
}

impl SyncConfig {
    /// The place these settings sync with, of `team` if the server named it.
    pub fn place(&self, team: Option<xunfang_core::team_switch::TeamRef>) -> Place {
        Place { endpoint: self.endpoint.trim().to_string(), mode: self.mode.key().to_string(), team }
    }
}

/// Forgets everything tied to the team this tablet synced with (where, the
/// token, what the last syncs learnt, the office's admin token): the tablet
/// is being set up for another team. The language and device id stay.
pub fn forget_team() {
    for key in [SYNC, REST_STATE, LAST_SYNC, ADMIN_TOKEN, PLACE, RULE] {
        LocalStorage::delete(key);
    }
}

/// Removes every setting and token this app keeps in the browser's
/// localStorage and sessionStorage: "Sign out and erase this tablet".
/// One function, so what another module stores there is erased too.
pub fn erase_all() {
    LocalStorage::clear();
    gloo_storage::SessionStorage::clear();
}
