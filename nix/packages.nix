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

  # The sources of the builds, filtered from the repository by
  # nix/lib.nix (`sources`, `inSource`; nix/README.md lists what each holds):
  # a file outside a build's source cannot rebuild it. host: the host
  # workspace (pipyos-mkimage); kernel: that plus kernel/ and patches/;
  # initfs: that plus python-packages/; tests: tests/ for the boot check.
  root = ../.;
  sourceOf = name:
    lib.cleanSourceWith {
      src = root;
      name = "pipyos-${name}-source";
      filter = pipyosLib.sourceFilter pipyosLib.sources.${name} (toString root);
    };
  sources = lib.genAttrs ["host" "kernel" "initfs" "tests"] sourceOf;

  # Every crate that any build here may compile, downloaded by hash from the
  # three lock files: the host workspace, the kernel workspace, and Rust's
  # std (for -Zbuild-std). crane appends the `config.toml` of this directory
  # (source replacement to the vendored crates) to $CARGO_HOME/config.toml,
  # so cargo runs offline. nix/rust-std-Cargo.lock is a copy of
  # lib/rustlib/src/rust/library/Cargo.lock of the toolchain's rust-src:
  # reading it from the toolchain would be import-from-derivation, so it is
  # kept in the repository and must be replaced whenever rustVersion changes.
  vendoredDeps = craneLib.vendorMultipleCargoDeps {
    inherit (craneLib.findCargoFiles sources.kernel) cargoConfigs;
    cargoLockList = [
      ../Cargo.lock
      ../kernel/Cargo.lock
      ./rust-std-Cargo.lock
    ];
  };

  # Arguments shared by the derivations that run cargo.
  cargoArgs = {
    inherit (buildInfo) version;
    strictDeps = true;
    cargoVendorDir = vendoredDeps;
    # The host crates' unit tests run in `cargo test` (.ci/run); the image
    # itself is tested by the `boot` and `nixos-vm-kvm` checks.
    doCheck = false;
    env.CARGO_NET_OFFLINE = "true";
  };

  # The timestamps inside the kernel, the initfs and the image: the source's
  # date (the commit time).
  sourceDateEpoch = toString buildInfo.sourceDateEpoch;

  # The C compiler of the ARM objects (only `psm`'s assembly, through the
  # `cc` crate): the unwrapped clang, so that no host (glibc) headers or host
  # hardening flags reach the bare-metal compile. xtask passes it
  # `--target=armv6-none-eabihf -mfloat-abi=hard -mfpu=vfp -ffreestanding`
  # and appends PIPYOS_EXTRA_CFLAGS: clang's own resource directory (its
  # stddef.h, stdint.h, ...), which nixpkgs installs in clang's `lib` output.
  clang = pkgs.llvmPackages.clang-unwrapped;
  clangResourceDir = "${clang.lib}/lib/clang/${lib.versions.major clang.version}";

  # The environment `cargo xtask` reads for the kernel build (also set in the
  # devShell): the kernel workspace uses nightly-only features
  # (RUSTC_BOOTSTRAP) and cargo's fallback resolver; xtask takes the cargo
  # and rustc of the kernel build from PIPYOS_CARGO/PIPYOS_RUSTC (else
  # Debian's /usr/bin ones), the C compiler from PIPYOS_CC and the archiver
  # from PIPYOS_LLVM_AR. The kernel is linked by ld.lld (lld, on PATH).
  xtaskEnv = {
    RUSTC_BOOTSTRAP = "1";
    CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
    PIPYOS_CARGO = lib.getExe' rustToolchain "cargo";
    PIPYOS_RUSTC = lib.getExe' rustToolchain "rustc";
    PIPYOS_CC = lib.getExe' clang "clang";
    PIPYOS_EXTRA_CFLAGS = "-resource-dir=${clangResourceDir}";
    PIPYOS_LLVM_AR = lib.getExe' pkgs.llvmPackages.llvm "llvm-ar";
  };

  # Arguments of the derivations that run `cargo xtask`; PIPYOS_OFFLINE
  # makes xtask pass --offline to the cargo it runs.
  xtaskArgs =
    cargoArgs
    // {
      nativeBuildInputs = [
        pkgs.llvmPackages.lld
        pkgs.llvmPackages.llvm
      ];
      cargoArtifacts = null;
      doInstallCargoArtifacts = false;
      dontFixup = true;
      env = cargoArgs.env // xtaskEnv // {PIPYOS_OFFLINE = "1";};
    };

  # The kernel: kernel.elf (with symbols) and kernel.img (the raw binary the
  # firmware loads at 0x8000). Its version strings carry the revision and the
  # commit time (PIPYOS_GIT_REVISION, SOURCE_DATE_EPOCH; xtask also answers
  # RustPython's build script's git questions from them), so every commit
  # rebuilds it. Panic locations would name the vendored crates and std's
  # sources in the store: xtask remaps those paths (PIPYOS_REMAP_PATH_PREFIXES
  # for the vendored crates), crane's two hooks blank whatever store hashes
  # are left, and allowedReferences fails the build if any reference remains.
  kernel = craneLib.mkCargoDerivation (xtaskArgs
    // {
      pname = "pipyos-kernel";
      src = sources.kernel;
      nativeBuildInputs =
        xtaskArgs.nativeBuildInputs
        ++ [
          craneLib.removeReferencesToVendoredSourcesHook
          craneLib.removeReferencesToRustToolchainHook
        ];
      env =
        xtaskArgs.env
        // {
          PIPYOS_GIT_REVISION = buildInfo.gitRevision;
          SOURCE_DATE_EPOCH = sourceDateEpoch;
          PIPYOS_REMAP_PATH_PREFIXES = "${vendoredDeps}=/cargo/vendor";
        };
      allowedReferences = [];
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
        src = sources.initfs;
        buildPhaseCargoCommand = lib.concatStringsSep " " (
          [''cargo xtask initfs --out "$PWD/initfs.cpio"'']
          ++ map lib.escapeShellArg (
            lib.optionals (app != null) ["--app" "${app}"]
            ++ lib.concatMap (package: ["--packages" "${package}"]) pythonPackages
          )
        );
        env = xtaskArgs.env // {SOURCE_DATE_EPOCH = sourceDateEpoch;};
        # The board cannot use a store path: a package that names one (say a
        # nixpkgs-built script's #! line) fails the build here.
        allowedReferences = [];
        installPhaseCommand = ''
          mkdir -p $out
          cp initfs.cpio $out/
        '';
        meta.description = "PiPyOS initfs archive (Python standard library and packages)";
      });

  initfs = mkInitfs {};

  # pipyos-mkimage, the SD image composer (package pipyos-images of the host
  # workspace), pipyos-initfs, the initfs packer (the emulated tests use it to
  # repack the initfs with test apps), and pipyos-render-text, the host
  # rendering of the screen console (the screen tests compare QEMU with it).
  mkimage = craneLib.buildPackage (cargoArgs
    // {
      pname = "pipyos-mkimage";
      src = sources.host;
      cargoExtraArgs = "--locked --package pipyos-images --package pipyos-initfs --package pipyos-fbconsole";
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
  pythonPackages ? []; config ? {}; data ? null; version ? <this source's
  version>; }`.
  The result is a directory holding pipyos-<version>-rpi1.img and
  nix-support/hydra-build-products (naming the image for Hydra); passthru:
  imageName, imageFile (its full path), kernel, initfs, configTxt, runner.
  It refers to nothing in the store but itself (the hydra-build-products
  line names its own path): allowedReferences fails the build otherwise.
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
    # As `cargo xtask image`: without a revision, no --git-revision.
    revisionArgs = lib.optionals (buildInfo.gitRevision != pipyosLib.unknownRevision) [
      "--git-revision"
      buildInfo.gitRevision
    ];
    # The data partition's files (/data on the board), copied into the store.
    dataArgs = lib.optionals (checked.data != null) [
      "--data"
      "${checked.data}"
    ];
    image =
      pkgs.runCommand "pipyos-sd-image-${version}" {
        nativeBuildInputs = [mkimage];
        env.SOURCE_DATE_EPOCH = sourceDateEpoch;
        allowedReferences = ["out"];
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
          ${lib.escapeShellArgs revisionArgs} \
          ${lib.escapeShellArgs dataArgs} \
          --out-dir $out
        test -f $out/${imageName}
        mkdir -p $out/nix-support
        echo "${pipyosLib.hydraBuildProduct "$out/${imageName}"}" > $out/nix-support/hydra-build-products
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
    sources
    vendoredDeps
    xtaskEnv
    ;
}
