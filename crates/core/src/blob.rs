//! A photo's name: the SHA-256 of its bytes as 64 lowercase hex digits
//! (`BlobHash`), and the one lowercase-hex encoder the tree uses.
//!
//! The hashing itself is the caller's (Web Crypto in the app, `sha2` on the
//! server); core only checks and spells names, so both sides agree on them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Bytes as lowercase hex, two digits each (`[0xab, 0x01]` → `"ab01"`).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The name of a photo (a blob): its SHA-256, 64 lowercase hex digits.
/// Only `parse` and `of_digest` make one, so holding one means it is valid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BlobHash(String);

impl BlobHash {
    /// How many hex digits a name has.
    pub const LEN: usize = 64;

    /// Accepts exactly 64 lowercase hex digits (what the app sends in a
    /// photo's address); anything else, uppercase included, is no name.
    pub fn parse(s: &str) -> Option<BlobHash> {
        is_blob_hash(s).then(|| BlobHash(s.to_string()))
    }

    /// The name of bytes whose SHA-256 is `digest` (32 bytes; other lengths
    /// are no SHA-256 and give `None`).
    pub fn of_digest(digest: &[u8]) -> Option<BlobHash> {
        (digest.len() * 2 == Self::LEN).then(|| BlobHash(hex(digest)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first digits, enough to tell photos apart in a log line.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

/// Whether `s` is a blob name: 64 lowercase hex digits.
pub fn is_blob_hash(s: &str) -> bool {
    s.len() == BlobHash::LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BlobHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BlobHash, D::Error> {
        let s = String::deserialize(d)?;
        BlobHash::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("\"{s}\" is not a SHA-256 as 64 lowercase hex digits")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn a_name_is_exactly_64_lowercase_hex_digits() {
        assert!(is_blob_hash(&"a".repeat(64)));
        assert!(is_blob_hash(EMPTY_SHA256));
        assert!(!is_blob_hash(&"A".repeat(64)));
        assert!(!is_blob_hash(&"a".repeat(63)));
        assert!(!is_blob_hash(&"a".repeat(65)));
        assert!(!is_blob_hash(&"g".repeat(64)));
        assert!(!is_blob_hash(""));
        assert_eq!(BlobHash::parse(EMPTY_SHA256).unwrap().as_str(), EMPTY_SHA256);
        assert_eq!(BlobHash::parse(&EMPTY_SHA256.to_uppercase()), None);
    }

    #[test]
    fn hex_spells_each_byte_as_two_lowercase_digits() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
    }

    #[test]
    fn a_digest_names_its_blob_and_only_a_sha256_digest_does() {
        let digest: Vec<u8> = (0..32).collect();
        let hash = BlobHash::of_digest(&digest).unwrap();
        assert_eq!(hash.to_string(), hex(&digest));
        assert_eq!(BlobHash::parse(hash.as_str()), Some(hash.clone()));
        assert_eq!(hash.short(), "000102030405");
        assert_eq!(BlobHash::of_digest(&digest[..31]), None);
    }

    #[test]
    fn a_name_reads_from_json_only_when_valid() {
        let hash: BlobHash = serde_json::from_str(&format!("\"{EMPTY_SHA256}\"")).unwrap();
        assert_eq!(serde_json::to_string(&hash).unwrap(), format!("\"{EMPTY_SHA256}\""));
        assert!(serde_json::from_str::<BlobHash>("\"abc\"").is_err());
    }
}
