//! HTTP-level tests of the emulator, in one binary: each test runs its own emulator.

mod automated;
mod binary;
mod catalog;
mod control;
mod create;
mod credentials;
mod dashboard;
mod delete;
mod errors;
mod hardening;
mod helpers;
mod instance_changes;
mod instances;
mod jobs;
mod layers;
mod lifecycle;
mod list;
mod network;
mod openapi;
mod packaging;
mod policy;
mod properties;
mod reliability;
mod restore;
mod versions;
