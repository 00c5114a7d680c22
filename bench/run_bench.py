#!/usr/bin/env python3
"""PiPyOS benchmarks: exact guest instruction counts from QEMU, sizes and free heap.

Runs QEMU raspi0 with `-icount shift=0`: one guest instruction is one nanosecond of virtual time,
so the board's 1 MHz system timer (`time.ticks_us()`) measures instructions / 1000, exactly and
repeatably. Boot-to-prompt uses the project's own TCG plugin (bench/qemu-plugin, built by
`cargo xtask bench`): the exact count at the byte that completes the first `>>> `.
Nothing here asserts a time: it prints numbers.

Usage: run_bench.py --image IMG --mkimage PATH --plugin LIB [--kernel-elf ELF] [--skip-pyperformance]
"""

import argparse
import glob
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "emulated"))
from board import Board, extract  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PL011_DATA_REGISTER = "0x20201000"

# pyperformance workloads: (benchmark directory, how to call its benchmark function on the
# board with a small size, what the numbers mean).
WORKLOADS = [
    ("bm_nbody", "bench_nbody(1, DEFAULT_REFERENCE, 200)", "nbody, 200 steps"),
    ("bm_richards", "Richards().run(1)", "richards, 1 iteration"),
    ("bm_spectral_norm", "DEFAULT_N = 24; bench_spectral_norm(1)", "spectral_norm, n=24"),
    ("bm_float", "benchmark(2000)", "float, 2000 points"),
]


def elf_sections(path):
    """Sizes of the allocated sections of a 32-bit little-endian ELF file."""
    with open(path, "rb") as handle:
        data = handle.read()
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    headers = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4]

    def name(offset):
        end = data.index(b"\0", names_offset + offset)
        return data[names_offset + offset:end].decode()

    return {name(h[0]): h[5] for h in headers if h[2] & 0x2}  # SHF_ALLOC


def upload_and_run(board, source, globals_name="_bm"):
    """Sends Python source to the board in chunks and executes it in a fresh namespace."""
    import binascii
    encoded = binascii.b2a_base64(source.encode(), newline=False).decode()
    board.run("_src = []")
    for start in range(0, len(encoded), 240):
        board.run(f"_src.append('{encoded[start:start + 240]}')")
    output = board.run(
        f"{globals_name} = {{'__name__': 'pyperformance_workload'}}; "
        f"exec(__import__('binascii').a2b_base64(''.join(_src)).decode(), {globals_name})",
        timeout=600)
    return output


def measure(board, expression, globals_name=None, timeout=1800):
    """Guest instructions spent evaluating `expression` (ticks_us with icount shift=0)."""
    scope = f", {globals_name}" if globals_name else ""
    output = board.run(
        f"_t0 = time.ticks_us(); exec({expression!r}{scope}); _t1 = time.ticks_us(); "
        f"print('INSNS', time.ticks_diff(_t1, _t0) * 1000)", timeout=timeout)
    match = re.search(r"INSNS (-?\d+)", output)
    if not match:
        raise RuntimeError(f"measuring {expression!r} failed:\n{output}")
    return int(match.group(1))


def pyperformance_sources(scratch):
    """Downloads pyperformance from PyPI and returns {benchmark: run_benchmark.py source}."""
    download = os.path.join(scratch, "pyperformance")
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                             "-d", download, "pyperformance"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr else "pip failed")
    sources = {}
    for archive in glob.glob(os.path.join(download, "*")):
        if archive.endswith(".whl") or archive.endswith(".zip"):
            with zipfile.ZipFile(archive) as opened:
                for name in opened.namelist():
                    parts = name.split("/")
                    if parts[-1] == "run_benchmark.py" and len(parts) > 1:
                        sources[parts[-2]] = opened.read(name).decode()
        elif archive.endswith(".tar.gz"):
            with tarfile.open(archive) as opened:
                for member in opened.getmembers():
                    parts = member.name.split("/")
                    if parts[-1] == "run_benchmark.py" and len(parts) > 1:
                        sources[parts[-2]] = opened.extractfile(member).read().decode()
    return sources


PYPERF_SHIM = '''
import sys, time
class _Pyperf:
    perf_counter = staticmethod(time.perf_counter)
    class Runner:
        def __init__(self, *args, **kwargs):
            pass
sys.modules['pyperf'] = _Pyperf
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", required=True)
    parser.add_argument("--mkimage", required=True)
    parser.add_argument("--kernel-elf")
    parser.add_argument("--plugin", required=True,
                        help="bench/qemu-plugin's shared library (cargo xtask bench builds it)")
    parser.add_argument("--qemu", default="qemu-system-arm")
    parser.add_argument("--skip-pyperformance", action="store_true")
    arguments = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="pipyos-bench-")
    results = []

    def report(name, value, unit=""):
        results.append((name, value, unit))
        print(f"{name:<48} {value:>16,} {unit}", flush=True)

    kernel = os.path.join(scratch, "kernel.img")
    extract(arguments.mkimage, arguments.image, "kernel.img", kernel)
    report("kernel.img size", os.path.getsize(kernel), "bytes")
    initfs = os.path.join(scratch, "initfs.cpio")
    if extract(arguments.mkimage, arguments.image, "initfs.cpio", initfs):
        report("initfs.cpio size", os.path.getsize(initfs), "bytes")
    if arguments.kernel_elf and os.path.exists(arguments.kernel_elf):
        sections = elf_sections(arguments.kernel_elf)
        for name in (".text", ".rodata", ".data", ".bss"):
            if name in sections:
                report(f"kernel {name}", sections[name], "bytes")

    plugin = arguments.plugin
    if not os.path.exists(plugin):
        raise SystemExit(f"the QEMU plugin {plugin} does not exist (cargo xtask bench builds it)")
    extra = ["-icount", "shift=0"]
    log = os.path.join(scratch, "uart.log")
    extra += ["-plugin", f"{plugin},watch={PL011_DATA_REGISTER},out={log}"]
    board = Board(arguments.image, arguments.mkimage, arguments.qemu, extra_args=extra)
    try:
        board.expect(r">>> ", timeout=600)
        prompt_end = board.text().encode().index(b">>> ") + 3
        board.run("0")  # make sure the log has been flushed past the prompt
        counts = {}
        with open(log) as handle:
            for line in handle:
                index, _, value = line.partition(" ")
                if index.isdigit():
                    counts[int(index)] = int(value)
        report("boot to first '>>> '", counts[prompt_end - 1], "instructions")
        board.run("import time, _pipyos")
        report("free heap at the prompt", int(board.run("_pipyos.mem_free()").strip()), "bytes")
        report("import json (first import)", measure(board, "import json"), "instructions")
        board.send("def _loop(n):\r    s = 0\r    for i in range(n):\r        s += i * i\r"
                   "    return s\r\r")
        board.expect(r">>> ")
        board.run("_loop(1000)")
        n = 100000
        full = measure(board, f"_loop({n})")
        empty = measure(board, "_loop(0)")
        report("s += i*i loop, per iteration", (full - empty) // n, "instructions")
        if not arguments.skip_pyperformance:
            try:
                sources = pyperformance_sources(scratch)
            except (RuntimeError, OSError) as error:
                print(f"pyperformance workloads skipped: {error}")
                sources = {}
            if sources:
                upload_and_run(board, PYPERF_SHIM, "_shim")
            for directory, call, label in WORKLOADS:
                if directory not in sources:
                    print(f"{label}: not in the downloaded pyperformance")
                    continue
                output = upload_and_run(board, sources[directory])
                if "Error" in output:
                    print(f"{label}: could not load on the board:\n{output}")
                    continue
                try:
                    report(f"pyperformance {label}", measure(board, call, "_bm"), "instructions")
                except RuntimeError as error:
                    print(f"{label}: {error}")
    finally:
        board.close()
    print(f"{len(results)} figures measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
