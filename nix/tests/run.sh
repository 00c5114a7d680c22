#!/usr/bin/env bash
# Checks of the Nix layer that need no nixpkgs and no network: every .nix
# file parses, the pure tests (nix/tests/*-tests.nix) pass, and, where the
# tools are installed, the files are formatted (alejandra), free of dead code
# (deadnix), the shell scripts and the Python helper are clean (shellcheck,
# flake8). Needs nix-instantiate (Debian: nix-bin). Prints one line per check
# and a final "N passed, M failed"; exits 1 when any check failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# check NAME COMMAND...: runs COMMAND, counts it, shows its output on failure.
check() {
	local name=$1
	shift
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok      $name"
	else
		failed=$((failed + 1))
		echo "FAILED  $name"
		sed 's/^/        /' "$log"
	fi
}

skip() {
	echo "skipped $1"
}

# The repository's .nix files: tracked and new ones, not ignored ones.
nix_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- '*.nix'
	else
		find . -name '*.nix' -not -path './.git/*' -not -path '*/target/*'
	fi
}

if ! command -v nix-instantiate >/dev/null 2>&1; then
	echo "FAILED  nix-instantiate is not installed (Debian: apt-get install nix-bin)"
	echo "0 passed, 1 failed"
	exit 1
fi

mapfile -t files < <(nix_files | sort -u)
for file in "${files[@]}"; do
	[ -f "$file" ] || continue # deleted but still tracked
	check "parse $file" nix-instantiate --readonly-mode --parse "$file"
done

for tests in nix/tests/*-tests.nix; do
	check "eval $tests" nix-instantiate --readonly-mode --eval --strict "$tests"
done

if command -v alejandra >/dev/null 2>&1; then
	check "alejandra --check ." alejandra --check .
else
	skip "alejandra (not installed)"
fi

if command -v deadnix >/dev/null 2>&1; then
	check "deadnix --fail ." deadnix --fail .
else
	skip "deadnix (not installed)"
fi

if command -v shellcheck >/dev/null 2>&1; then
	check "shellcheck nix/tests/run.sh nix/run-image.sh" \
		shellcheck -s bash nix/tests/run.sh nix/run-image.sh
else
	skip "shellcheck (not installed)"
fi

# writers.writePython3Bin runs flake8 on it when the nixos-vm check is built.
if python3 -m flake8 --version >/dev/null 2>&1; then
	check "flake8 nix/checks/console_expect.py" python3 -m flake8 nix/checks/console_expect.py
else
	skip "flake8 (not installed)"
fi

# nix/rust-std-Cargo.lock must be the rust-src lock of the pinned Rust
# release; where a toolchain of exactly that release is installed, compare.
rust_version=$(nix-instantiate --readonly-mode --eval --expr '(import ./nix/lib.nix).rustVersion' | tr -d '"')
for rustc in /usr/bin/rustc rustc; do
	command -v "$rustc" >/dev/null 2>&1 || continue
	std_lock="$("$rustc" --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library/Cargo.lock"
	if "$rustc" --version 2>/dev/null | grep -q "^rustc $rust_version " && [ -f "$std_lock" ]; then
		check "nix/rust-std-Cargo.lock matches $std_lock" cmp nix/rust-std-Cargo.lock "$std_lock"
		break
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
