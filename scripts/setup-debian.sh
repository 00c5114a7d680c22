#!/usr/bin/env bash
# Installs what PiPyOS needs on Debian 12 / Ubuntu: Debian's Rust 1.96 toolchain with std's
# source (for -Zbuild-std), LLVM tools, clang (C code in RustPython's stdlib), QEMU (raspi0),
# Python 3 (test driver) and cpio, mtools, fdisk, dosfstools (image checks in the tests). Safe to run again.
set -euo pipefail
packages=(rustc-web cargo-web rust-web-src rust-web-clippy lld clang llvm qemu-system-arm python3 cpio mtools fdisk dosfstools)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
