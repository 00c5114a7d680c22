# `nix develop`: the toolchain that `cargo xtask` expects, the emulator, and
# the Nix linters that nix/tests/run.sh uses.
{
  pkgs,
  pipyos,
}:
pkgs.mkShell ({
    packages = [
      pipyos.rustToolchain
      pkgs.llvmPackages.lld
      pkgs.llvmPackages.llvm
      pkgs.qemu
      pkgs.python3
      pkgs.alejandra
      pkgs.deadnix
    ];
  }
  # The same environment as the kernel derivation's: RUSTC_BOOTSTRAP=1 and
  # cargo's fallback resolver for the kernel workspace, and PIPYOS_CARGO,
  # PIPYOS_RUSTC, PIPYOS_CC (the unwrapped clang), PIPYOS_EXTRA_CFLAGS (its
  # resource directory) and PIPYOS_LLVM_AR, so that `cargo xtask kernel`
  # uses this toolchain rather than Debian's /usr/bin one.
  // pipyos.xtaskEnv)
