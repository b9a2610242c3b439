//! Small settings kept in localStorage through gloo-storage: the UI language,
//! this device's id and its clock. Records never go here (IndexedDB does).

use crate::i18n::Lang;
use gloo_storage::{LocalStorage, Storage};
use xunfang_core::Hlc;

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
