# Evaluates every output of flake.nix against the stand-in inputs of
# nix/tests/stubs.nix (builtins only) and checks what the derivations would
# run: the project commands, their environment, and how outputs connect.
#   nix-instantiate --eval --strict nix/tests/flake-eval-tests.nix
let
  stubs = import ./stubs.nix;
  pipyosLib = import ../lib.nix;
  flake = import ../../flake.nix;

  evalFlake = self:
    flake.outputs {
      inherit self;
      inherit (stubs) nixpkgs crane rust-overlay;
    };
  outputs = evalFlake {
    shortRev = "1a2b3c4";
    lastModified = 1767225600;
  };
  dirtyOutputs = evalFlake {
    dirtyShortRev = "1a2b3c4-dirty";
    lastModified = 1767225600;
  };

  system = "x86_64-linux";
  packages = outputs.packages.${system};
  pipyos = (outputs.overlays.default (stubs.mkPkgs system) {}).pipyos;
  image = packages.sdImage;
  version = pipyosLib.versionFromCargoToml ../../Cargo.toml;
  checks = outputs.checks.${system};
  vmTest = checks.nixos-vm.stub.args;
  board = vmTest.nodes.board;
  shell = outputs.devShells.${system}.default.stub.args;

  contains = needle: haystack: builtins.replaceStrings [needle] [""] haystack != haystack;
  throws = expr: !(builtins.tryEval (builtins.deepSeq expr expr)).success;

  fakePackage = {
    type = "derivation";
    name = "extra-python-package";
    outPath = "/nix/store/11111111111111111111111111111111-extra-python-package";
  };
  customImage = outputs.lib.mkSdImage {
    inherit system;
    config.gpu_mem = 16;
    pythonPackages = [fakePackage];
    version = "9.9.9-test";
  };
in
  import ./harness.nix "flake.nix outputs (stub inputs)" {
    systems = {
      expr = map (name: builtins.attrNames outputs.${name}) ["apps" "checks" "devShells" "formatter" "packages"];
      expected = map (_: ["aarch64-linux" "x86_64-linux"]) [1 2 3 4 5];
    };
    package-names = {
      expr = builtins.attrNames packages;
      expected = ["default" "initfs" "kernel" "mkimage" "sdImage"];
    };
    default-is-sd-image = {
      expr = packages.default.outPath == image.outPath;
      expected = true;
    };
    everything-evaluates = {
      expr = builtins.deepSeq [outputs.packages outputs.apps outputs.checks outputs.devShells outputs.formatter] true;
      expected = true;
    };

    sources = {
      expr = let
        src = stubs.showFileset pipyos.src.stub.args.fileset;
        testSrc = stubs.showFileset pipyos.testSrc.stub.args.fileset;
        root = toString ../..;
      in {
        cargoBuildsUseSrc = map (package: package.stub.args.src.outPath == pipyos.src.outPath) [packages.kernel packages.initfs packages.mkimage];
        srcHasKernel = contains "${root}/kernel " src;
        srcHasPythonPackages = contains "${root}/python-packages}" src;
        srcHasTests = contains "${root}/tests" src;
        testSrcHasTests = contains "${root}/tests" testSrc;
        differ = pipyos.src.outPath != pipyos.testSrc.outPath;
      };
      expected = {
        cargoBuildsUseSrc = [true true true];
        srcHasKernel = true;
        srcHasPythonPackages = true;
        srcHasTests = false;
        testSrcHasTests = true;
        differ = true;
      };
    };
    kernel-command = {
      expr = packages.kernel.stub.args.buildPhaseCargoCommand;
      expected = ''cargo xtask kernel --out-dir "$PWD/kernel-out"'';
    };
    kernel-environment = {
      expr = {
        inherit
          (packages.kernel.stub.args.env)
          RUSTC_BOOTSTRAP
          CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS
          CARGO_NET_OFFLINE
          PIPYOS_CARGO
          PIPYOS_RUSTC
          PIPYOS_LLVM_AR
          PIPYOS_OFFLINE
          ;
      };
      expected = {
        RUSTC_BOOTSTRAP = "1";
        CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
        CARGO_NET_OFFLINE = "true";
        PIPYOS_CARGO = "${pipyos.rustToolchain}/bin/cargo";
        PIPYOS_RUSTC = "${pipyos.rustToolchain}/bin/rustc";
        PIPYOS_LLVM_AR = "/nix/store/00000000000000000000000000000000-llvm/bin/llvm-ar";
        PIPYOS_OFFLINE = "1";
      };
    };
    kernel-tools = {
      expr = map (package: package.name) packages.kernel.stub.args.nativeBuildInputs;
      expected = ["clang-wrapper" "lld" "llvm"];
    };
    vendored-from-three-locks = {
      expr = map baseNameOf packages.kernel.stub.args.cargoVendorDir.stub.args.cargoLockList;
      expected = ["Cargo.lock" "Cargo.lock" "rust-std-Cargo.lock"];
    };
    toolchain = {
      expr = {
        inherit (pipyos.rustToolchain) name;
        inherit (pipyos.rustToolchain.stub.args) extensions;
      };
      expected = {
        name = "rust-default-${pipyosLib.rustVersion}";
        extensions = ["rust-src" "clippy" "rustfmt"];
      };
    };
    initfs-command = {
      expr = packages.initfs.stub.args.buildPhaseCargoCommand;
      expected = ''cargo xtask initfs --out "$PWD/initfs.cpio"'';
    };
    mkimage-package = {
      expr = {
        inherit (packages.mkimage.stub.args) cargoExtraArgs;
        inherit (packages.mkimage.meta) mainProgram;
      };
      expected = {
        cargoExtraArgs = "--locked --package pipyos-images --package pipyos-initfs";
        mainProgram = "pipyos-mkimage";
      };
    };

    image-command = {
      expr = map (needle: contains needle image.stub.args.buildCommand) [
        "pipyos-mkimage build"
        "--kernel ${packages.kernel}/kernel.img"
        "--initfs ${packages.initfs}/initfs.cpio"
        "--firmware /nix/store/00000000000000000000000000000000-raspberrypi-firmware/share/raspberrypi/boot"
        "--config ${image.configTxt}"
        "--version '${version}'"
        "--git-revision '1a2b3c4'"
        "--out-dir $out"
      ];
      expected = map (_: true) [1 2 3 4 5 6 7 8];
    };
    image-dirty-revision = {
      expr = contains "--git-revision '1a2b3c4-dirty'" dirtyOutputs.packages.${system}.sdImage.stub.args.buildCommand;
      expected = true;
    };
    source-date = {
      expr = {
        image = image.stub.args.env.SOURCE_DATE_EPOCH;
        initfs = packages.initfs.stub.args.env.SOURCE_DATE_EPOCH;
        # Not in the kernel's or mkimage's inputs: a new commit alone must
        # not rebuild them.
        kernel = packages.kernel.stub.args.env ? SOURCE_DATE_EPOCH;
        mkimage = packages.mkimage.stub.args.env ? SOURCE_DATE_EPOCH;
      };
      expected = {
        image = "1767225600";
        initfs = "1767225600";
        kernel = false;
        mkimage = false;
      };
    };
    image-file = {
      expr = image.imageFile;
      expected = "${image}/pipyos-${version}-rpi1.img";
    };
    image-config-txt = {
      expr = image.configTxt.stub.args.text;
      expected = pipyosLib.renderConfigTxt {hasInitfs = true;};
    };

    app-runs-the-image = {
      expr = {
        inherit (outputs.apps.${system}.default) type program;
        image = image.runner.stub.args.runtimeEnv.PIPYOS_DEFAULT_IMAGE;
        script = image.runner.stub.args.text == builtins.readFile ../run-image.sh;
      };
      expected = {
        type = "app";
        program = "${image.runner}/bin/pipyos-run";
        image = image.imageFile;
        script = true;
      };
    };

    check-names = {
      expr = builtins.attrNames checks;
      expected = ["boot" "nix-lib" "nixos-vm"];
    };
    check-boot-command = {
      expr = map (needle: contains needle checks.boot.stub.args.buildCommand) [
        "python3 ${pipyos.testSrc}/tests/emulated/run_tests.py"
        "--image ${image.imageFile}"
        "--mkimage ${packages.mkimage}/bin/pipyos-mkimage"
        "--qemu qemu-system-arm"
      ];
      expected = [true true true true];
    };
    check-nixos-vm = {
      expr = {
        inherit (board.virtualisation) memorySize;
        hasQemu = builtins.elem "qemu" (map (package: package.name) board.environment.systemPackages);
        runsImage = contains "${image.runner}/bin/pipyos-run --serial unix:" board.systemd.services.pipyos-board.serviceConfig.ExecStart;
        talksToRepl = contains "expect '>>> ' send '1+1' expect-line 2" vmTest.testScript;
        hasDriverInteractive = checks.nixos-vm ? driverInteractive;
      };
      expected = {
        memorySize = 2048;
        hasQemu = true;
        runsImage = true;
        talksToRepl = true;
        hasDriverInteractive = true;
      };
    };
    check-nix-lib = {
      expr = let
        results = builtins.fromJSON checks.nix-lib.stub.args.text;
      in [results.lib.failed results.flake.failed];
      expected = [0 0];
    };

    dev-shell = {
      expr = {
        inherit (shell) RUSTC_BOOTSTRAP CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS PIPYOS_CARGO;
        packages = map (package: package.name) shell.packages;
      };
      expected = {
        RUSTC_BOOTSTRAP = "1";
        CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
        PIPYOS_CARGO = "${pipyos.rustToolchain}/bin/cargo";
        packages = ["rust-default-1.96.0" "clang-wrapper" "lld" "llvm" "qemu" "python3" "alejandra" "deadnix"];
      };
    };
    formatter = {
      expr = outputs.formatter.${system}.name;
      expected = "alejandra";
    };

    mk-sd-image-custom = {
      expr = {
        configTail = builtins.substring (builtins.stringLength (pipyosLib.renderConfigTxt {hasInitfs = true;})) 100 customImage.configTxt.stub.args.text;
        initfsCommand = customImage.initfs.stub.args.buildPhaseCargoCommand;
        imageFile = customImage.imageFile;
      };
      expected = {
        configTail = "gpu_mem=16\n";
        initfsCommand = "cargo xtask initfs --out \"$PWD/initfs.cpio\" '--packages' '${fakePackage}'";
        imageFile = "${customImage}/pipyos-9.9.9-test-rpi1.img";
      };
    };
    mk-sd-image-with-pkgs = {
      expr = (outputs.lib.mkSdImage {pkgs = stubs.mkPkgs "aarch64-linux";}).system;
      expected = "aarch64-linux";
    };
    mk-sd-image-checks-arguments = {
      expr = map throws [
        (outputs.lib.mkSdImage {image = "x";})
        (outputs.lib.mkSdImage {config.kernel = "other.img";})
        (pipyos.mkSdImage {inherit system;})
      ];
      expected = [true true true];
    };
    overlay-package-set = {
      expr = builtins.attrNames pipyos;
      expected = ["craneLib" "firmware" "initfs" "kernel" "mkInitfs" "mkRunner" "mkSdImage" "mkimage" "rustToolchain" "sdImage" "src" "testSrc" "vendoredDeps"];
    };
    lib-version = {
      expr = outputs.lib.version;
      expected = version;
    };
  }
