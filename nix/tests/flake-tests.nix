# Tests of the flake's pins, builtins only (flake.nix is a plain attribute
# set whose `inputs` can be read without nixpkgs):
#   nix-instantiate --eval --strict nix/tests/flake-tests.nix
let
  lock = builtins.fromJSON (builtins.readFile ../../flake.lock);
  flake = import ../../flake.nix;
  example = import ../../examples/downstream-flake/flake.nix;

  rootInputs = lock.nodes.${lock.root}.inputs;
  pinnedNodes = builtins.removeAttrs lock.nodes [lock.root];

  # The flake reference a lock node was resolved from, as flake.nix spells it.
  originalUrl = node: let
    original = node.original;
  in
    "${original.type}:${original.owner}/${original.repo}"
    + (
      if original ? ref
      then "/${original.ref}"
      else ""
    );

  isPinned = node:
    builtins.match "sha256-[A-Za-z0-9+/]{43}=" node.locked.narHash
    != null
    && builtins.match "[0-9a-f]{40}" node.locked.rev != null;
in
  import ./harness.nix "flake.lock and flake.nix" {
    lock-version = {
      expr = lock.version;
      expected = 7;
    };
    lock-nodes = {
      expr = builtins.attrNames lock.nodes;
      expected = ["crane" "nixpkgs" "root" "rust-overlay"];
    };
    lock-root-inputs = {
      expr = rootInputs;
      expected = {
        crane = "crane";
        nixpkgs = "nixpkgs";
        rust-overlay = "rust-overlay";
      };
    };
    lock-rust-overlay-follows-nixpkgs = {
      expr = lock.nodes.rust-overlay.inputs;
      expected = {nixpkgs = ["nixpkgs"];};
    };
    lock-every-node-pinned = {
      expr = builtins.filter (name: !isPinned pinnedNodes.${name}) (builtins.attrNames pinnedNodes);
      expected = [];
    };
    flake-input-urls-match-lock = {
      expr = builtins.mapAttrs (_: input: input.url) flake.inputs;
      expected = builtins.mapAttrs (_: node: originalUrl lock.nodes.${node}) rootInputs;
    };
    flake-rust-overlay-follows-nixpkgs = {
      expr = flake.inputs.rust-overlay.inputs.nixpkgs.follows;
      expected = "nixpkgs";
    };
    flake-outputs-take-every-input = {
      expr = builtins.attrNames (builtins.functionArgs flake.outputs);
      expected = ["crane" "nixpkgs" "rust-overlay" "self"];
    };
    example-pins-a-release = {
      expr = example.inputs.pipyos.url;
      expected = "github:pipyos/pipyos/v0.1.0";
    };
    example-has-its-app = {
      expr = builtins.pathExists ../../examples/downstream-flake/app/main.py;
      expected = true;
    };
  }
