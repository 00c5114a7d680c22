# Stand-ins for the flake's inputs (nixpkgs, crane, rust-overlay), builtins
# only: each function that would make a derivation returns a record of how it
# was called instead, so nix/tests/flake-eval-tests.nix can evaluate every
# output of flake.nix where nixpkgs cannot be fetched. They model only the
# parts of the interfaces that the flake uses (checked against the pinned
# revisions), not what the builds do.
let
  inherit
    (builtins)
    concatLists
    concatStringsSep
    hashString
    listToAttrs
    replaceStrings
    ;

  # A fake derivation: `stub` holds the function that made it and its
  # arguments; passthru attributes are merged in, as mkDerivation does.
  fakeDerivation = {
    system,
    kind,
    name,
    args ? {},
    passthru ? {},
    meta ? {},
  }:
    {
      type = "derivation";
      inherit name system meta;
      outPath = "/nix/store/00000000000000000000000000000000-${name}";
      stub = {inherit kind args;};
    }
    // passthru;

  escapeShellArg = arg: "'${replaceStrings ["'"] ["'\\''"] (toString arg)}'";

  lib = {
    genAttrs = names: function:
      listToAttrs (map (name: {
          inherit name;
          value = function name;
        })
        names);
    getExe = package: "${package}/bin/${package.meta.mainProgram or package.name}";
    getExe' = package: program: "${package}/bin/${program}";
    inherit concatStringsSep escapeShellArg;
    escapeShellArgs = args: concatStringsSep " " (map escapeShellArg args);
    optionals = condition: list:
      if condition
      then list
      else [];
    concatMap = function: list: concatLists (map function list);
    versions.major = version: builtins.head (builtins.splitVersion version);
    # Like nixpkgs: a source with the filter and the original path attached
    # (crane's findCargoFiles reads them); the store path follows the name.
    cleanSourceWith = {
      src,
      filter,
      name,
    }: {
      _isLibCleanSourceWith = true;
      origSrc = src;
      inherit filter name;
      outPath = "/nix/store/${builtins.substring 0 32 (hashString "sha256" name)}-${name}";
    };
  };

  # A nixpkgs package set for one system.
  mkPkgs = system: let
    make = kind: name: args:
      fakeDerivation {
        inherit system kind name args;
        passthru = args.passthru or {};
        meta = args.meta or {};
      };
    package = name: make "package" name {};
  in {
    inherit lib;
    stdenv.hostPlatform.system = system;

    alejandra = package "alejandra";
    coreutils = package "coreutils";
    deadnix = package "deadnix";
    python3 = package "python3";
    qemu = package "qemu";
    raspberrypifw = package "raspberrypi-firmware";
    socat = package "socat";
    llvmPackages = {
      # The unwrapped clang keeps its resource directory (lib/clang/<major>)
      # in its `lib` output, as in nixpkgs; the version is a stand-in.
      clang-unwrapped =
        fakeDerivation {
          inherit system;
          kind = "package";
          name = "clang-21.1.8";
        }
        // {
          version = "21.1.8";
          lib = package "clang-21.1.8-lib";
        };
      lld = package "lld";
      llvm = package "llvm";
    };

    runCommand = name: env: buildCommand: make "runCommand" name (env // {inherit buildCommand;});
    writeText = name: text: make "writeText" name {inherit text;};
    writeShellApplication = args:
      make "writeShellApplication" args.name (args
        // {
          meta = (args.meta or {}) // {mainProgram = args.name;};
        });
    writers.writePython3Bin = name: options: text:
      make "writePython3Bin" name {
        inherit options text;
        meta.mainProgram = name;
      };
    mkShell = args: make "mkShell" "nix-shell" args;
    # On Linux the real test derivation requires the "nixos-test" and "kvm"
    # system features (nixos/lib/testing/run.nix).
    testers.runNixOSTest = test:
      make "runNixOSTest" "vm-test-run-${test.name}" (test
        // {
          passthru = {
            driverInteractive = package "nixos-test-driver-${test.name}";
            requiredSystemFeatures = ["nixos-test" "kvm"];
          };
        });
  };

  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs ["x86_64-linux" "aarch64-linux"] mkPkgs;
  };

  crane = {
    mkLib = pkgs: let
      make = kind: args:
        fakeDerivation {
          inherit (pkgs.stdenv.hostPlatform) system;
          inherit kind args;
          name = "${args.pname}-${args.version}";
          passthru = args.passthru or {};
          meta = args.meta or {};
        };
      craneLib = {
        overrideToolchain = toolchainFor: craneLib // {toolchain = toolchainFor pkgs;};
        findCargoFiles = _src: {
          cargoConfigs = [];
          cargoTomls = [];
        };
        vendorMultipleCargoDeps = args:
          fakeDerivation {
            inherit (pkgs.stdenv.hostPlatform) system;
            inherit args;
            kind = "vendorMultipleCargoDeps";
            name = "vendor-cargo-deps";
          };
        # Like crane, demand the arguments that have no default.
        mkCargoDerivation = args:
          assert args ? cargoArtifacts && args ? buildPhaseCargoCommand;
            make "mkCargoDerivation" args;
        buildPackage = make "buildPackage";
        removeReferencesToVendoredSourcesHook = fakeDerivation {
          inherit (pkgs.stdenv.hostPlatform) system;
          kind = "setupHook";
          name = "removeReferencesToVendoredSourcesHook";
        };
        removeReferencesToRustToolchainHook = fakeDerivation {
          inherit (pkgs.stdenv.hostPlatform) system;
          kind = "setupHook";
          name = "removeReferencesToRustToolchainHook";
        };
      };
    in
      craneLib;
  };

  rust-overlay.lib.mkRustBin = _options: pkgs: {
    # The pinned rust-overlay revision has manifests/stable/1.96.0.nix.
    stable."1.96.0".default.override = {extensions}:
      fakeDerivation {
        inherit (pkgs.stdenv.hostPlatform) system;
        kind = "rust-bin";
        name = "rust-default-1.96.0";
        args = {inherit extensions;};
      };
  };
in {
  inherit crane mkPkgs nixpkgs rust-overlay;
}
