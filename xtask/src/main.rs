//! `cargo xtask`: the one build driver that README, CI, tests and the Nix derivations call.
#![forbid(unsafe_code)]

mod buildinfo;
mod commands;
mod kernel;
mod paths;
mod qemu;
mod reproduce;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  kernel  [--profile release|quick] [--out-dir DIR]     build kernel.elf and kernel.img
  initfs  [--app DIR] [--packages DIR]... [--out FILE]  pack the stdlib, python-packages/ and an app
  image   [--profile P] [--app DIR] [--firmware DIR] [--version V] [--out-dir DIR]
                                                        build kernel + initfs + SD-card image
  run     [--image FILE] [--profile P] [--app DIR] [--serial stdio|pty|QEMU-CHARDEV] [--screen]
          [--usb keyboard|mouse|net ...]
                                                        boot the image in QEMU, serial console here
                                                        (--screen: the HDMI screen in a window too;
                                                         --usb: plug a USB device in, repeatable)
  test    [--image FILE] [--profile P] [--host-only]    host unit tests, then emulated boot tests
  bench   [--image FILE] [--profile P]                  instruction counts and sizes
  lint    [--profile P]                                 clippy over the kernel, warnings denied
  profile [--image FILE] [--profile P] [--script FILE.py] [--top N] [--folded OUT]
                                                        instructions by function: the boot, or a
                                                        script at the prompt (boot subtracted)
  reproduce [--profile P]                               two clean builds in two directories, compared

The standard library is compiled into the kernel as bytecode (frozen); `--stdlib-in-initfs`
packs it as source into the initfs instead.
The default profile is `release` (opt-level 3, fat LTO: the fastest measured); `quick` skips LTO.
Outputs go to target/pipyos/.";

fn main() -> ExitCode {
    match commands::dispatch(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
