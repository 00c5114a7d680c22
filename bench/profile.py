#!/usr/bin/env python3
"""Profile the guest: where the kernel spends its instructions, by function.

Usage: profile.py --image IMG --mkimage PATH --kernel-elf ELF --plugin SO
                  [--script FILE.py] [--top N] [--folded OUT] [--qemu qemu-system-arm]

Boots the image in QEMU raspi0 with `-icount shift=0` and our TCG plugin's `profile=` mode (an
exact execution count per translated block, and call stacks sampled every 10,000 instructions).
Without `--script` it profiles the boot to the first `>>> `. With it, the board boots, runs the
script at the prompt, and the boot-only profile (taken the same way; two boots differ by about
0.1 % of their instructions) is subtracted, so the numbers are the script's own.

Prints the top functions by self instructions (inlined code counts for the function it was
inlined into) and, with `--folded`, writes folded stacks (`outer;inner count`) for any flame
graph tool.
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "emulated"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import Board  # noqa: E402
from run_bench import elf_symbols, upload_and_run  # noqa: E402


def demangle(names):
    """Rust symbol names demangled with c++filt (as they are when it is missing)."""
    try:
        result = subprocess.run(["c++filt", "-s", "rust"], input="\n".join(names),
                                capture_output=True, text=True, check=True)
        demangled = result.stdout.splitlines()
        if len(demangled) == len(names):
            return [strip_hash(name) for name in demangled]
    except (OSError, subprocess.CalledProcessError):
        pass
    return list(names)


def strip_hash(name):
    """`path::function::h0123456789abcdef` without the hash, and crate paths without their
    `[0123456789abcdef]` disambiguators."""
    name = re.sub(r"\[[0-9a-f]{16}\]", "", name)
    head, _, tail = name.rpartition("::h")
    return head if head and len(tail) == 16 and all(c in "0123456789abcdef" for c in tail) \
        else name


class Symbolizer:
    """Maps guest addresses to the function symbol that contains them."""

    def __init__(self, elf):
        symbols = sorted((address, name) for name, address in elf_symbols(elf).items()
                         if address and not name.startswith("$"))
        self.addresses = [address for address, _ in symbols]
        self.names = demangle([name for _, name in symbols])

    def name(self, address):
        index = bisect.bisect_right(self.addresses, address) - 1
        return self.names[index] if index >= 0 else f"{address:#x}"


def run_profile(arguments, script, scratch, label):
    """Boots (and runs `script`, if given) with the profiler; returns the profile file."""
    out = os.path.join(scratch, f"{label}.profile")
    board = Board(arguments.image, arguments.mkimage, arguments.qemu,
                  extra_args=["-icount", "shift=0", "-plugin",
                              f"{arguments.plugin},profile={out}"])
    try:
        board.expect(r">>> ", timeout=900)
        if script is not None:
            output = upload_and_run(board, script)
            print(f"--- script output ---\n{output}--- end of script output ---")
    finally:
        board.close()
    return out


def read_profile(path, symbolizer):
    """(self instructions per function, folded stacks, total instructions)."""
    flat = collections.Counter()
    folded = collections.Counter()
    total = 0
    with open(path) as handle:
        for line in handle:
            kind, _, rest = line.partition(" ")
            if kind == "block":
                address, instructions, executions = rest.split()
                flat[symbolizer.name(int(address, 16))] += int(instructions) * int(executions)
            elif kind == "stack":
                count, frames = rest.split()
                names = [symbolizer.name(int(frame, 16)) for frame in frames.split(";")]
                # Consecutive frames of one function (inlining, recursion) fold into one.
                collapsed = [name for index, name in enumerate(names)
                             if index == 0 or names[index - 1] != name]
                folded[";".join(collapsed)] += int(count)
            elif kind == "total":
                total = int(rest)
    return flat, folded, total


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True)
    parser.add_argument("--mkimage", required=True)
    parser.add_argument("--kernel-elf", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--qemu", default="qemu-system-arm")
    parser.add_argument("--script", help="a Python file to run at the prompt and profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--folded", help="write folded stacks here")
    arguments = parser.parse_args()
    if not os.path.exists(arguments.plugin):
        raise SystemExit(f"the QEMU plugin {arguments.plugin} does not exist")
    symbolizer = Symbolizer(arguments.kernel_elf)
    scratch = tempfile.mkdtemp(prefix="pipyos-profile-")
    flat, folded, total = read_profile(run_profile(arguments, None, scratch, "boot"), symbolizer)
    what = "boot to the first '>>> '"
    if arguments.script:
        with open(arguments.script) as handle:
            source = handle.read()
        with_script = read_profile(run_profile(arguments, source, scratch, "script"), symbolizer)
        flat = with_script[0] - flat
        folded = with_script[1] - folded
        total = with_script[2] - total
        what = f"{arguments.script} (boot subtracted)"
    print(f"{what}: {total:,} instructions")
    print(f"{'self instructions':>18} {'share':>6}  function")
    for name, count in flat.most_common(arguments.top):
        print(f"{count:>18,} {100 * count / max(1, total):5.1f}%  {name}")
    if arguments.folded:
        with open(arguments.folded, "w") as handle:
            for stack, count in sorted(folded.items()):
                handle.write(f"{stack} {count}\n")
        print(f"folded stacks: {arguments.folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
