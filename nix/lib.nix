# Pure helpers of PiPyOS's Nix layer: builtins only (no nixpkgs), so they are
# evaluated and tested anywhere with `nix-instantiate --eval --strict`.
# The flake (flake.nix) and the package set (nix/packages.nix) use them; the
# tests live in nix/tests/lib-tests.nix.
let
  inherit
    (builtins)
    attrNames
    concatStringsSep
    deepSeq
    elem
    filter
    fromTOML
    head
    isAttrs
    isBool
    isInt
    isList
    isPath
    isString
    length
    match
    readFile
    removeAttrs
    toString
    typeOf
    ;

  /*
  Host systems the flake builds on (the image itself is always for the Pi 1).
  */
  supportedSystems = ["x86_64-linux" "aarch64-linux"];

  /*
  The system `mkSdImage` builds on when given neither `pkgs` nor `system`.
  */
  defaultSystem = "x86_64-linux";

  /*
  Rust release of the build toolchain (rust-overlay). nix/rust-std-Cargo.lock
  is that release's `library/Cargo.lock` (rust-src): change both together.
  */
  rustVersion = "1.96.0";

  /*
  SOURCE_DATE_EPOCH when the flake source has no date: 1980-01-01, the
  earliest time a FAT directory entry can hold (and nixpkgs' own default).
  */
  defaultSourceDateEpoch = 315532800;

  /*
  File name of the SD image that `pipyos-mkimage build` writes.
  */
  imageName = version: "pipyos-${version}-rpi1.img";

  /*
  `[workspace.package] version` (or `[package] version`) of a Cargo.toml.
  */
  versionFromCargoToml = path: let
    manifest = fromTOML (readFile path);
  in
    manifest.workspace.package.version
    or manifest.package.version
    or (throw "pipyos: ${toString path} has neither [workspace.package] nor [package] version");

  isDerivation = value: isAttrs value && (value.type or null) == "derivation";

  showList = names: concatStringsSep ", " names;

  # config.txt lines that the image composer owns: they follow from the image
  # layout, so `config` may not set them.
  reservedConfigKeys = ["initramfs" "kernel" "kernel_address"];

  /*
  config.txt text of a PiPyOS image: the defaults that `pipyos-mkimage`
  renders itself (render_config_txt in images/src/config.rs: keep the two
  texts equal), then one `key=value` line per `extra` attribute, sorted by
  key. Booleans become 1/0; lists, attribute sets and other types throw.
  Later lines win in config.txt, so `extra` may override a default such as
  framebuffer_width, but not the reserved keys above.
  */
  renderConfigTxt = {
    hasInitfs,
    extra ? {},
  }: let
    defaults =
      [
        "# PiPyOS boot configuration (Raspberry Pi 1 / Zero)"
        "kernel=kernel.img"
        "kernel_address=0x8000"
      ]
      ++ (
        if hasInitfs
        then ["initramfs initfs.cpio 0x2000000"]
        else []
      )
      ++ [
        "disable_overscan=1"
        "framebuffer_width=640"
        "framebuffer_height=480"
        "framebuffer_depth=16"
        "enable_uart=1"
      ];
    checked = checkConfig extra;
    extraLines = map (key: "${key}=${renderConfigValue key checked.${key}}") (attrNames checked);
  in
    concatStringsSep "\n" (defaults ++ extraLines) + "\n";

  /*
  One config.txt value as text: strings as they are (one line), integers in
  decimal, booleans as 1/0.
  */
  renderConfigValue = key: value:
    if isBool value
    then
      (
        if value
        then "1"
        else "0"
      )
    else if isInt value
    then toString value
    else if isString value
    then
      (
        if match "[^\n\r]*" value != null
        then value
        else throw "pipyos: config.${key} must be a single line, but it contains a line break"
      )
    else throw "pipyos: config.${key} must be a string, an integer or a boolean, not a ${typeOf value}";

  # The `config` attribute set, returned unchanged once every key and value
  # has been checked.
  checkConfig = config: let
    keys = attrNames config;
    badKeys = filter (key: match "[A-Za-z0-9_]+" key == null) keys;
    reserved = filter (key: elem key reservedConfigKeys) keys;
  in
    if !isAttrs config || isDerivation config
    then throw "pipyos: config must be an attribute set of config.txt keys, not a ${typeOf config}"
    else if badKeys != []
    then throw "pipyos: config keys may only hold letters, digits and _: ${showList badKeys}"
    else if reserved != []
    then throw "pipyos: config may not set ${showList reserved}: the image layout determines them"
    # Rendering every value once makes a bad value throw here.
    else deepSeq (map (key: renderConfigValue key config.${key}) keys) config;

  mkSdImageArgNames = ["app" "config" "pkgs" "pythonPackages" "system" "version"];
  platformArgNames = ["pkgs" "system"];

  /*
  Checks the arguments of `mkSdImage` and returns them with their defaults:
    pkgs           ? null            a nixpkgs package set to build with
    system         ? "x86_64-linux"  or a host system (not both)
    app            ? null            a path: the application directory
    pythonPackages ? []              paths or derivations: package directories
    config         ? {}              extra config.txt keys (scalars)
    version        ? defaultVersion  image version, [A-Za-z0-9._+-]+
  With `acceptsPlatform = false` (a package set that is already bound to one
  nixpkgs) `pkgs` and `system` are refused and left out of the result.
  */
  checkMkSdImageArgs = {
    defaultVersion,
    acceptsPlatform ? true,
  }: args: let
    allowed =
      if acceptsPlatform
      then mkSdImageArgNames
      else filter (name: !elem name platformArgNames) mkSdImageArgNames;
    unknown = filter (name: !elem name allowed) (attrNames args);

    pkgs = args.pkgs or null;
    system = args.system or null;
    app = args.app or null;
    pythonPackages = args.pythonPackages or [];
    config = args.config or {};
    version = args.version or defaultVersion;

    shownVersion =
      if isString version
      then "\"${version}\""
      else "a ${typeOf version}";

    badPackages = filter (package: !(isPath package || isDerivation package)) pythonPackages;

    checked = {
      pkgs =
        if pkgs == null || (isAttrs pkgs && pkgs ? stdenv)
        then pkgs
        else throw "pipyos: mkSdImage's pkgs must be a nixpkgs package set, not a ${typeOf pkgs}";
      system =
        if pkgs != null
        then null
        else if system == null
        then defaultSystem
        else if isString system && elem system supportedSystems
        then system
        else throw "pipyos: mkSdImage's system must be one of ${showList supportedSystems}";
      app =
        if app == null || isPath app
        then app
        else throw "pipyos: mkSdImage's app must be a path (e.g. ./app) or null, not a ${typeOf app}";
      pythonPackages =
        if !isList pythonPackages
        then throw "pipyos: mkSdImage's pythonPackages must be a list, not a ${typeOf pythonPackages}"
        else if length badPackages == 0
        then pythonPackages
        else throw "pipyos: mkSdImage's pythonPackages must hold paths or derivations, not a ${typeOf (head badPackages)}";
      config = checkConfig config;
      version =
        if isString version && match "[A-Za-z0-9._+-]+" version != null
        then version
        else throw "pipyos: mkSdImage's version must be a non-empty string of [A-Za-z0-9._+-], got ${shownVersion}";
    };
  in
    if !isAttrs args
    then throw "pipyos: mkSdImage takes an attribute set of arguments, not a ${typeOf args}"
    else if unknown != []
    then throw "pipyos: mkSdImage got unknown argument(s) ${showList unknown}; allowed: ${showList allowed}"
    else if acceptsPlatform && pkgs != null && system != null
    then throw "pipyos: mkSdImage takes either pkgs or system, not both"
    else if acceptsPlatform
    then checked
    else removeAttrs checked platformArgNames;
in {
  inherit
    checkMkSdImageArgs
    defaultSourceDateEpoch
    defaultSystem
    imageName
    renderConfigTxt
    renderConfigValue
    reservedConfigKeys
    rustVersion
    supportedSystems
    versionFromCargoToml
    ;
}
