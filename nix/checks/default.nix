# The flake's checks for one system (see nix/README.md). A check that needs
# KVM on the builder says so in its name (`-kvm`); the others build in the
# ordinary sandbox on any Linux builder.
#   boot          the emulated tests (tests/emulated) against the built image:
#                 QEMU's raspi0 board in pure emulation, no KVM
#   nixos-vm-kvm  a NixOS VM boots the image in a nested QEMU and uses its REPL
#                 (runNixOSTest: requiredSystemFeatures = ["nixos-test" "kvm"])
#   nix-lib       the pure tests of nix/lib.nix and of the flake's inputs
{
  pkgs,
  pipyos,
}: {
  boot = import ./boot.nix {inherit pkgs pipyos;};
  nixos-vm-kvm = import ./nixos-vm.nix {inherit pkgs pipyos;};
  # The tests run while the flake is evaluated (a failing one throws, which
  # fails `nix flake check`); the derivation only records their results.
  nix-lib = pkgs.writeText "pipyos-nix-lib-tests.json" (builtins.toJSON {
    lib = import ../tests/lib-tests.nix;
    flake = import ../tests/flake-tests.nix;
  });
}
