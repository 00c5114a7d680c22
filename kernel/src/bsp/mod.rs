//! Board support packages; PiPyOS runs on the Raspberry Pi 1 / Zero (BCM2835).
pub mod rpi1;
