//! The rules for access tokens every backend shares: how a token is made
//! and stored (only its SHA-256 and a short prefix), which stored token a
//! `token revoke` argument means, what each kind of token may do now
//! ([`access`]), how set-up codes are made and claimed ([`claim_check`]),
//! and how often a token's use is written ([`RecentUse`]).

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use xunfang_core::blob::hex;

use super::{StoreError, Team};

/// How many characters of a token `token list` shows and `token revoke`
/// accepts as a prefix.
pub const TOKEN_PREFIX_LEN: usize = 8;

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Shared by a team's devices: every token made before schema 2, and
    /// `token create` without `--admin`. Syncs.
    Team,
    /// One tablet's, made when it claimed a set-up code. Syncs.
    Device,
    /// Manages the team's devices (`token create --admin`); never syncs
    /// documents, so the office computer that holds it is no device in the
    /// list, and reading the team's records with it leaves a trace: a new
    /// device in that list.
    Admin,
}

impl TokenKind {
    /// As stored (and as the devices API names it).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Team => "team",
            TokenKind::Device => "device",
            TokenKind::Admin => "admin",
        }
    }

    /// A stored kind; one this server does not know grants nothing.
    pub fn parse(stored: &str) -> Option<TokenKind> {
        match stored {
            "team" => Some(TokenKind::Team),
            "device" => Some(TokenKind::Device),
            "admin" => Some(TokenKind::Admin),
            _ => None,
        }
    }
}

/// One row of `token list` and of a team's device list.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub prefix: String,
    pub team: String,
    pub label: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, if revoked.
    pub revoked: Option<i64>,
    /// `None` for a kind this server does not know.
    pub kind: Option<TokenKind>,
    /// Unix seconds after which it is refused, if it expires.
    pub expires: Option<i64>,
    /// Unix seconds of the last request it authenticated.
    pub last_used: Option<i64>,
    /// Unix seconds of the last sync it made.
    pub last_sync: Option<i64>,
    /// How many changes the device still had queued at that sync, as it said.
    pub waiting: Option<u64>,
}

impl TokenInfo {
    /// A row as `token list` made it before schema 2 (a team token, never used).
    pub fn new(prefix: String, team: String, label: String, created: i64, revoked: Option<i64>) -> TokenInfo {
        TokenInfo { prefix, team, label, created, revoked, kind: Some(TokenKind::Team), expires: None, last_used: None, last_sync: None, waiting: None }
    }
}

/// A stored token as a request finds it by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub team: Team,
    /// As stored (see [`TokenKind::parse`]).
    pub kind: String,
    pub expires: Option<i64>,
    pub revoked: Option<i64>,
}

/// What a token lets a request do at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Sync the team's documents and photos.
    Sync(Team),
    /// Manage the team's devices.
    Admin(Team),
    /// A device token the office revoked: the tablet is told so in words.
    Withdrawn,
    /// Past its expiry.
    Expired,
    /// No such token, or one revoked that was not a device's, or of a kind
    /// this server does not know.
    Unknown,
}

/// What the token stored as `row` (if any) allows at `now` (Unix seconds):
/// the one rule every backend and route shares.
pub fn access(row: Option<&TokenRow>, now: i64) -> Access {
    let Some(row) = row else { return Access::Unknown };
    let kind = TokenKind::parse(&row.kind);
    if row.revoked.is_some() {
        return if kind == Some(TokenKind::Device) { Access::Withdrawn } else { Access::Unknown };
    }
    if row.expires.is_some_and(|e| e <= now) {
        return Access::Expired;
    }
    match kind {
        Some(TokenKind::Team | TokenKind::Device) => Access::Sync(row.team.clone()),
        Some(TokenKind::Admin) => Access::Admin(row.team.clone()),
        None => Access::Unknown,
    }
}

/// A token's `last_used` is written at most once a minute: people read it
/// (the device list), and every request would otherwise be a write.
pub const USED_EVERY_SECS: i64 = 60;

/// Tokens' `last_used` as this server instance last wrote or read it, so that
/// a request whose token was noted used under [`USED_EVERY_SECS`] ago sends
/// nothing to the database for it. In memory and per instance: each instance
/// writes at most once a minute, and a restart starts afresh.
#[derive(Debug, Default)]
pub struct RecentUse {
    known: Mutex<HashMap<Vec<u8>, i64>>,
}

/// Tokens [`RecentUse`] keeps at most (those older than a minute are dropped first).
const RECENT_USE_MAX: usize = 100_000;

impl RecentUse {
    /// Whether a use of the token `hash` at `now` is to be written: its
    /// `last_used` is not known to be under a minute old.
    pub fn due(&self, hash: &[u8], now: i64) -> bool {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(hash).is_none_or(|&at| at <= now - USED_EVERY_SECS)
    }

    /// Notes that the token `hash`'s stored `last_used` is `at` (just written,
    /// or read back), as of `now`.
    pub fn note(&self, hash: &[u8], at: i64, now: i64) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= RECENT_USE_MAX && !known.contains_key(hash) {
            known.retain(|_, seen| *seen > now - USED_EVERY_SECS);
            if known.len() >= RECENT_USE_MAX {
                known.clear();
            }
        }
        let seen = known.entry(hash.to_vec()).or_insert(at);
        *seen = (*seen).max(at);
    }
}

/// How long a set-up code can be claimed: a day (the tablet is normally set
/// up while the office screen still shows the code).
pub const SETUP_CODE_SECS: i64 = 24 * 3600;

pub use xunfang_core::devices::MAX_LABEL_CHARS;

/// A set-up code to be stored: the code (shown once, in the set-up link),
/// its hash, and what the device token made from it will be.
#[derive(Clone, Debug)]
pub struct NewSetupCode {
    pub code: String,
    pub hash: Vec<u8>,
    pub label: String,
    /// The device token's expiry (Unix seconds), if any.
    pub device_expires: Option<i64>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds after which the code is refused.
    pub expires: i64,
}

/// A fresh set-up code for a device called `label` whose token expires at
/// `device_expires` (if given), made at `now`. The label is trimmed and must
/// be 1 to [`MAX_LABEL_CHARS`] characters without control characters; an
/// expiry must lie ahead. The message says what to change.
pub fn new_setup_code(label: &str, device_expires: Option<i64>, now: i64) -> Result<NewSetupCode, String> {
    let label = label.trim();
    if label.is_empty() {
        return Err("give the tablet a name (for example who carries it), so that it can be told apart in the list".into());
    }
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(format!("the tablet's name must be at most {MAX_LABEL_CHARS} characters, on one line"));
    }
    if device_expires.is_some_and(|e| e <= now) {
        return Err("the expiry date has already passed; choose a later one or none".into());
    }
    let code = random_hex().map_err(|e| e.0)?;
    Ok(NewSetupCode { hash: token_hash(&code), code, label: label.to_string(), device_expires, created: now, expires: now + SETUP_CODE_SECS })
}

/// A stored set-up code as a claim finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupCodeRow {
    pub team: Team,
    pub label: String,
    pub device_expires: Option<i64>,
    pub expires: i64,
    pub used: Option<i64>,
}

/// Why a set-up code was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimRefused {
    /// No such code (mistyped, or from another server).
    Unknown,
    /// It has set up a tablet already.
    Used,
    /// It was not claimed in time.
    Expired,
}

impl ClaimRefused {
    /// The error body's `reason`, for the app to word it in its language.
    pub fn reason(self) -> &'static str {
        match self {
            ClaimRefused::Unknown => "setup_unknown",
            ClaimRefused::Used => "setup_used",
            ClaimRefused::Expired => "setup_expired",
        }
    }

    /// For the tablet: what happened and what to do.
    pub fn message(self) -> &'static str {
        match self {
            ClaimRefused::Unknown => "this set-up code is not known to the server; check that the link is whole, or ask the office for a new one",
            ClaimRefused::Used => "this set-up code has already set up a tablet (each code works once); ask the office for a new set-up link",
            ClaimRefused::Expired => "this set-up code has expired (a code works for one day); ask the office for a new set-up link",
        }
    }
}

/// Whether the stored code `row` may be claimed at `now`.
pub fn claim_check(row: Option<&SetupCodeRow>, now: i64) -> Result<&SetupCodeRow, ClaimRefused> {
    let row = row.ok_or(ClaimRefused::Unknown)?;
    if row.used.is_some() {
        return Err(ClaimRefused::Used);
    }
    if row.expires <= now {
        return Err(ClaimRefused::Expired);
    }
    Ok(row)
}

/// A device token made from a claimed code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub team: Team,
    pub label: String,
}

/// What revoking one of a team's devices did.
#[derive(Clone, Debug)]
pub enum DeviceRevoked {
    /// Revoked now (`false`) or already before (`true`).
    Revoked(TokenInfo, bool),
    /// No device of the team has this prefix.
    NotFound,
    /// Several do (the count): revoke them from the command line.
    Ambiguous(usize),
}

/// Whether `prefix` looks like a token prefix (checked before any lookup).
pub fn is_prefix(prefix: &str) -> bool {
    prefix.len() == TOKEN_PREFIX_LEN && prefix.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A token to be stored: the token itself (shown once), its hash and prefix.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub token: String,
    pub hash: Vec<u8>,
    pub prefix: String,
}

/// A fresh random token (32 bytes as 64 hex digits) for `team`, and the
/// team's name as stored (trimmed); an empty name is refused.
pub fn new_token(team: &str) -> Result<(String, NewToken), StoreError> {
    let team = team.trim();
    if team.is_empty() {
        return Err(StoreError("the team name is empty; pass --team NAME".into()));
    }
    Ok((team.to_string(), fresh_token()?))
}

/// A fresh random token (32 bytes as 64 hex digits), its hash and prefix.
pub fn fresh_token() -> Result<NewToken, StoreError> {
    let token = random_hex()?;
    Ok(NewToken { hash: token_hash(&token), prefix: token[..TOKEN_PREFIX_LEN].to_string(), token })
}

/// 32 random bytes as 64 hex digits: a token or a set-up code.
fn random_hex() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError(format!("no random numbers from the system: {e}")))?;
    Ok(hex(&bytes))
}

/// What `token revoke` was given, as looked up: trimmed, lowercase, and at
/// least a prefix long.
pub fn revoke_argument(token_or_prefix: &str) -> Result<String, StoreError> {
    let given = token_or_prefix.trim().to_ascii_lowercase();
    if given.len() < TOKEN_PREFIX_LEN {
        return Err(StoreError(format!("give the whole token or at least its first {TOKEN_PREFIX_LEN} characters (see `xunfang-server token list`)")));
    }
    Ok(given)
}

/// Which of `candidates` (stored hash and row: those whose hash is the
/// hash of `given` or whose prefix is its first characters) `given` means;
/// `shown` is the argument as typed, for the message.
/// A whole token matches by hash; a prefix must match the stored prefix and
/// be no longer than it (longer is a whole-token guess). Several matches, or
/// none, are refused with what to do.
pub fn pick_token<'a>(given: &str, shown: &str, candidates: &'a [(Vec<u8>, TokenInfo)]) -> Result<&'a (Vec<u8>, TokenInfo), StoreError> {
    let hash = token_hash(given);
    let exact: Vec<_> = candidates.iter().filter(|(h, _)| *h == hash).collect();
    let matches: Vec<_> = if !exact.is_empty() {
        exact
    } else if given.len() == TOKEN_PREFIX_LEN {
        candidates.iter().collect()
    } else {
        Vec::new()
    };
    match matches.as_slice() {
        [] => Err(StoreError(format!("no token matches \"{shown}\" (see `xunfang-server token list`)"))),
        [one] => Ok(one),
        several => Err(StoreError(format!("{} tokens start with \"{given}\"; give the whole token to revoke one", several.len()))),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn row(token: &str) -> (Vec<u8>, TokenInfo) {
        let info = TokenInfo::new(token[..TOKEN_PREFIX_LEN].into(), "office".into(), String::new(), 0, None);
        (token_hash(token), info)
    }

    #[test]
    fn a_token_is_revoked_whole_or_by_its_prefix_but_never_by_a_guess() {
        let (_, a) = new_token(" office ").unwrap();
        let (_, b) = new_token("office").unwrap();
        let rows = [row(&a.token), row(&b.token)];
        assert_eq!(pick_token(&a.token, &a.token, &rows).unwrap().1.prefix, a.prefix);
        assert_eq!(pick_token(&b.prefix, &b.prefix, &rows[1..]).unwrap().1.prefix, b.prefix);
        let guess = format!("{}0", a.prefix);
        assert!(pick_token(&guess, &guess, &rows[..1]).is_err(), "longer than a prefix, not the token");
        assert!(revoke_argument("abc").is_err());
        assert_eq!(revoke_argument(" ABCDEFGH ").unwrap(), "abcdefgh");
    }

    #[test]
    fn a_prefix_two_tokens_share_is_refused() {
        let rows = [row("abcdefgh1111"), row("abcdefgh2222")];
        let err = pick_token("abcdefgh", "abcdefgh", &rows).unwrap_err();
        assert!(err.0.contains("2 tokens start with"), "{err}");
    }

    #[test]
    fn a_new_token_needs_a_team_name_and_keeps_only_a_prefix_in_clear() {
        assert!(new_token("  ").is_err());
        let (team, new) = new_token(" office ").unwrap();
        assert_eq!(team, "office");
        assert_eq!(new.token.len(), 64);
        assert_eq!(new.prefix, new.token[..TOKEN_PREFIX_LEN]);
        assert_eq!(new.hash, token_hash(&new.token));
    }

    fn stored(kind: &str, expires: Option<i64>, revoked: Option<i64>) -> TokenRow {
        TokenRow { team: Team { id: 1, name: "office".into() }, kind: kind.into(), expires, revoked }
    }

    #[test]
    fn team_and_device_tokens_sync_and_admin_tokens_only_manage() {
        let team = Team { id: 1, name: "office".into() };
        assert_eq!(access(Some(&stored("team", None, None)), 100), Access::Sync(team.clone()));
        assert_eq!(access(Some(&stored("device", None, None)), 100), Access::Sync(team.clone()));
        assert_eq!(access(Some(&stored("admin", None, None)), 100), Access::Admin(team));
        assert_eq!(access(Some(&stored("superuser", None, None)), 100), Access::Unknown, "a kind from a newer server grants nothing");
        assert_eq!(access(None, 100), Access::Unknown);
    }

    #[test]
    fn a_revoked_device_is_told_it_was_withdrawn_but_other_revoked_tokens_are_unknown() {
        assert_eq!(access(Some(&stored("device", None, Some(50))), 100), Access::Withdrawn);
        assert_eq!(access(Some(&stored("team", None, Some(50))), 100), Access::Unknown);
        assert_eq!(access(Some(&stored("admin", None, Some(50))), 100), Access::Unknown);
    }

    #[test]
    fn a_token_is_refused_from_its_expiry_on() {
        assert!(matches!(access(Some(&stored("device", Some(101), None)), 100), Access::Sync(_)));
        assert_eq!(access(Some(&stored("device", Some(100), None)), 100), Access::Expired);
        assert_eq!(access(Some(&stored("admin", Some(90), None)), 100), Access::Expired);
    }

    #[test]
    fn a_setup_code_is_claimed_once_and_only_before_it_expires() {
        let code = new_setup_code(" tablet 3 ", None, 1000).unwrap();
        assert_eq!(code.label, "tablet 3");
        assert_eq!(code.expires, 1000 + SETUP_CODE_SECS);
        assert_eq!(code.hash, token_hash(&code.code));
        let row = SetupCodeRow { team: Team { id: 1, name: "office".into() }, label: code.label, device_expires: None, expires: code.expires, used: None };
        assert!(claim_check(Some(&row), code.expires - 1).is_ok());
        assert_eq!(claim_check(Some(&row), code.expires).unwrap_err(), ClaimRefused::Expired);
        assert_eq!(claim_check(Some(&SetupCodeRow { used: Some(1001), ..row }), 1002).unwrap_err(), ClaimRefused::Used);
        assert_eq!(claim_check(None, 1002).unwrap_err(), ClaimRefused::Unknown);
    }

    #[test]
    fn a_setup_code_needs_a_one_line_label_and_an_expiry_ahead() {
        assert!(new_setup_code("  ", None, 10).is_err());
        assert!(new_setup_code("a\nb", None, 10).is_err());
        assert!(new_setup_code(&"x".repeat(MAX_LABEL_CHARS + 1), None, 10).is_err());
        assert!(new_setup_code("tablet", Some(10), 10).is_err());
        assert_eq!(new_setup_code("tablet", Some(11), 10).unwrap().device_expires, Some(11));
    }

    #[test]
    fn a_use_is_written_again_only_once_the_known_one_is_a_minute_old() {
        let recent = RecentUse::default();
        assert!(recent.due(b"a", 1000), "never noted");
        recent.note(b"a", 990, 1000);
        assert!(!recent.due(b"a", 1000) && !recent.due(b"a", 990 + USED_EVERY_SECS - 1));
        assert!(recent.due(b"a", 990 + USED_EVERY_SECS));
        assert!(recent.due(b"b", 1000), "per token");
        recent.note(b"a", 900, 1000);
        assert!(!recent.due(b"a", 1000), "an older reading does not move it back");
    }

    #[test]
    fn a_device_prefix_is_eight_lowercase_hex_digits() {
        assert!(is_prefix("0123abcd"));
        assert!(!is_prefix("0123ABCD") && !is_prefix("0123abc") && !is_prefix("0123abcg") && !is_prefix("0123abcd0"));
    }
}
