# `nix develop`: the toolchain that `cargo xtask` expects, the emulator, and
# the Nix linters that nix/tests/run.sh uses.
{
  pkgs,
  pipyos,
}:
pkgs.mkShell {
  packages = [
    pipyos.rustToolchain
    pkgs.llvmPackages.clang
    pkgs.llvmPackages.lld
    pkgs.llvmPackages.llvm
    pkgs.qemu
    pkgs.python3
    pkgs.alejandra
    pkgs.deadnix
  ];

  # The kernel workspace uses nightly-only features of the stable toolchain.
  RUSTC_BOOTSTRAP = "1";
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
  # The kernel build of xtask takes these, not Debian's /usr/bin tools.
  PIPYOS_CARGO = pkgs.lib.getExe' pipyos.rustToolchain "cargo";
  PIPYOS_RUSTC = pkgs.lib.getExe' pipyos.rustToolchain "rustc";
  PIPYOS_LLVM_AR = pkgs.lib.getExe' pkgs.llvmPackages.llvm "llvm-ar";
  # xtask passes --target to clang for the ARM objects on purpose; the host
  # hardening flags of the clang wrapper do not apply to them.
  NIX_CC_WRAPPER_SUPPRESS_TARGET_WARNING = "1";
  hardeningDisable = ["all"];
}
