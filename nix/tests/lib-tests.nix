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
    builtins.removeAttrs args ["app" "pkgs" "pythonPackages"]
    // {
      hasApp = args.app != null;
      hasPkgs = (args.pkgs or null) != null;
      pythonPackageCount = builtins.length args.pythonPackages;
    };

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
        pythonPackages = [./fixtures fakeDerivation];
        config.gpu_mem = 16;
        version = "2.0.0-rc.1+g1a2b3c4";
      });
      expected = {
        config.gpu_mem = 16;
        hasApp = true;
        hasPkgs = false;
        pythonPackageCount = 2;
        system = "aarch64-linux";
        version = "2.0.0-rc.1+g1a2b3c4";
      };
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
      expected = ["app" "config" "pythonPackages" "version"];
    };
    bound-args-refuse-system = {
      expr = throws (checkBound {system = "x86_64-linux";});
      expected = true;
    };
    bound-args-refuse-pkgs = {
      expr = throws (checkBound {pkgs = fakePkgs;});
      expected = true;
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
