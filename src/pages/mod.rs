//! One screen per file.

pub mod attendance;
pub mod briefing;
pub mod devices;
pub mod duty;
pub mod exports;
pub mod office;
pub mod opinion_edit;
pub mod person_edit;
pub mod proposal_edit;
pub mod record_edit;
pub mod records;
pub mod report;
pub mod roster;
pub mod settings;
pub mod suggestions;
pub mod summary;
pub mod template;
pub mod trash;
pub mod visits;
