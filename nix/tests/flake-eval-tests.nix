# Evaluates every output of flake.nix against the stand-in inputs of
# nix/tests/stubs.nix (builtins only) and checks what the derivations would
# run: the project commands, their environment, and how outputs connect.
#   nix-instantiate --eval --strict nix/tests/flake-eval-tests.nix
let
  stubs = import ./stubs.nix;
  pipyosLib = import ../lib.nix;
  flake = import ../../flake.nix;
  example = import ../../examples/downstream-flake/flake.nix;
  unique = builtins.foldl' (seen: value:
    if builtins.elem value seen
    then seen
    else seen ++ [value]) [];

  evalFlake = self:
    flake.outputs {
      inherit self;
      inherit (stubs) nixpkgs crane rust-overlay;
    };
  rev = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
  outputs = evalFlake {
    inherit rev;
    shortRev = "1a2b3c4";
    lastModified = 1767225600;
  };
  dirtyOutputs = evalFlake {
    dirtyRev = "${rev}-dirty";
    dirtyShortRev = "1a2b3c4-dirty";
    lastModified = 1767225600;
  };
  # A `path:` flake: no revision; and a source without a date.
  pathOutputs = evalFlake {lastModified = 1767225600;};
  undatedOutputs = evalFlake {};

  system = "x86_64-linux";
  packages = outputs.packages.${system};
  pipyos = (outputs.overlays.default (stubs.mkPkgs system) {}).pipyos;
  image = packages.sdImage;
  version = pipyosLib.versionFromCargoToml ../../Cargo.toml;
  checks = outputs.checks.${system};
  vmTest = checks.nixos-vm-kvm.stub.args;
  board = vmTest.nodes.board;
  shell = outputs.devShells.${system}.default.stub.args;
  clang = (stubs.mkPkgs system).llvmPackages.clang-unwrapped;

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
      expr = {
        # (Sources hold their filter, a function: compare the store paths.)
        kernel = packages.kernel.stub.args.src.outPath == pipyos.sources.kernel.outPath;
        initfs = packages.initfs.stub.args.src.outPath == pipyos.sources.initfs.outPath;
        mkimage = packages.mkimage.stub.args.src.outPath == pipyos.sources.host.outPath;
        vendorConfigsFrom = packages.kernel.stub.args.cargoVendorDir.stub.args.cargoConfigs;
        bootCheckRunsTestsFrom = contains "${pipyos.sources.tests}/tests/emulated/run_tests.py" checks.boot.stub.args.buildCommand;
        names = map (name: pipyos.sources.${name}.name) ["host" "kernel" "initfs" "tests"];
        roots = map (name: pipyos.sources.${name}.origSrc == ../..) ["host" "kernel" "initfs" "tests"];
        distinct = builtins.length (unique (map (name: pipyos.sources.${name}.outPath) ["host" "kernel" "initfs" "tests"]));
      };
      expected = {
        kernel = true;
        initfs = true;
        mkimage = true;
        vendorConfigsFrom = [];
        bootCheckRunsTestsFrom = true;
        names = ["pipyos-host-source" "pipyos-kernel-source" "pipyos-initfs-source" "pipyos-tests-source"];
        roots = [true true true true];
        distinct = 4;
      };
    };
    # The filters of the sources are nix/lib.nix's, on absolute paths of the
    # repository (cleanSourceWith hands them over as strings).
    source-filters = {
      expr = let
        root = toString ../..;
        decide = name: path: type: pipyos.sources.${name}.filter "${root}/${path}" type;
      in {
        kernel = map (path: decide "kernel" path "regular") [
          "kernel/src/main.rs"
          "fbconsole/fonts/DejaVuSansMono.ttf"
          "nix/packages.nix"
          "initfs/fuzz/Cargo.toml"
          "usbproto/fuzz/Cargo.toml"
          "bench/qemu-plugin/src/lib.rs"
          "python-packages/pipyos/__init__.py"
        ];
        initfs = decide "initfs" "python-packages/pipyos/__init__.py" "regular";
        host = decide "host" "kernel/src/main.rs" "regular";
        tests = decide "tests" "tests/emulated/run_tests.py" "regular";
        fuzzDirectory = decide "kernel" "initfs/fuzz" "directory";
      };
      expected = {
        kernel = [true true false false false false false];
        initfs = true;
        host = false;
        tests = true;
        fuzzDirectory = false;
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
          PIPYOS_CC
          PIPYOS_EXTRA_CFLAGS
          PIPYOS_LLVM_AR
          PIPYOS_OFFLINE
          PIPYOS_GIT_REVISION
          SOURCE_DATE_EPOCH
          PIPYOS_REMAP_PATH_PREFIXES
          ;
      };
      expected = {
        RUSTC_BOOTSTRAP = "1";
        CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
        CARGO_NET_OFFLINE = "true";
        PIPYOS_CARGO = "${pipyos.rustToolchain}/bin/cargo";
        PIPYOS_RUSTC = "${pipyos.rustToolchain}/bin/rustc";
        # The unwrapped clang, with its own resource directory.
        PIPYOS_CC = "${clang}/bin/clang";
        PIPYOS_EXTRA_CFLAGS = "-resource-dir=${clang.lib}/lib/clang/21";
        PIPYOS_LLVM_AR = "/nix/store/00000000000000000000000000000000-llvm/bin/llvm-ar";
        PIPYOS_OFFLINE = "1";
        PIPYOS_GIT_REVISION = "1a2b3c4d5e6f";
        SOURCE_DATE_EPOCH = "1767225600";
        PIPYOS_REMAP_PATH_PREFIXES = "${pipyos.vendoredDeps}=/cargo/vendor";
      };
    };
    # The revision and date of the kernel for each kind of source.
    kernel-build-info = {
      expr =
        map (flakeOutputs: {
          inherit (flakeOutputs.packages.${system}.kernel.stub.args.env) PIPYOS_GIT_REVISION SOURCE_DATE_EPOCH;
        }) [
          outputs
          dirtyOutputs
          pathOutputs
          undatedOutputs
        ];
      expected = [
        {
          PIPYOS_GIT_REVISION = "1a2b3c4d5e6f";
          SOURCE_DATE_EPOCH = "1767225600";
        }
        {
          PIPYOS_GIT_REVISION = "1a2b3c4d5e6f-dirty";
          SOURCE_DATE_EPOCH = "1767225600";
        }
        {
          PIPYOS_GIT_REVISION = "unknown";
          SOURCE_DATE_EPOCH = "1767225600";
        }
        {
          PIPYOS_GIT_REVISION = "unknown";
          SOURCE_DATE_EPOCH = toString pipyosLib.defaultSourceDateEpoch;
        }
      ];
    };
    kernel-tools = {
      expr = map (package: package.name) packages.kernel.stub.args.nativeBuildInputs;
      expected = ["lld" "llvm" "removeReferencesToVendoredSourcesHook" "removeReferencesToRustToolchainHook"];
    };
    # Nothing the board gets may refer to the store; the image only to itself
    # (its hydra-build-products line).
    store-references = {
      expr = {
        kernel = packages.kernel.stub.args.allowedReferences;
        initfs = packages.initfs.stub.args.allowedReferences;
        appInitfs = customImage.initfs.stub.args.allowedReferences;
        image = image.stub.args.allowedReferences;
        customImage = customImage.stub.args.allowedReferences;
      };
      expected = {
        kernel = [];
        initfs = [];
        appInitfs = [];
        image = ["out"];
        customImage = ["out"];
      };
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
        cargoExtraArgs = "--locked --package pipyos-images --package pipyos-initfs --package pipyos-fbconsole";
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
        "'--git-revision' '1a2b3c4d5e6f'"
        "--out-dir $out"
      ];
      expected = map (_: true) [1 2 3 4 5 6 7 8];
    };
    image-revisions = {
      expr = map (flakeOutputs: let
        command = flakeOutputs.packages.${system}.sdImage.stub.args.buildCommand;
      in
        if contains "--git-revision" command
        then builtins.head (builtins.match ".*'--git-revision' '([^']*)'.*" command)
        else null) [outputs dirtyOutputs pathOutputs];
      expected = ["1a2b3c4d5e6f" "1a2b3c4d5e6f-dirty" null];
    };
    image-hydra-build-products = {
      expr = map (needle: contains needle image.stub.args.buildCommand) [
        "mkdir -p $out/nix-support"
        "echo \"file sd-image $out/pipyos-${version}-rpi1.img\" > $out/nix-support/hydra-build-products"
      ];
      expected = [true true];
    };
    source-date = {
      expr = {
        image = image.stub.args.env.SOURCE_DATE_EPOCH;
        initfs = packages.initfs.stub.args.env.SOURCE_DATE_EPOCH;
        kernel = packages.kernel.stub.args.env.SOURCE_DATE_EPOCH;
        # Not in mkimage's inputs: a new commit alone does not rebuild it.
        mkimage = packages.mkimage.stub.args.env ? SOURCE_DATE_EPOCH;
      };
      expected = {
        image = "1767225600";
        initfs = "1767225600";
        kernel = "1767225600";
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
      expected = ["boot" "nix-lib" "nixos-vm-kvm"];
    };
    # A check needs KVM exactly when its name ends in -kvm; the boot check
    # (QEMU's raspi0 in pure emulation) needs none.
    check-kvm-naming = {
      expr = let
        features = check: check.requiredSystemFeatures or check.stub.args.requiredSystemFeatures or [];
        endsInKvm = name: builtins.match ".*-kvm" name != null;
      in {
        consistent = builtins.all (name: endsInKvm name == builtins.elem "kvm" (features checks.${name})) (builtins.attrNames checks);
        boot = features checks.boot;
        vm = builtins.elem "kvm" (features checks.nixos-vm-kvm);
      };
      expected = {
        consistent = true;
        boot = [];
        vm = true;
      };
    };
    check-boot-command = {
      expr = map (needle: contains needle checks.boot.stub.args.buildCommand) [
        "python3 ${pipyos.sources.tests}/tests/emulated/run_tests.py"
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
        hasDriverInteractive = checks.nixos-vm-kvm ? driverInteractive;
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
        # The kernel derivation's compiler settings, so both build alike.
        sameAsKernel = builtins.all (name: shell.${name} == packages.kernel.stub.args.env.${name}) [
          "PIPYOS_CARGO"
          "PIPYOS_RUSTC"
          "PIPYOS_CC"
          "PIPYOS_EXTRA_CFLAGS"
          "PIPYOS_LLVM_AR"
        ];
        offline = shell ? PIPYOS_OFFLINE;
        packages = map (package: package.name) shell.packages;
      };
      expected = {
        RUSTC_BOOTSTRAP = "1";
        CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS = "fallback";
        PIPYOS_CARGO = "${pipyos.rustToolchain}/bin/cargo";
        sameAsKernel = true;
        offline = false;
        packages = ["rust-default-1.96.0" "lld" "llvm" "qemu" "python3" "alejandra" "deadnix"];
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
      expected = ["craneLib" "firmware" "initfs" "kernel" "mkInitfs" "mkRunner" "mkSdImage" "mkimage" "rustToolchain" "sdImage" "sources" "vendoredDeps" "xtaskEnv"];
    };
    # examples/downstream-flake against this checkout, as a `path:` (or
    # git+file:) input or --override-input gives it, and against a source
    # without a revision.
    downstream-example = {
      expr = map (pipyosOutputs: let
        exampleOutputs = example.outputs {
          self = {};
          pipyos = pipyosOutputs;
        };
        exampleImage = exampleOutputs.packages.${system}.default;
      in {
        initfsCommand = exampleImage.initfs.stub.args.buildPhaseCargoCommand;
        configTail = builtins.substring (builtins.stringLength (pipyosLib.renderConfigTxt {hasInitfs = true;})) 100 exampleImage.configTxt.stub.args.text;
        program = exampleOutputs.apps.${system}.default.program == "${exampleImage.runner}/bin/pipyos-run";
        kernel = exampleImage.kernel.outPath == pipyosOutputs.packages.${system}.kernel.outPath;
      }) [outputs pathOutputs];
      expected = let
        one = {
          initfsCommand = "cargo xtask initfs --out \"$PWD/initfs.cpio\" '--app' '${../../examples/downstream-flake/app}'";
          configTail = "gpu_mem=16\n";
          program = true;
          kernel = true;
        };
      in [one one];
    };
    lib-version = {
      expr = outputs.lib.version;
      expected = version;
    };
  }
