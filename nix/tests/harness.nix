# Runs a set of pure tests: `runTests "what" { name = { expr; expected; }; }`
# is { passed; failed = 0; tests; } when every expr equals its expected
# value, and otherwise throws a message naming each failed test with what it
# got. Values are shown with toJSON, so keep them JSON-safe (no paths).
suite: tests: let
  names = builtins.attrNames tests;
  failed = builtins.filter (name: tests.${name}.expr != tests.${name}.expected) names;
  describe = name: "  ${name}: got ${builtins.toJSON tests.${name}.expr}, expected ${builtins.toJSON tests.${name}.expected}";
in
  if failed == []
  then {
    passed = builtins.length names;
    failed = 0;
    tests = names;
  }
  else throw "${suite}: ${toString (builtins.length failed)} of ${toString (builtins.length names)} tests failed:\n${builtins.concatStringsSep "\n" (map describe failed)}"
