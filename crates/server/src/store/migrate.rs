//! `xunfang-server migrate --from FILE --to URL`: the rows a database (schema 2 or 3) is copied as, the source side a backend
//! offers ([`MigrateSource`], SQLite's), and the digests both sides compare before the copy commits.
//!
//! Everything is copied as it is, ids, `seq`, `head` and the epoch included, so a tablet's cursor from the
//! old server stays valid on the new one (it resumes where it was, missing nothing). Only the photo collection's
//! marks (`blob_marks`, schema 3) are not copied: the first pass on the new database marks again, so a photo
//! is collected one grace period later, never earlier. No SQL here: each
//! backend reads and writes its own rows (`sqlite::migrate`, `postgres::migrate`).

use sha2::{Digest, Sha256};

use super::sqlite::StoredDoc;
use super::StoreError;

/// A team as stored: its id (kept, tokens and rows name it), name, head (the last `seq` taken) and creation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub head: i64,
    pub created: i64,
}

/// A token as stored (its SHA-256 only; the token itself was never kept), with its kind (team, device,
/// admin), expiry and what the device last reported (schema 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub hash: Vec<u8>,
    pub prefix: String,
    pub team: i64,
    pub label: String,
    pub created: i64,
    pub revoked: Option<i64>,
    pub kind: String,
    pub expires: Option<i64>,
    pub last_used: Option<i64>,
    pub last_sync: Option<i64>,
    pub waiting: Option<i64>,
}

/// A set-up code as stored (its SHA-256 only), used or not (schema 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupCodeRow {
    pub hash: Vec<u8>,
    pub team: i64,
    pub label: String,
    pub device_expires: Option<i64>,
    pub created: i64,
    pub expires: i64,
    pub used: Option<i64>,
}

/// A photo as stored: content hash (its name), media type, size, upload time and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRow {
    pub hash: String,
    pub media_type: String,
    pub size: i64,
    pub created: i64,
    pub data: Vec<u8>,
}

/// A team's photo usage (what its quota counts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamBlobsRow {
    pub team: i64,
    pub count: i64,
    pub bytes: i64,
}

/// What is copied besides documents and photos (small: read at once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    pub teams: Vec<TeamRow>,
    /// In the order they were added.
    pub tokens: Vec<TokenRow>,
    pub setup_codes: Vec<SetupCodeRow>,
    pub team_blobs: Vec<TeamBlobsRow>,
    /// The epoch's rows (`epoch`, `legacy_cursors`), copied so cursors keep counting.
    pub meta: Vec<(String, String)>,
}

/// A database to copy from. The caller makes sure nothing writes to it meanwhile (SQLite: the serving lock).
pub trait MigrateSource {
    fn catalog(&self) -> Result<Catalog, StoreError>;
    /// A team's documents in `seq` order.
    fn docs(&self, team: i64) -> Result<Vec<StoredDoc>, StoreError>;
    /// The hashes of a team's photos (read one at a time: they may be large).
    fn blob_hashes(&self, team: i64) -> Result<Vec<String>, StoreError>;
    fn blob(&self, team: i64, hash: &str) -> Result<BlobRow, StoreError>;
}

/// What was copied and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    pub teams: u64,
    pub tokens: u64,
    pub docs: u64,
    pub blobs: u64,
    /// The epoch the copy keeps (the source's).
    pub epoch: String,
}

/// A digest of a team's documents in `seq` order: id, seq, type and the exact text of each. Two databases
/// with the same digest for a team hand out the same pages for every cursor.
pub fn docs_digest<'a>(docs: impl IntoIterator<Item = &'a StoredDoc>) -> [u8; 32] {
    let mut hash = Sha256::new();
    for d in docs {
        for part in [d.id.as_bytes(), &d.seq.to_be_bytes(), d.doc_type.as_bytes(), d.json.as_bytes()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
    }
    hash.finalize().into()
}

/// The content hash of a photo's bytes, as its name is written (lower-case hex SHA-256).
pub fn blob_digest(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares what the copy holds with the source, one figure at a time; the first difference as the error.
pub fn compare<T: PartialEq + std::fmt::Debug>(what: &str, source: T, copy: T) -> Result<(), StoreError> {
    if source == copy {
        Ok(())
    } else {
        Err(StoreError(format!("the copy does not match the source ({what}: {source:?} there, {copy:?} in the copy); nothing was committed")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, seq: u64, json: &str) -> StoredDoc {
        StoredDoc { id: id.into(), doc_type: "activity".into(), seq, json: json.into() }
    }

    #[test]
    fn the_docs_digest_changes_with_any_seq_id_or_byte_of_text() {
        let base = [doc("a", 1, "{\"x\":1}"), doc("b", 2, "{}")];
        let same = docs_digest(&base);
        assert_eq!(same, docs_digest(&base.clone()));
        assert_ne!(same, docs_digest(&[doc("a", 1, "{\"x\":1}"), doc("b", 3, "{}")]));
        assert_ne!(same, docs_digest(&[doc("a", 1, "{\"x\": 1}"), doc("b", 2, "{}")]));
        assert_ne!(same, docs_digest(&[doc("b", 1, "{\"x\":1}"), doc("a", 2, "{}")]));
        // Parts are length-prefixed: moving a byte from one field to the next is a change too.
        assert_ne!(docs_digest(&[doc("ab", 1, "c")]), docs_digest(&[doc("a", 1, "bc")]));
    }

    #[test]
    fn a_photos_digest_is_its_lower_case_hex_sha256() {
        assert_eq!(blob_digest(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
