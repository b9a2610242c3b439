//! One screen per file.

pub mod person_edit;
pub mod record_edit;
pub mod records;
pub mod roster;
pub mod settings;
pub mod trash;
