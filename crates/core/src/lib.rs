//! Xunfang's domain logic, shared by the browser app and the reference server.
//!
//! Everything here is plain data and pure functions: no browser, no network, no
//! clock and no randomness (callers pass the time and the random bytes in), so
//! it is tested natively and fast. Not here: storage, HTTP, UI.

pub mod attendance;
pub mod attendance_rule;
pub mod backoff;
pub mod backup;
pub mod blob;
pub mod blob_collect;
pub mod briefing;
pub mod clock;
pub mod csv;
pub mod custom;
pub mod devices;
pub mod doc;
pub mod doc_format;
pub mod duty_record;
#[cfg(test)]
mod fixture;
pub mod id;
pub mod incoming;
pub mod lang;
pub mod list;
pub mod merge;
pub mod model;
pub mod paths;
pub mod period;
pub mod points;
pub mod proposal;
pub mod records;
pub mod report;
pub mod roster;
pub mod row_changes;
pub mod save;
pub mod search;
pub mod sheet;
pub mod suggestions_board;
pub mod summary;
pub mod sync;
pub mod sync_client;
pub mod tags;
pub mod team_switch;
pub mod template;
pub mod validate;
pub mod vault;
pub mod visits;

pub use blob::BlobHash;
pub use clock::{DeviceId, Hlc, Stamp};
pub use doc::{ConflictValue, DocError, DocType, Document, FORMAT_VERSION};
pub use id::Id;
pub use lang::Lang;
pub use merge::{merge, Conflict, MergeError};
pub use model::{Activity, Attendance, Participant, Person, Suggestion, SuggestionStatus};
pub use period::Period;
pub use roster::Roster;
pub use template::{FieldDef, FieldType, KindDef, LabelDef, RoleDef, Template};
