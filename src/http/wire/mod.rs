//! Request and response bodies exactly as they travel: field names and JSON types of the API
//! pages (numbers stay numbers, unfinished times are `""`). One file per resource family,
//! named as its handlers' file is; what all of them share is in [`json`].

pub mod backups;
pub mod catalog;
pub mod instance_backups;
pub mod instance_changes;
pub mod instances;
pub mod jobs;
pub mod json;
pub mod logs;
pub mod network;
pub mod nodes;
pub mod proxies;
pub mod quotas;
pub mod restore;
pub mod sql_filter;
