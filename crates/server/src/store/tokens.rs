//! The rules for access tokens every backend shares: how a token is made
//! and stored (only its SHA-256 and a short prefix), and which stored token
//! a `token revoke` argument means.

use sha2::{Digest, Sha256};
use xunfang_core::blob::hex;

use super::StoreError;

/// How many characters of a token `token list` shows and `token revoke`
/// accepts as a prefix.
pub const TOKEN_PREFIX_LEN: usize = 8;

/// One row of `token list`.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub prefix: String,
    pub team: String,
    pub label: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, if revoked.
    pub revoked: Option<i64>,
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
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError(format!("no random numbers from the system: {e}")))?;
    let token = hex(&bytes);
    let new = NewToken { hash: token_hash(&token), prefix: token[..TOKEN_PREFIX_LEN].to_string(), token };
    Ok((team.to_string(), new))
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
        let info = TokenInfo { prefix: token[..TOKEN_PREFIX_LEN].into(), team: "office".into(), label: String::new(), created: 0, revoked: None };
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
}
