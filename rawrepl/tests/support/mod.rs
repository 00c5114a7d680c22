//! Test support: a fake board and an `mpremote`-like host to talk to it.
pub mod board;
pub mod host;
