//! Ids made on the device: UUID version 7 (time-ordered, RFC 9562).
//!
//! Never a server-assigned number, so a tablet offline for weeks can create
//! records that will never collide with another tablet's.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A record's, person's or suggestion's id: a lowercase hyphenated UUID v7.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// Builds a UUID v7 from the Unix time in milliseconds and 10 random bytes
    /// (the caller takes them from `crypto.getRandomValues` or the OS).
    pub fn new_v7(unix_millis: u64, random: [u8; 10]) -> Id {
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&unix_millis.to_be_bytes()[2..8]);
        b[6..].copy_from_slice(&random);
        b[6] = 0x70 | (b[6] & 0x0f); // version 7
        b[8] = 0x80 | (b[8] & 0x3f); // RFC 9562 variant
        let hex = crate::blob::hex(&b);
        Id(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
    }

    /// Accepts any hyphenated UUID (ids from other devices or imports).
    pub fn parse(s: &str) -> Option<Id> {
        let s = s.trim().to_ascii_lowercase();
        let ok = s.len() == 36
            && s.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        ok.then_some(Id(s))
    }

    /// Whether `s` is an id exactly as this app writes it: a hyphenated
    /// UUID in lowercase, nothing around it. Only such ids travel: `parse`
    /// would read `ABC…` and `abc…` as one id, but a store keyed by the text
    /// would keep two documents, and a device would push its copy forever.
    pub fn is_canonical(s: &str) -> bool {
        Id::parse(s).is_some_and(|id| id.0 == s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_carry_version_variant_and_sort_by_time() {
        let a = Id::new_v7(1_700_000_000_000, [0xff; 10]);
        let b = Id::new_v7(1_700_000_000_001, [0x00; 10]);
        assert_eq!(a.as_str().len(), 36);
        assert_eq!(&a.as_str()[14..15], "7");
        assert!(matches!(&a.as_str()[19..20], "8" | "9" | "a" | "b"));
        assert!(a < b, "a later id sorts after an earlier one");
        assert_eq!(Id::parse(a.as_str()), Some(a.clone()));
        assert_eq!(Id::parse(&a.as_str().to_uppercase()), Some(a));
        assert_eq!(Id::parse("not-an-id"), None);
    }

    #[test]
    fn only_lowercase_ids_without_spaces_are_canonical() {
        let a = Id::new_v7(1_700_000_000_000, [0xab; 10]);
        assert!(Id::is_canonical(a.as_str()));
        assert!(!Id::is_canonical(&a.as_str().to_uppercase()));
        assert!(!Id::is_canonical(&format!(" {a}")));
        assert!(!Id::is_canonical(&format!("{a}\n")));
        assert!(!Id::is_canonical("not-an-id"));
    }
}
