//! The IndexedDB schema. rexie deletes every object store and index that is
//! not declared here when the version goes up, and has no upgrade hook: so
//! stores are only ever added, never renamed, and record formats evolve inside
//! the documents (`xunfang_core::doc`), not through the schema.

use rexie::{Index, ObjectStore, RexieBuilder};

pub const APP_DB_NAME: &str = "xunfang";
/// Bump when a store or index is added; list every one below, old ones too.
pub const VERSION: u32 = 1;

pub const ACTIVITIES: &str = "activities";
pub const PEOPLE: &str = "people";
/// Small app state that must live with the records (sync cursors later).
pub const META: &str = "meta";

pub const BY_DATE: &str = "date";
pub const BY_KIND: &str = "kind";
pub const BY_NAME: &str = "name";

/// The current schema for a database called `name`.
pub fn current(name: &str) -> RexieBuilder {
    at_version(name, VERSION)
}

/// The current stores under a given version number: tests use it to check
/// that a version bump keeps every document.
pub fn at_version(name: &str, version: u32) -> RexieBuilder {
    RexieBuilder::new(name)
        .version(version)
        .add_object_store(
            ObjectStore::new(ACTIVITIES)
                .key_path("id")
                .add_index(Index::new(BY_DATE, "body.date"))
                .add_index(Index::new(BY_KIND, "body.kind")),
        )
        .add_object_store(ObjectStore::new(PEOPLE).key_path("id").add_index(Index::new(BY_NAME, "body.name")))
        .add_object_store(ObjectStore::new(META).key_path("key"))
}
