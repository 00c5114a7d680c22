//! MicroPython raw REPL and paste-mode protocol state machine for PiPyOS.
#![no_std]
#![forbid(unsafe_code)]
