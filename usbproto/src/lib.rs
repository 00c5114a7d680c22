//! USB descriptor parsing, hub and HID boot-protocol logic for PiPyOS.
#![no_std]
#![forbid(unsafe_code)]
