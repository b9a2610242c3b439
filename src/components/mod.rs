//! Widgets shared by the pages.

pub mod bar_chart;
pub mod confirm;
pub mod conflicts;
pub mod custom_fields;
pub mod editor_shell;
pub mod erase_tablet;
pub mod field;
pub mod header;
pub mod insecure_notice;
pub mod loaded;
pub mod lock_screen;
pub mod participants;
pub mod passcode_settings;
pub mod period_picker;
pub mod photos;
pub mod problems;
pub mod save_status;
pub mod setup_claim;
pub mod store_error;
pub mod suggestions;
pub mod sync_settings;
pub mod sync_status;
pub mod team_switch;
pub mod virtual_list;
