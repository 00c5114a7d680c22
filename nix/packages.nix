# The PiPyOS package set for one nixpkgs: thin derivations over the project's
# own commands (`cargo xtask kernel`, `cargo xtask initfs`, `pipyos-mkimage`),
# so Nix, CI and the README build the same way.
{
  # nixpkgs package set to build with (its host system builds the image).
  pkgs,
  # The crane and rust-overlay flake inputs.
  crane,
  rust-overlay,
  # nix/lib.nix
  pipyosLib,
  # { version, gitRevision, sourceDateEpoch } of this PiPyOS source.
  buildInfo,
}: let
  inherit (pkgs) lib;

  # Rust from rust-overlay, without overlaying `pkgs` (mkRustBin builds the
  # rust-bin interface on the given package set). rust-src is what
  # `-Zbuild-std` compiles std from; it must be the same release as
  # nix/rust-std-Cargo.lock (pipyosLib.rustVersion).
  rustToolchainFor = p:
    (rust-overlay.lib.mkRustBin {} p).stable.${pipyosLib.rustVersion}.default.override {
      extensions = ["rust-src" "clippy" "rustfmt"];
    };
  rustToolchain = rustToolchainFor pkgs;
  craneLib = (crane.mkLib pkgs).overrideToolchain rustToolchainFor;

  # crane's cleanCargoSource keeps only Rust and Cargo files; the builds also
  # need the kernel's target spec (*.json), linker script (*.ld) and assembly,
  # and the Python packages of the initfs, so whole directories are added
  # where they hold non-Rust inputs. Docs, examples/, nix/ and tests/ stay
  # out: editing them rebuilds nothing.
  root = ../.;
  cargoInputs = lib.fileset.unions [
    # Rust sources, Cargo.toml/Cargo.lock and all *.toml (.cargo/config.toml
    # holds the `cargo xtask` alias).
    (craneLib.fileset.commonCargoSources root)
    ../kernel
    (lib.fileset.maybeMissing ../python-packages)
  ];
  # Output of a local cargo run, which a `path:` flake would pick up.
  localBuildOutput = lib.fileset.unions [
    (lib.fileset.maybeMissing ../target)
    (lib.fileset.maybeMissing ../kernel/target)
  ];
  cargoFileset = lib.fileset.difference cargoInputs localBuildOutput;
  src = lib.fileset.toSource {
    inherit root;
    fileset = cargoFileset;
  };
  # What the checks run from: the above plus the emulated tests.
  testSrc = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.union cargoFileset ../tests;
  };

  # Every crate that any build here may compile, downloaded by hash from the
  # three lock files: the host workspace, the kernel workspace, and Rust's
  # std (for -Zbuild-std). crane appends the `config.toml` of this directory
  # (source replacement to the vendored crates) to $CARGO_HOME/config.toml,
  # so cargo runs offline. nix/rust-std-Cargo.lock is a copy of
  # lib/rustlib/src/rust/library/Cargo.lock of the toolchain's rust-src:
  # reading it from the toolchain would be import-from-derivation, so it is
  # kept in the repository and must be replaced whenever rustVersion changes.
  vendoredDeps = craneLib.vendorMultipleCargoDeps {
    inherit (craneLib.findCargoFiles src) cargoConfigs;
    cargoLockList = [
      ../Cargo.lock
      ../kernel/Cargo.lock
      ./rust-std-Cargo.lock
    ];
  };

  # Arguments shared by the derivations that run cargo.
  cargoArgs = {
    inherit src;
    inherit (buildInfo) version;
    strictDeps = true;
    cargoVendorDir = vendoredDeps;
    # The host crates' unit tests run in `cargo test` (.ci/run); the image
    # itself is tested by the `boot` and `nixos-vm` checks.
    doCheck = false;
    # SOURCE_DATE_EPOCH stays nixpkgs' fixed default here: the source date
    # changes with every commit, and would rebuild the kernel each time.
    env.CARGO_NET_OFFLINE = "true";
  };

  # The timestamps inside the initfs and the image: the source's date.
  sourceDateEpoch = toString buildInfo.sourceDateEpoch;

  # Arguments of the derivations that run `cargo xtask` over the kernel
  # workspace: its manifest uses nightly-only features (RUSTC_BOOTSTRAP), the
  # kernel build wants cargo's fallback resolver, and the ARM objects are
  # compiled by clang, linked by ld.lld and archived by llvm-ar. The clang
  # wrapper's hardening flags are for the host and would break the
  # bare-metal compile (e.g. -fzero-call-used-regs), and it warns about
  # `--target`, which xtask passes on purpose. xtask takes the cargo and
  # rustc of the kernel build from PIPYOS_CARGO/PIPYOS_RUSTC (else Debian's
  # /usr/bin ones) and passes --offline to them with PIPYOS_OFFLINE.
  xtaskArgs =
    cargoArgs
    // {
      nativeBuildInputs = [
        pkgs.llvmPackages.clang
        pkgs.llvmPackages.lld
        pkgs.llvmPackages.llvm
      ];
      hardeningDisable = ["all"];
      cargoArtifacts = null;
      doInstallCargoArtifacts = false;
      dontFixup = true;
      env =
        cargoArgs.env
        // {
          RUSTC_BOOTSTRAP = "1";
          CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
          PIPYOS_CARGO = lib.getExe' rustToolchain "cargo";
          PIPYOS_RUSTC = lib.getExe' rustToolchain "rustc";
          PIPYOS_LLVM_AR = lib.getExe' pkgs.llvmPackages.llvm "llvm-ar";
          PIPYOS_OFFLINE = "1";
          NIX_CC_WRAPPER_SUPPRESS_TARGET_WARNING = "1";
        };
    };

  # The kernel: kernel.elf (with symbols) and kernel.img (the raw binary the
  # firmware loads at 0x8000).
  kernel = craneLib.mkCargoDerivation (xtaskArgs
    // {
      pname = "pipyos-kernel";
      buildPhaseCargoCommand = ''cargo xtask kernel --out-dir "$PWD/kernel-out"'';
      installPhaseCommand = ''
        mkdir -p $out
        cp kernel-out/kernel.elf kernel-out/kernel.img $out/
      '';
      meta.description = "PiPyOS kernel for the Raspberry Pi 1 / Zero (kernel.elf, kernel.img)";
    });

  # An initfs archive: Python's standard library (from the vendored
  # rustpython-pylib crate), python-packages/, the given package directories
  # and the application directory.
  mkInitfs = {
    app ? null,
    pythonPackages ? [],
  }:
    craneLib.mkCargoDerivation (xtaskArgs
      // {
        pname =
          if app == null && pythonPackages == []
          then "pipyos-initfs"
          else "pipyos-app-initfs";
        buildPhaseCargoCommand = lib.concatStringsSep " " (
          [''cargo xtask initfs --out "$PWD/initfs.cpio"'']
          ++ map lib.escapeShellArg (
            lib.optionals (app != null) ["--app" "${app}"]
            ++ lib.concatMap (package: ["--packages" "${package}"]) pythonPackages
          )
        );
        env = xtaskArgs.env // {SOURCE_DATE_EPOCH = sourceDateEpoch;};
        installPhaseCommand = ''
          mkdir -p $out
          cp initfs.cpio $out/
        '';
        meta.description = "PiPyOS initfs archive (Python standard library and packages)";
      });

  initfs = mkInitfs {};

  # pipyos-mkimage, the SD image composer (package pipyos-images of the host
  # workspace), and pipyos-initfs, the initfs packer (the emulated tests use it to
  # repack the initfs with test apps).
  mkimage = craneLib.buildPackage (cargoArgs
    // {
      pname = "pipyos-mkimage";
      cargoExtraArgs = "--locked --package pipyos-images --package pipyos-initfs";
      meta = {
        description = "Composes and unpacks PiPyOS SD-card images";
        mainProgram = "pipyos-mkimage";
      };
    });

  # The GPU firmware the Pi 1 boots from (bootcode.bin, start.elf, fixup.dat).
  firmware = "${pkgs.raspberrypifw}/share/raspberrypi/boot";

  # `pipyos-run [--image FILE] [--serial SPEC] [-- QEMU-ARGS...]`: boots an
  # image in QEMU's raspi0 board, serial console on the terminal by default.
  mkRunner = image:
    pkgs.writeShellApplication {
      name = "pipyos-run";
      runtimeInputs = [pkgs.coreutils pkgs.qemu mkimage];
      runtimeEnv.PIPYOS_DEFAULT_IMAGE = image;
      text = builtins.readFile ./run-image.sh;
      meta.description = "Boot a PiPyOS SD image in QEMU (raspi0) with its serial console on the terminal";
    };

  /*
  The SD-card image, see nix/README.md: `mkSdImage { app ? null;
  pythonPackages ? []; config ? {}; version ? <this source's version>; }`.
  The result is a directory holding pipyos-<version>-rpi1.img; passthru:
  imageName, imageFile (its full path), kernel, initfs, configTxt, runner.
  */
  mkSdImage = args: let
    checked =
      pipyosLib.checkMkSdImageArgs {
        defaultVersion = buildInfo.version;
        acceptsPlatform = false;
      }
      args;
    inherit (checked) version;
    imageInitfs =
      if checked.app == null && checked.pythonPackages == []
      then initfs
      else mkInitfs {inherit (checked) app pythonPackages;};
    configTxt = pkgs.writeText "config.txt" (pipyosLib.renderConfigTxt {
      hasInitfs = true;
      extra = checked.config;
    });
    imageName = pipyosLib.imageName version;
    image =
      pkgs.runCommand "pipyos-sd-image-${version}" {
        nativeBuildInputs = [mkimage];
        env.SOURCE_DATE_EPOCH = sourceDateEpoch;
        passthru = {
          inherit imageName configTxt kernel;
          initfs = imageInitfs;
          imageFile = "${image}/${imageName}";
          runner = mkRunner "${image}/${imageName}";
        };
        meta.description = "PiPyOS SD-card image for the Raspberry Pi 1 / Zero";
      } ''
        pipyos-mkimage build \
          --kernel ${kernel}/kernel.img \
          --initfs ${imageInitfs}/initfs.cpio \
          --firmware ${firmware} \
          --config ${configTxt} \
          --version ${lib.escapeShellArg version} \
          --git-revision ${lib.escapeShellArg buildInfo.gitRevision} \
          --out-dir $out
        test -f $out/${imageName}
      '';
  in
    image;

  sdImage = mkSdImage {};
in {
  inherit
    craneLib
    firmware
    initfs
    kernel
    mkimage
    mkInitfs
    mkRunner
    mkSdImage
    rustToolchain
    sdImage
    src
    testSrc
    vendoredDeps
    ;
}
