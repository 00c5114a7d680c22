//! The Hermit ABI: the `sys_*` functions Rust std calls on `os = "hermit"`, implemented here.
//!
//! Calls return a negative errno on failure, as std expects. Signatures follow the `hermit-abi`
//! 0.5 crate that std is built with.
mod entropy;
pub mod files;
mod memory;
mod process;
mod time;

pub use std::os::hermit::hermit_abi as hermit;
