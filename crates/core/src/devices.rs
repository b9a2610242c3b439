//! The devices API's messages (docs/sync-protocol.md, "Devices"), shared by
//! the server that sends them and the app that reads them, with the checks
//! the app makes before it trusts an answer, and the set-up link's fragment.

use serde::{Deserialize, Serialize};

/// The most devices a list answer may hold (more is a broken server).
pub const MAX_LISTED: usize = 10_000;
/// The longest label an answer may carry (characters).
pub const MAX_LABEL_CHARS: usize = 80;
/// The fragment key of a set-up link: `/#setup=<code>`.
pub const SETUP_KEY: &str = "setup";

/// One of a team's tokens in `GET /api/devices` (admin tokens are not listed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The token's first 8 characters: what `POST /api/devices/{id}/revoke` takes.
    pub id: String,
    pub label: String,
    /// `"device"` (one tablet's) or `"team"` (shared, from before per-device tokens).
    pub kind: String,
    /// Unix seconds, as all times here.
    pub created: i64,
    pub last_used: Option<i64>,
    pub last_sync: Option<i64>,
    /// Changes the device still had queued at its last sync, as it said.
    pub waiting: Option<u64>,
    pub expires: Option<i64>,
    pub revoked: Option<i64>,
}

/// `GET /api/devices`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceList {
    pub team: String,
    pub devices: Vec<Device>,
}

/// `POST /api/devices` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddDevice {
    pub label: String,
    /// When the device's token stops working (Unix seconds), if ever.
    #[serde(default)]
    pub expires: Option<i64>,
}

/// `POST /api/devices` answer: shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupLink {
    pub code: String,
    /// Relative to the app's address: `/#setup=<code>`.
    pub link: String,
    /// Unix seconds after which the code is refused.
    pub code_expires: i64,
    pub label: String,
}

/// `POST /api/devices/claim` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub code: String,
}

/// `POST /api/devices/claim` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimedToken {
    pub token: String,
    pub team: String,
    pub label: String,
}

/// Whether `s` is a token or set-up code as this server makes them:
/// 64 lowercase hexadecimal digits.
pub fn is_secret(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn label_ok(label: &str) -> bool {
    label.chars().count() <= MAX_LABEL_CHARS && !label.chars().any(char::is_control)
}

impl DeviceList {
    /// Whether the app may show this answer: a bounded list of short,
    /// one-line labels and 8-character ids (what went wrong, if not).
    pub fn check(&self) -> Result<(), String> {
        if self.devices.len() > MAX_LISTED {
            return Err(format!("the server listed {} devices, more than {MAX_LISTED}", self.devices.len()));
        }
        if !label_ok(&self.team) {
            return Err("the server sent a team name that is not one short line".into());
        }
        for d in &self.devices {
            if d.id.len() != 8 || !d.id.bytes().all(|b| b.is_ascii_hexdigit()) || !label_ok(&d.label) || !label_ok(&d.kind) {
                return Err("the server sent a device entry that is not what the protocol says".into());
            }
        }
        Ok(())
    }
}

impl SetupLink {
    /// Whether the answer holds a code and its own link to it.
    pub fn check(&self) -> Result<(), String> {
        if !is_secret(&self.code) || self.link != format!("/#{SETUP_KEY}={}", self.code) || !label_ok(&self.label) {
            return Err("the server's set-up link is not what the protocol says".into());
        }
        Ok(())
    }
}

impl ClaimedToken {
    /// Whether the answer holds a token this app can sync with.
    pub fn check(&self) -> Result<(), String> {
        if !is_secret(&self.token) || !label_ok(&self.team) || !label_ok(&self.label) {
            return Err("the server's answer to the set-up code is not what the protocol says".into());
        }
        Ok(())
    }
}

/// What an address's fragment (after `#`, without it) asks the app to set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupFragment {
    /// `setup=<code>`: claim this code for a device token.
    Code(String),
    /// `sync=<address>&token=<token>&mode=<mode>`: offer these sync settings.
    Settings { endpoint: String, token: String, mode: String },
}

/// Reads a set-up fragment (already percent-decoded pairs, in order), or
/// `None` when it is not one (a fragment may mean something else).
pub fn read_fragment(pairs: &[(String, String)]) -> Option<SetupFragment> {
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string());
    if let Some(code) = get(SETUP_KEY) {
        return Some(SetupFragment::Code(code));
    }
    let endpoint = get("sync")?;
    Some(SetupFragment::Settings { endpoint, token: get("token").unwrap_or_default(), mode: get("mode").unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_fragment_names_a_code_or_sync_settings_or_nothing() {
        assert_eq!(read_fragment(&pairs(&[("setup", " abc ")])), Some(SetupFragment::Code("abc".into())));
        let offered = read_fragment(&pairs(&[("sync", "https://office.lan"), ("token", "t"), ("mode", "native")]));
        assert_eq!(offered, Some(SetupFragment::Settings { endpoint: "https://office.lan".into(), token: "t".into(), mode: "native".into() }));
        assert_eq!(read_fragment(&pairs(&[("section", "2")])), None);
        assert_eq!(read_fragment(&[]), None);
    }

    #[test]
    fn answers_with_long_labels_odd_ids_or_bad_secrets_are_not_trusted() {
        let device = Device {
            id: "0123abcd".into(),
            label: "tablet".into(),
            kind: "device".into(),
            created: 1,
            last_used: None,
            last_sync: None,
            waiting: Some(3),
            expires: None,
            revoked: None,
        };
        let list = DeviceList { team: "office".into(), devices: vec![device.clone()] };
        assert!(list.check().is_ok());
        let long = DeviceList { devices: vec![Device { label: "x".repeat(MAX_LABEL_CHARS + 1), ..device.clone() }], ..list.clone() };
        assert!(long.check().is_err());
        let odd = DeviceList { devices: vec![Device { id: "<script>".into(), ..device }], ..list };
        assert!(odd.check().is_err());
        let code = "a".repeat(64);
        let link = SetupLink { code: code.clone(), link: format!("/#setup={code}"), code_expires: 9, label: "t".into() };
        assert!(link.check().is_ok());
        assert!(SetupLink { link: format!("https://evil.example/#setup={code}"), ..link.clone() }.check().is_err());
        assert!(ClaimedToken { token: "short".into(), team: "o".into(), label: "t".into() }.check().is_err());
        assert!(ClaimedToken { token: code, team: "o".into(), label: "t".into() }.check().is_ok());
    }
}
