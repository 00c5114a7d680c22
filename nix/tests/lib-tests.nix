# Tests of nix/lib.nix, builtins only:
#   nix-instantiate --eval --strict nix/tests/lib-tests.nix
# Evaluates to { passed; failed = 0; tests; } when every test holds, and
# throws a message naming each failed test (with what it got) otherwise.
let
  pipyosLib = import ../lib.nix;
  inherit (pipyosLib) checkMkSdImageArgs imageName renderConfigTxt versionFromCargoToml;

  # True when evaluating `expr` completely throws (or fails an assert).
  throws = expr: !(builtins.tryEval (builtins.deepSeq expr expr)).success;

  check = checkMkSdImageArgs {defaultVersion = "0.1.0";};
  checkBound = checkMkSdImageArgs {
    defaultVersion = "0.1.0";
    acceptsPlatform = false;
  };

  # Stand-ins: a derivation and a package set, without nixpkgs.
  fakeDerivation = {
    type = "derivation";
    name = "fake-package";
    outPath = "/nix/store/00000000000000000000000000000000-fake-package";
  };
  fakePkgs = {stdenv = {};};

  # Arguments as JSON-safe values (paths and package sets left out).
  summary = args:
    builtins.removeAttrs args ["app" "data" "pkgs" "pythonPackages"]
    // {
      hasApp = args.app != null;
      hasData = args.data != null;
      hasPkgs = (args.pkgs or null) != null;
      pythonPackageCount = builtins.length args.pythonPackages;
    };

  # Source-info sets as a flake's `self` has them.
  cleanSource = {
    rev = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
    shortRev = "1a2b3c4";
    lastModified = 1767225600;
  };
  dirtySource = {
    dirtyRev = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b-dirty";
    dirtyShortRev = "1a2b3c4-dirty";
    lastModified = 1767225600;
  };
  # A `path:` flake: a date (its newest file), no revision.
  pathSource = {lastModified = 1767225600;};
  buildInfo = source:
    pipyosLib.buildInfoOf {
      version = "0.1.0";
      inherit source;
    };

  # The source decisions of nix/lib.nix for paths relative to the root.
  inSource = name: path: type: pipyosLib.inSource pipyosLib.sources.${name} path type;
  decide = name: paths: builtins.filter (path: inSource name path "regular") paths;
  # kernel/deps/<path> is a symlink to <path> at the repository root.
  throughDeps = directory: let
    prefix = "kernel/deps/";
  in
    if builtins.substring 0 (builtins.stringLength prefix) directory == prefix
    then builtins.substring (builtins.stringLength prefix) (-1) directory
    else directory;
  decideDirectories = name: paths: builtins.filter (path: inSource name path "directory") paths;

  # The files of this repository that each source holds: a walk that goes
  # only into the directories the filter keeps, as builtins.path would.
  repository = ../..;
  sourceFiles = name: let
    walk = directory: let
      entries = builtins.readDir (
        if directory == ""
        then repository
        else repository + "/${directory}"
      );
      visit = entry: let
        path =
          if directory == ""
          then entry
          else "${directory}/${entry}";
        type = entries.${entry};
      in
        if !inSource name path type
        then []
        else if type == "directory"
        then walk path
        else [path];
    in
      builtins.concatMap visit (builtins.attrNames entries);
  in
    walk "";
  kernelFiles = sourceFiles "kernel";
  hostFiles = sourceFiles "host";
  initfsFiles = sourceFiles "initfs";

  startsWith = prefix: string: builtins.substring 0 (builtins.stringLength prefix) string == prefix;
  endsWith = suffix: string: let
    length = builtins.stringLength string;
    suffixLength = builtins.stringLength suffix;
  in
    length >= suffixLength && builtins.substring (length - suffixLength) suffixLength string == suffix;
  parts = path: builtins.filter builtins.isString (builtins.split "/" path);
  # "kernel/../initfs" -> "initfs"
  normalise = path:
    builtins.concatStringsSep "/" (builtins.foldl' (done: part:
      if part == ".."
      then (builtins.genList (builtins.elemAt done) (builtins.length done - 1))
      else if part == "." || part == ""
      then done
      else done ++ [part]) [] (parts path));

  # The directories of the crates a manifest names by path ([dependencies],
  # [dev-dependencies], [build-dependencies] and [patch.*]), relative to the
  # repository root.
  pathDependencies = directory: let
    manifest = builtins.fromTOML (builtins.readFile (repository + "/${directory}/Cargo.toml"));
    tables =
      map (name: manifest.${name} or {}) ["dependencies" "dev-dependencies" "build-dependencies"]
      ++ builtins.attrValues (manifest.patch or {});
    paths = builtins.concatMap (table:
      builtins.concatMap (name: let
        dependency = table.${name};
      in
        if builtins.isAttrs dependency && dependency ? path
        then [dependency.path]
        else []) (builtins.attrNames table))
    tables;
  in
    map (path: normalise "${directory}/${path}") paths;
  # The manifests in a source (crate roots and nested crates).
  manifestDirectories = files:
    map (path: builtins.dirOf path) (builtins.filter (path: endsWith "/Cargo.toml" path) files);

  rootManifest = builtins.fromTOML (builtins.readFile ../../Cargo.toml);
  workspaceMembers = rootManifest.workspace.members;

  defaultConfigTxt = ''
    # PiPyOS boot configuration (Raspberry Pi 1 / Zero)
    kernel=kernel.img
    kernel_address=0x8000
    initramfs initfs.cpio 0x2000000
    disable_overscan=1
    framebuffer_width=640
    framebuffer_height=480
    framebuffer_depth=16
    enable_uart=1
  '';

  tests = {
    config-default-with-initfs = {
      expr = renderConfigTxt {hasInitfs = true;};
      expected = defaultConfigTxt;
    };
    config-default-without-initfs = {
      expr = renderConfigTxt {hasInitfs = false;};
      expected = builtins.replaceStrings ["initramfs initfs.cpio 0x2000000\n"] [""] defaultConfigTxt;
    };
    config-extra-sorted-after-defaults = {
      expr = renderConfigTxt {
        hasInitfs = true;
        extra = {
          hdmi_mode = 4;
          gpu_mem = 16;
          arm_freq = "700";
        };
      };
      expected = defaultConfigTxt + "arm_freq=700\ngpu_mem=16\nhdmi_mode=4\n";
    };
    config-booleans-are-one-and-zero = {
      expr = renderConfigTxt {
        hasInitfs = false;
        extra = {
          hdmi_safe = true;
          enable_uart = false;
        };
      };
      expected = builtins.replaceStrings ["initramfs initfs.cpio 0x2000000\n"] [""] defaultConfigTxt + "enable_uart=0\nhdmi_safe=1\n";
    };
    config-negative-integer = {
      expr = pipyosLib.renderConfigValue "over_voltage" (-2);
      expected = "-2";
    };
    config-rejects-list = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.dtoverlay = ["a" "b"];
      });
      expected = true;
    };
    config-rejects-attrset = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.dtparam = {audio = "on";};
      });
      expected = true;
    };
    config-rejects-float = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.gpu_mem = 1.5;
      });
      expected = true;
    };
    config-rejects-null = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.gpu_mem = null;
      });
      expected = true;
    };
    config-rejects-line-break = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.gpu_mem = "16\nkernel=other.img";
      });
      expected = true;
    };
    config-rejects-reserved-key = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra.kernel = "other.img";
      });
      expected = true;
    };
    config-rejects-bad-key = {
      expr = throws (renderConfigTxt {
        hasInitfs = true;
        extra."gpu mem" = 16;
      });
      expected = true;
    };

    image-name = {
      expr = imageName "0.1.0";
      expected = "pipyos-0.1.0-rpi1.img";
    };
    version-from-workspace-manifest = {
      expr = versionFromCargoToml ./fixtures/workspace-Cargo.toml;
      expected = "1.2.3-rc.1";
    };
    version-from-package-manifest = {
      expr = versionFromCargoToml ./fixtures/package-Cargo.toml;
      expected = "0.4.0";
    };
    version-missing-throws = {
      expr = throws (versionFromCargoToml ./fixtures/unversioned-Cargo.toml);
      expected = true;
    };
    version-of-this-repository = {
      expr = builtins.match "[0-9]+\\.[0-9]+\\.[0-9]+.*" (versionFromCargoToml ../../Cargo.toml) != null;
      expected = true;
    };

    args-defaults = {
      expr = summary (check {});
      expected = {
        config = {};
        hasApp = false;
        hasData = false;
        hasPkgs = false;
        pythonPackageCount = 0;
        system = "x86_64-linux";
        version = "0.1.0";
      };
    };
    args-all-given = {
      expr = summary (check {
        system = "aarch64-linux";
        app = ./fixtures;
        data = ./fixtures;
        pythonPackages = [./fixtures fakeDerivation];
        config.gpu_mem = 16;
        version = "2.0.0-rc.1+g1a2b3c4";
      });
      expected = {
        config.gpu_mem = 16;
        hasApp = true;
        hasData = true;
        hasPkgs = false;
        pythonPackageCount = 2;
        system = "aarch64-linux";
        version = "2.0.0-rc.1+g1a2b3c4";
      };
    };
    args-data-must-be-a-path = {
      expr = throws (check {data = "not a path";});
      expected = true;
    };
    args-app-is-kept = {
      expr = (check {app = ./fixtures;}).app == ./fixtures;
      expected = true;
    };
    args-pkgs-instead-of-system = {
      expr = summary (check {pkgs = fakePkgs;});
      expected = {
        config = {};
        hasApp = false;
        hasData = false;
        hasPkgs = true;
        pythonPackageCount = 0;
        system = null;
        version = "0.1.0";
      };
    };
    args-not-an-attrset = {
      expr = throws (check "x86_64-linux");
      expected = true;
    };
    args-unknown-name = {
      expr = throws (check {apps = ./fixtures;});
      expected = true;
    };
    args-pkgs-and-system = {
      expr = throws (check {
        pkgs = fakePkgs;
        system = "x86_64-linux";
      });
      expected = true;
    };
    args-pkgs-not-a-package-set = {
      expr = throws (check {pkgs = "nixpkgs";});
      expected = true;
    };
    args-unsupported-system = {
      expr = throws (check {system = "x86_64-darwin";});
      expected = true;
    };
    args-app-string = {
      expr = throws (check {app = "./app";});
      expected = true;
    };
    args-app-derivation = {
      expr = throws (check {app = fakeDerivation;});
      expected = true;
    };
    args-python-packages-not-a-list = {
      expr = throws (check {pythonPackages = ./fixtures;});
      expected = true;
    };
    args-python-packages-string-element = {
      expr = throws (check {pythonPackages = [./fixtures "lib/python"];});
      expected = true;
    };
    args-config-list-value = {
      expr = throws (check {config.dtoverlay = ["a"];});
      expected = true;
    };
    args-config-not-an-attrset = {
      expr = throws (check {config = "gpu_mem=16";});
      expected = true;
    };
    args-version-empty = {
      expr = throws (check {version = "";});
      expected = true;
    };
    args-version-with-space = {
      expr = throws (check {version = "1.0 beta";});
      expected = true;
    };
    args-version-with-slash = {
      expr = throws (check {version = "../1.0";});
      expected = true;
    };
    args-version-not-a-string = {
      expr = throws (check {version = 1;});
      expected = true;
    };
    bound-args-drop-platform = {
      expr = builtins.attrNames (checkBound {app = ./fixtures;});
      expected = ["app" "config" "data" "pythonPackages" "version"];
    };
    bound-args-refuse-system = {
      expr = throws (checkBound {system = "x86_64-linux";});
      expected = true;
    };
    bound-args-refuse-pkgs = {
      expr = throws (checkBound {pkgs = fakePkgs;});
      expected = true;
    };

    build-info-clean = {
      expr = buildInfo cleanSource;
      expected = {
        version = "0.1.0";
        gitRevision = "1a2b3c4d5e6f";
        sourceDateEpoch = 1767225600;
      };
    };
    build-info-dirty = {
      expr = (buildInfo dirtySource).gitRevision;
      expected = "1a2b3c4d5e6f-dirty";
    };
    build-info-without-revision = {
      expr = buildInfo pathSource;
      expected = {
        version = "0.1.0";
        gitRevision = "unknown";
        sourceDateEpoch = 1767225600;
      };
    };
    build-info-without-date = {
      expr = map (source: (buildInfo source).sourceDateEpoch) [{} {lastModified = 0;}];
      expected = [pipyosLib.defaultSourceDateEpoch pipyosLib.defaultSourceDateEpoch];
    };
    build-info-rev-wins-over-dirty-rev = {
      expr = (buildInfo (cleanSource // {inherit (dirtySource) dirtyRev;})).gitRevision;
      expected = "1a2b3c4d5e6f";
    };
    build-info-revision-is-12-hex-digits = {
      expr = map (source: builtins.match "[0-9a-f]{12}(-dirty)?" (buildInfo source).gitRevision != null) [cleanSource dirtySource];
      expected = [true true];
    };
    build-info-revision-length = {
      expr = pipyosLib.revisionLength;
      expected = 12;
    };
    build-info-bad-revision-throws = {
      expr = throws (buildInfo {rev = "not-a-revision";});
      expected = true;
    };

    hydra-build-product = {
      expr = pipyosLib.hydraBuildProduct "/nix/store/00000000000000000000000000000000-image/pipyos-0.1.0-rpi1.img";
      expected = "file sd-image /nix/store/00000000000000000000000000000000-image/pipyos-0.1.0-rpi1.img";
    };

    # Which files rebuild the kernel (nix/README.md, "What rebuilds what").
    kernel-source-keeps = {
      expr = decide "kernel" [
        "Cargo.toml"
        "Cargo.lock"
        ".cargo/config.toml"
        "kernel/Cargo.toml"
        "kernel/Cargo.lock"
        "kernel/build.rs"
        "kernel/kernel.ld"
        "kernel/armv6-pipy.json"
        "kernel/src/main.rs"
        "kernel/src/python/startup.py"
        "kernel/placeholders/socket2/Cargo.toml"
        "kernel/placeholders/socket2/src/lib.rs"
        "kernel/patches/rustpython-derive/Cargo.toml"
        "kernel/patches/rustpython-derive/src/lib.rs"
        "patches/rustpython-derive/Cargo.toml"
        "patches/rustpython-derive/src/lib.rs"
        "xtask/Cargo.toml"
        "xtask/src/main.rs"
        "initfs/src/lib.rs"
        "initfs/tests/packer.rs"
        "images/src/lib.rs"
        "lineedit/src/lib.rs"
        "rtsched/src/lib.rs"
        "rawrepl/src/lib.rs"
        "vfscore/src/lib.rs"
        "fbconsole/src/lib.rs"
        "fbconsole/fonts/DejaVuSansMono.ttf"
        "fbconsole/fonts/LICENSE-DejaVu.txt"
        "usbproto/src/lib.rs"
        "usbproto/src/fuzz/mod.rs"
        "bcm2835/src/lib.rs"
        "bcm2835/src/tests/mod.rs"
        "bench/qemu-plugin/Cargo.toml"
      ];
      expected = [
        "Cargo.toml"
        "Cargo.lock"
        ".cargo/config.toml"
        "kernel/Cargo.toml"
        "kernel/Cargo.lock"
        "kernel/build.rs"
        "kernel/kernel.ld"
        "kernel/armv6-pipy.json"
        "kernel/src/main.rs"
        "kernel/src/python/startup.py"
        "kernel/placeholders/socket2/Cargo.toml"
        "kernel/placeholders/socket2/src/lib.rs"
        "kernel/patches/rustpython-derive/Cargo.toml"
        "kernel/patches/rustpython-derive/src/lib.rs"
        "patches/rustpython-derive/Cargo.toml"
        "patches/rustpython-derive/src/lib.rs"
        "xtask/Cargo.toml"
        "xtask/src/main.rs"
        "initfs/src/lib.rs"
        "initfs/tests/packer.rs"
        "images/src/lib.rs"
        "lineedit/src/lib.rs"
        "rtsched/src/lib.rs"
        "rawrepl/src/lib.rs"
        "vfscore/src/lib.rs"
        "fbconsole/src/lib.rs"
        "fbconsole/fonts/DejaVuSansMono.ttf"
        "fbconsole/fonts/LICENSE-DejaVu.txt"
        "usbproto/src/lib.rs"
        "usbproto/src/fuzz/mod.rs"
        "bcm2835/src/lib.rs"
        "bcm2835/src/tests/mod.rs"
        "bench/qemu-plugin/Cargo.toml"
      ];
    };
    kernel-source-leaves-out = {
      expr = decide "kernel" [
        "README.md"
        "DESIGN.md"
        "flake.nix"
        "flake.lock"
        ".gitignore"
        ".cargo/credentials.toml"
        "nix/packages.nix"
        "nix/README.md"
        "nix/rust-std-Cargo.lock"
        "nix/tests/fixtures/workspace-Cargo.toml"
        "nix/tools/alejandra-check/Cargo.toml"
        "nix/tools/alejandra-check/src/main.rs"
        "initfs/fuzz/Cargo.toml"
        "initfs/fuzz/Cargo.lock"
        "initfs/fuzz/fuzz_targets/reader.rs"
        "initfs/fuzz/seeds/newc.cpio"
        "usbproto/fuzz/Cargo.toml"
        "usbproto/fuzz/fuzz_targets/descriptor.rs"
        "bench/README.md"
        "bench/run_bench.py"
        "bench/qemu-plugin/src/lib.rs"
        "tests/emulated/run_tests.py"
        "python-packages/pipyos/__init__.py"
        "examples/downstream-flake/flake.nix"
        "examples/downstream-flake/app/main.py"
        "scripts/setup-debian.sh"
        ".ci/run"
        "kernel/README.md"
        "kernel/placeholders/README.md"
        "patches/rustpython-derive/README.md"
        "initfs/README.md"
        "target/release/xtask"
        "kernel/target/armv6-pipy/release/pipyos-kernel"
        "patches/rustpython-derive/target/debug/build.log"
        "lineedit/target/debug/liblineedit.rlib"
        "images/Cargo.toml.orig.md"
        "other-crate/src/lib.rs"
      ];
      expected = [];
    };
    kernel-source-directories = {
      expr = decideDirectories "kernel" [
        "kernel"
        "kernel/src"
        "patches"
        "bench"
        "bench/qemu-plugin"
        ".cargo"
        "fbconsole/fonts"
        "nix"
        "nix/tools"
        "initfs/fuzz"
        "usbproto/fuzz"
        "bench/qemu-plugin/src"
        "tests"
        "examples"
        "target"
        "kernel/target"
        ".git"
      ];
      expected = ["kernel" "kernel/src" "patches" "bench" "bench/qemu-plugin" ".cargo" "fbconsole/fonts"];
    };
    initfs-source-adds-python-packages = {
      expr = decide "initfs" [
        "kernel/src/main.rs"
        "python-packages/pipyos/__init__.py"
        "python-packages/README.md"
        "python-packages/examples/hello.py"
        "tests/emulated/run_tests.py"
        "nix/packages.nix"
      ];
      expected = [
        "kernel/src/main.rs"
        "python-packages/pipyos/__init__.py"
        "python-packages/README.md"
        "python-packages/examples/hello.py"
      ];
    };
    host-source-is-the-host-workspace = {
      expr = decide "host" [
        "Cargo.toml"
        "images/src/lib.rs"
        "initfs/src/main.rs"
        "fbconsole/fonts/DejaVuSansMono.ttf"
        "bench/qemu-plugin/Cargo.toml"
        "kernel/src/main.rs"
        "kernel/Cargo.lock"
        "patches/rustpython-derive/src/lib.rs"
        "python-packages/pipyos/__init__.py"
      ];
      expected = [
        "Cargo.toml"
        "images/src/lib.rs"
        "initfs/src/main.rs"
        "fbconsole/fonts/DejaVuSansMono.ttf"
        "bench/qemu-plugin/Cargo.toml"
      ];
    };
    tests-source-is-tests = {
      expr = decide "tests" [
        "tests/emulated/run_tests.py"
        "tests/emulated/app/main.py"
        "kernel/src/main.rs"
        "nix/checks/boot.nix"
      ];
      expected = ["tests/emulated/run_tests.py" "tests/emulated/app/main.py"];
    };
    source-filter-takes-absolute-paths = {
      expr = let
        filter = pipyosLib.sourceFilter pipyosLib.sources.kernel "/nix/store/00000000000000000000000000000000-source";
      in [
        (filter "/nix/store/00000000000000000000000000000000-source/kernel/src/main.rs" "regular")
        (filter "/nix/store/00000000000000000000000000000000-source/nix/packages.nix" "regular")
        (filter "/nix/store/00000000000000000000000000000000-source-other/kernel/src/main.rs" "regular")
        (filter "/elsewhere/kernel/src/main.rs" "regular")
      ];
      expected = [true false false false];
    };

    # The same decisions over this repository's files.
    repository-kernel-source-has-its-inputs = {
      expr = builtins.filter (path: builtins.pathExists (repository + "/${path}") && !builtins.elem path kernelFiles) [
        "Cargo.toml"
        "Cargo.lock"
        ".cargo/config.toml"
        "kernel/Cargo.toml"
        "kernel/Cargo.lock"
        "kernel/build.rs"
        "kernel/kernel.ld"
        "kernel/armv6-pipy.json"
        "kernel/src/main.rs"
        "fbconsole/fonts/DejaVuSansMono.ttf"
        "bench/qemu-plugin/Cargo.toml"
        "xtask/src/main.rs"
      ];
      expected = [];
    };
    repository-kernel-source-has-nothing-else = {
      expr = builtins.filter (path:
        builtins.any (prefix: startsWith prefix path) [
          "nix/"
          "examples/"
          "tests/"
          "python-packages/"
          "scripts/"
          ".ci/"
          "target/"
          "kernel/target/"
          "initfs/fuzz/"
          "usbproto/fuzz/"
          "bench/qemu-plugin/src/"
          "bench/run_bench.py"
          "flake."
          ".git/"
        ]
        || endsWith ".md" path)
      kernelFiles;
      expected = [];
    };
    repository-initfs-source-has-python-packages = {
      expr = builtins.filter (path: startsWith "python-packages/" path) initfsFiles != [];
      expected = true;
    };
    repository-host-source-has-no-kernel = {
      expr = builtins.filter (path: startsWith "kernel/" path || startsWith "patches/" path) hostFiles;
      expected = [];
    };
    # Each crate the kernel source holds finds the crates it names by path
    # (dependencies and [patch] entries) in it too: a new path dependency
    # outside `sources.kernel` fails here, not in a Nix build.
    # The kernel reaches the host crates through kernel/deps/<crate>, symlinks
    # to ../../<crate> (so that cargo hashes their paths relative to the kernel
    # workspace): the crate behind each must be in the source, and the
    # symlinks themselves are kept.
    repository-kernel-path-dependencies-in-source = {
      expr = builtins.filter (directory: !builtins.elem "${throughDeps directory}/Cargo.toml" kernelFiles) (
        builtins.concatMap pathDependencies (manifestDirectories kernelFiles)
      );
      expected = [];
    };
    repository-kernel-deps-symlinks-kept = {
      expr = builtins.filter (name: !inSource "kernel" "kernel/deps/${name}" "symlink") (
        builtins.attrNames (builtins.readDir (repository + "/kernel/deps"))
      );
      expected = [];
    };
    repository-host-path-dependencies-in-source = {
      expr = builtins.filter (directory: !builtins.elem "${directory}/Cargo.toml" hostFiles) (
        builtins.concatMap pathDependencies (manifestDirectories hostFiles)
      );
      expected = [];
    };
    # Every member of the host workspace is a crate of the sources, or only
    # its manifest is (bench/qemu-plugin): then every target it has must name
    # its path, or cargo would look for (missing) sources when it loads the
    # workspace.
    repository-workspace-members-covered = {
      expr =
        builtins.filter (member: !builtins.elem member pipyosLib.hostCrates && !builtins.elem "${member}/Cargo.toml" pipyosLib.sources.host.manifests)
        workspaceMembers;
      expected = [];
    };
    repository-manifest-only-members-name-their-paths = {
      expr = builtins.filter (file: let
        manifest = builtins.fromTOML (builtins.readFile (repository + "/${file}"));
        targets = builtins.concatMap (kind: manifest.${kind} or []) ["bin" "example" "test" "bench"];
      in
        !(manifest ? lib && manifest.lib ? path)
        || builtins.any (target: !(target ? path)) targets
        || builtins.pathExists (repository + "/${builtins.dirOf file}/build.rs"))
      pipyosLib.sources.host.manifests;
      expected = [];
    };

    supported-systems = {
      expr = pipyosLib.supportedSystems;
      expected = ["x86_64-linux" "aarch64-linux"];
    };
    default-system-is-supported = {
      expr = builtins.elem pipyosLib.defaultSystem pipyosLib.supportedSystems;
      expected = true;
    };
  };
in
  import ./harness.nix "nix/lib.nix" tests
