{
  description = "PiPyOS: bare-metal Python for the Raspberry Pi 1 / Zero, as an SD-card image";

  # Every output is a thin call of the project's own commands (cargo xtask,
  # pipyos-mkimage); nix/README.md describes them. Needs Nix >= 2.18.
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    crane.url = "github:ipetkov/crane";
    rust-overlay = {
      url = "github:oxalica/rust-overlay";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = {
    self,
    nixpkgs,
    crane,
    rust-overlay,
  }: let
    inherit (nixpkgs) lib;
    pipyosLib = import ./nix/lib.nix;
    forAllSystems = lib.genAttrs pipyosLib.supportedSystems;

    # { version, gitRevision, sourceDateEpoch } of this source: the revision
    # as 12 hex digits (`<12 hex>-dirty` for a dirty git tree, `unknown`
    # without one, e.g. a `path:` flake), the date from lastModified; see
    # buildInfoOf in nix/lib.nix.
    buildInfo = pipyosLib.buildInfoOf {
      version = pipyosLib.versionFromCargoToml ./Cargo.toml;
      source = self;
    };

    # The PiPyOS package set (nix/packages.nix) for a nixpkgs package set.
    pipyosFor = pkgs:
      import ./nix/packages.nix {
        inherit pkgs crane rust-overlay pipyosLib buildInfo;
      };
    pipyosBySystem = forAllSystems (system: pipyosFor nixpkgs.legacyPackages.${system});
  in {
    packages = forAllSystems (system: let
      pipyos = pipyosBySystem.${system};
    in {
      inherit (pipyos) kernel initfs sdImage mkimage;
      default = pipyos.sdImage;
    });

    # `nix run`: boot the image in QEMU with the serial console on this
    # terminal (Ctrl-A X quits).
    apps = forAllSystems (system: {
      default = {
        type = "app";
        program = lib.getExe pipyosBySystem.${system}.sdImage.runner;
        meta.description = "Boot the PiPyOS SD image in QEMU (raspi0), serial console on the terminal";
      };
    });

    checks = forAllSystems (system:
      import ./nix/checks {
        pkgs = nixpkgs.legacyPackages.${system};
        pipyos = pipyosBySystem.${system};
      });

    devShells = forAllSystems (system: {
      default = import ./nix/dev-shell.nix {
        pkgs = nixpkgs.legacyPackages.${system};
        pipyos = pipyosBySystem.${system};
      };
    });

    formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.alejandra);

    # Adds `pipyos` to a package set: pkgs.pipyos.{sdImage, kernel, initfs,
    # mkimage, mkSdImage, mkInitfs, mkRunner, ...} built with that nixpkgs.
    # (`nix flake check` wants the arguments named exactly final and prev.)
    # deadnix: skip
    overlays.default = final: prev: {
      pipyos = pipyosFor final;
    };

    lib = {
      /*
      The SD image of a PiPyOS application (see nix/README.md):
        pipyos.lib.mkSdImage {
          pkgs ? null;            # a nixpkgs package set to build with, or
          system ? "x86_64-linux"; # a system, built with PiPyOS's pinned nixpkgs
          app ? null;             # path of the application directory
          pythonPackages ? [];    # paths/derivations of Python package directories
          config ? {};            # extra config.txt keys: strings, integers, booleans
          version ? <PiPyOS version>;
        }
      */
      mkSdImage = args: let
        checked = pipyosLib.checkMkSdImageArgs {defaultVersion = buildInfo.version;} args;
        pipyos =
          if checked.pkgs != null
          then pipyosFor checked.pkgs
          else pipyosBySystem.${checked.system};
      in
        pipyos.mkSdImage (removeAttrs checked ["pkgs" "system"]);

      inherit (pipyosLib) imageName renderConfigTxt supportedSystems;
      inherit (buildInfo) version;
    };
  };
}
