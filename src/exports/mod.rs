//! Files the office sends on, built in the browser: Excel workbooks (`xlsx`).
//! Kept apart from the pages so the writer can move to a later-loaded part.

pub mod xlsx;
