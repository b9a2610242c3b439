//! The IndexedDB schema. rexie deletes every object store and index that is
//! not declared here when the version goes up, and has no upgrade hook: so
//! stores are only ever added, never renamed, and record formats evolve inside
//! the documents (`xunfang_core::doc`), not through the schema.

use rexie::{Index, ObjectStore, RexieBuilder};

pub const APP_DB_NAME: &str = "xunfang";
/// Bump when a store or index is added or dropped; list every store below, old ones too.
/// 1: activities (indexed by date and kind), people (by name), meta. 2: + outbox (sync).
/// 3: + proposals, opinion reports. 4: + photos, photo uploads. 5: + activity rows (the
/// list's copy); documents written from 5 on are stored as JSON text (see `record.rs`).
/// 6: the date, kind and name indexes dropped: nothing queried them (the list reads its
/// rows, reports and exports read every document); the stores and their records stay.
/// 7: + team settings (the synced template).
pub const VERSION: u32 = 7;

pub const ACTIVITIES: &str = "activities";
pub const PEOPLE: &str = "people";
/// Small app state that must live with the records (the sync cursor).
pub const META: &str = "meta";
/// Documents changed here and not yet confirmed by the server, keyed by id;
/// written in the same transaction as the document itself.
pub const OUTBOX: &str = "outbox";
/// 提案 promoted from suggestions.
pub const PROPOSALS: &str = "proposals";
/// 社情民意 reports promoted from suggestions.
pub const OPINION_REPORTS: &str = "opinion_reports";
/// The team's settings document (`xunfang_core::template`): at most one, under its fixed id.
pub const TEAM_SETTINGS: &str = "team_settings";
/// Photo images (JPEG blobs), keyed by their SHA-256: never inside records.
pub const PHOTOS: &str = "photos";
/// Hashes of photos taken here and not yet on the server.
pub const PHOTO_UPLOADS: &str = "photo_uploads";

/// The record list's small copy of each activity (`xunfang_core::list::ListRow`),
/// one per activity, written in the same transaction as the activity; rebuilt
/// from the activities when the counts differ (after the upgrade to version 5).
pub const ACTIVITY_ROWS: &str = "activity_rows";

/// Rows by `ListRow::sort`: read backwards, the list's order.
pub const BY_SORT: &str = "sort";

/// The current schema for a database called `name`.
pub fn current(name: &str) -> RexieBuilder {
    stores_since_2(stores_v1(RexieBuilder::new(name).version(VERSION), false)).add_object_store(ObjectStore::new(TEAM_SETTINGS).key_path("id"))
}

/// Schema version 6 exactly as it was declared, kept so the upgrade test
/// writes a real version-6 database.
pub fn version_6(name: &str) -> RexieBuilder {
    stores_since_2(stores_v1(RexieBuilder::new(name).version(6), false))
}

/// Schema version 5 exactly as it was declared (with the indexes 6 dropped),
/// kept so the upgrade test writes a real version-5 database.
pub fn version_5(name: &str) -> RexieBuilder {
    stores_since_2(stores_v1(RexieBuilder::new(name).version(5), true))
}

/// Schema version 1 exactly as the first release declared it, kept so the
/// upgrade test opens a real version-1 database.
pub fn version_1(name: &str) -> RexieBuilder {
    stores_v1(RexieBuilder::new(name).version(1), true)
}

/// The stores of version 1; `old_indexes`: with the indexes versions 1–5 declared.
fn stores_v1(builder: RexieBuilder, old_indexes: bool) -> RexieBuilder {
    let (mut activities, mut people) = (ObjectStore::new(ACTIVITIES).key_path("id"), ObjectStore::new(PEOPLE).key_path("id"));
    if old_indexes {
        activities = activities.add_index(Index::new("date", "body.date")).add_index(Index::new("kind", "body.kind"));
        people = people.add_index(Index::new("name", "body.name"));
    }
    builder.add_object_store(activities).add_object_store(people).add_object_store(ObjectStore::new(META).key_path("key"))
}

/// The stores added in versions 2 to 5.
fn stores_since_2(builder: RexieBuilder) -> RexieBuilder {
    builder
        .add_object_store(ObjectStore::new(OUTBOX).key_path("id"))
        .add_object_store(ObjectStore::new(PROPOSALS).key_path("id"))
        .add_object_store(ObjectStore::new(OPINION_REPORTS).key_path("id"))
        .add_object_store(ObjectStore::new(PHOTOS).key_path("sha256"))
        .add_object_store(ObjectStore::new(PHOTO_UPLOADS).key_path("sha256"))
        .add_object_store(ObjectStore::new(ACTIVITY_ROWS).key_path("id").add_index(Index::new(BY_SORT, "sort")))
}
