# Pure helpers of PiPyOS's Nix layer: builtins only (no nixpkgs), so they are
# evaluated and tested anywhere with `nix-instantiate --eval --strict`.
# The flake (flake.nix) and the package set (nix/packages.nix) use them; the
# tests live in nix/tests/lib-tests.nix.
let
  inherit
    (builtins)
    any
    attrNames
    concatStringsSep
    deepSeq
    elem
    filter
    foldl'
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
    split
    stringLength
    substring
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
  Length of the git revision in every build fact: the form of
  `git rev-parse --short=12 HEAD`, as `cargo xtask` writes it
  (REVISION_LENGTH in xtask/src/buildinfo.rs).
  */
  revisionLength = 12;

  /*
  The revision of a source that has none (a `path:` flake, a tarball without
  `rev`): what `cargo xtask` says outside a git checkout.
  */
  unknownRevision = "unknown";

  /*
  What a build records about its source, from a flake's `self` (or any
  source-info set with rev / dirtyRev / lastModified):
    version          the PiPyOS version, as given
    gitRevision      the first 12 hex digits of `rev`; a dirty git tree (only
                     `dirtyRev`, "<40 hex>-dirty") gives "<12 hex>-dirty", as
                     `cargo xtask` in a checkout with uncommitted changes does;
                     no revision at all gives "unknown"
    sourceDateEpoch  `lastModified` (a commit's time), else (missing, or 0 as
                     for a git tree without commits) 1980-01-01
  The kernel build gets them as PIPYOS_GIT_REVISION and SOURCE_DATE_EPOCH.
  */
  buildInfoOf = {
    version,
    source,
  }: let
    short = rev: let
      hex = substring 0 revisionLength rev;
    in
      if match "[0-9a-f]{${toString revisionLength}}" hex != null
      then hex
      else throw "pipyos: source revision \"${rev}\" does not start with ${toString revisionLength} hex digits";
  in {
    inherit version;
    gitRevision =
      if source ? rev
      then short source.rev
      else if source ? dirtyRev
      then "${short source.dirtyRev}-dirty"
      else unknownRevision;
    sourceDateEpoch =
      if (source.lastModified or 0) > 0
      then source.lastModified
      else defaultSourceDateEpoch;
  };

  /*
  The line of $out/nix-support/hydra-build-products that names the image.
  */
  hydraBuildProduct = imagePath: "file sd-image ${imagePath}";

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

  hasPrefix = prefix: string: substring 0 (stringLength prefix) string == prefix;
  hasSuffix = suffix: string: let
    length = stringLength string;
    suffixLength = stringLength suffix;
  in
    length >= suffixLength && substring (length - suffixLength) suffixLength string == suffix;
  # "a/b/c" -> ["a" "b" "c"]
  pathParts = path: filter isString (split "/" path);
  isInside = directory: path: hasPrefix "${directory}/" path;
  # `string` without its first `count` characters.
  dropChars = count: string: substring count (stringLength string - count) string;

  /*
  What the source of each build holds, as directories and files relative to
  the repository root (nix/README.md, "What rebuilds what"):
    crates       crate directories, whole except for Markdown files and the
                 target/ and fuzz/ directories in them (outside src/)
    manifests    single files: Cargo.toml of workspace members that the build
                 loads but never compiles
    directories  directories taken whole
  Every source also holds the root Cargo.toml, Cargo.lock and
  .cargo/config.toml (the `cargo xtask` alias). `cargo xtask` runs in the host
  workspace, so every build needs each member's manifest and (for members
  whose targets cargo discovers) sources. bench/qemu-plugin names its
  library's path, so cargo loads the workspace without its sources.
  */
  hostCrates = ["bcm2835" "fbconsole" "images" "initfs" "lineedit" "rawrepl" "rtsched" "sdfat" "usbproto" "vfscore" "xtask"];
  sources = let
    host = {
      crates = hostCrates;
      manifests = ["bench/qemu-plugin/Cargo.toml"];
      directories = [];
    };
    # The kernel workspace: kernel/ (with its placeholders and patches) and
    # the patched crates of patches/; fbconsole/fonts comes with fbconsole.
    kernel = host // {crates = host.crates ++ ["kernel" "patches"];};
  in {
    # pipyos-mkimage and pipyos-initfs (the host workspace).
    inherit host kernel;
    # `cargo xtask initfs` also reads the kernel's dependencies (for the
    # standard library's crate) and packs python-packages/.
    initfs = kernel // {directories = ["python-packages"];};
    # The emulated tests of the `boot` check.
    tests = {
      crates = [];
      manifests = [];
      directories = ["tests"];
    };
  };

  sourceRootFiles = ["Cargo.toml" "Cargo.lock" ".cargo/config.toml"];

  # Inside a crate: left out are Markdown files and whatever lies in a
  # target/ or fuzz/ directory that is not inside src/.
  keptInCrate = relative: type: let
    step = state: part:
      if state.inSrc
      then state
      else {
        inSrc = part == "src";
        excluded = state.excluded || elem part ["target" "fuzz"];
      };
    walked = foldl' step {
      inSrc = false;
      excluded = false;
    } (pathParts relative);
  in
    !walked.excluded && !(type != "directory" && hasSuffix ".md" relative);

  /*
  Whether the file or directory `path` (relative to the repository root, e.g.
  "kernel/src/main.rs"; `type` as builtins.readDir gives it) is in the
  source described by `spec` (one of `sources`). Directories on the way to
  something kept are kept, so that the walk reaches it.
  */
  inSource = spec: path: type: let
    kept = sourceRootFiles ++ spec.manifests ++ spec.crates ++ spec.directories;
    leadsTo = target: target == path || isInside path target;
  in
    elem path sourceRootFiles
    || elem path spec.manifests
    || (type == "directory" && any leadsTo kept)
    || any (directory: isInside directory path) spec.directories
    || any (crate: isInside crate path && keptInCrate (dropChars (stringLength crate + 1) path) type) spec.crates;

  /*
  A filter for lib.cleanSourceWith / builtins.path over the repository at
  `root` (its path as a string): `inSource spec` on paths relative to it.
  */
  sourceFilter = spec: root: path: type: let
    absolute = toString path;
    prefix = "${root}/";
  in
    hasPrefix prefix absolute && inSource spec (dropChars (stringLength prefix) absolute) type;

  mkSdImageArgNames = ["app" "config" "data" "pkgs" "pythonPackages" "system" "version"];
  platformArgNames = ["pkgs" "system"];

  /*
  Checks the arguments of `mkSdImage` and returns them with their defaults:
    pkgs           ? null            a nixpkgs package set to build with
    system         ? "x86_64-linux"  or a host system (not both)
    app            ? null            a path: the application directory
    data           ? null            a path: files pre-filled into the SD card's
                                     data partition (/data on the board)
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
    data = args.data or null;
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
      data =
        if data == null || isPath data
        then data
        else throw "pipyos: mkSdImage's data must be a path (e.g. ./data) or null, not a ${typeOf data}";
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
    buildInfoOf
    checkMkSdImageArgs
    defaultSourceDateEpoch
    defaultSystem
    hostCrates
    hydraBuildProduct
    imageName
    inSource
    renderConfigTxt
    renderConfigValue
    reservedConfigKeys
    revisionLength
    rustVersion
    sourceFilter
    sources
    supportedSystems
    unknownRevision
    versionFromCargoToml
    ;
}
