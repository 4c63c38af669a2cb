//! HTTP-level tests of the emulator, in one binary: each test runs its own emulator.

mod binary;
mod create;
mod errors;
mod helpers;
mod jobs;
mod lifecycle;
mod list;
