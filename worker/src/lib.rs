//! The crypto worker's job logic, in plain Rust so it is tested natively;
//! `main.rs` is the Web Worker around it.

pub mod export;
pub mod files;
pub mod jobs;
mod nodes;
mod permits;
mod recovery;
mod removal_transfers;
mod rotation;
#[cfg(target_arch = "wasm32")]
mod sinks;
#[cfg(target_arch = "wasm32")]
pub mod transfer;
