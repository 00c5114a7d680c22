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
from board import Board, PtyBoard, extract  # noqa: E402

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


def elf_symbols(path):
    """{name: address} of the function symbols of a 32-bit little-endian ELF file."""
    with open(path, "rb") as handle:
        data = handle.read()
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    headers = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = {}
    for header in headers:
        if header[1] != 2:  # SHT_SYMTAB
            continue
        strings = headers[header[6]]
        for offset in range(header[4], header[4] + header[5], 16):
            name_offset, value, _size, info = struct.unpack_from("<IIIB", data, offset)
            if info & 0xF not in (0, 2):  # NOTYPE (assembly labels) or FUNC
                continue
            start = strings[4] + name_offset
            name = data[start:data.index(b"\0", start)].decode(errors="replace")
            symbols[name] = value & ~1
    return symbols


def find_symbol(symbols, fragment):
    """The address of the one symbol whose (mangled) name contains `fragment`."""
    matches = [address for name, address in symbols.items() if fragment in name]
    return matches[0] if len(matches) == 1 else None


# Loads Python puts on the CPU while the square wave runs (each for a fixed amount of work).
RT_LOADS = [
    ("Python idle (time.sleep)", "time.sleep(0.5)"),
    ("busy in bytecode", "exec('x = 0\\nfor i in range(60000): x += i * i')"),
    ("long native call", "sum(range(6000000))"),
    ("allocating heavily", "exec('for i in range(6000): l = [bytearray(64) for j in range(20)]')"),
]


def realtime_figures(arguments, report, scratch):
    """Release latency of the square-wave task under each load, the FIQ path length, the
    longest FIQ run and the longest IRQ-masked window."""
    symbols = elf_symbols(arguments.kernel_elf) if arguments.kernel_elf else {}
    entry = symbols.get("fiq_entry")
    body = find_symbol(symbols, "6config11square_wave")
    log = os.path.join(scratch, "rt-uart.log")
    plugin = f"{arguments.plugin},watch={PL011_DATA_REGISTER},out={log}"
    if entry and body:
        plugin += f",span={entry:#x}:{body:#x}"
    board = Board(arguments.image, arguments.mkimage, arguments.qemu,
                  extra_args=["-icount", "shift=0,sleep=off", "-plugin", plugin])
    try:
        board.expect(r">>> ", timeout=600)
        board.run("import rt, time, _pipyos, ast")
        board.run("_pipyos.measure_masked_windows(True); rt.start('square_wave')")
        loads = RT_LOADS + [("serial flood (10 KB)", None)]
        for name, load in loads:
            if load is None:
                board.run("rt.reset_stats('square_wave')")
                board.send("time.sleep(1)\r")
                board.send_slowly(b" " * 10240, chunk=256, pause=0.01)
                for _ in range(20):
                    board.send(b"\x03\rprint('flood', 40 + 2)\r")
                    try:
                        board.expect(r"flood 42\r\n>>> ", timeout=15)
                        break
                    except AssertionError:
                        continue
            else:
                board.run(f"rt.reset_stats('square_wave'); {load}", timeout=1800)
            stats = ast_literal(board.run("rt.stats('square_wave')"))
            print(f"  square wave (500 µs), {name}: releases {stats['releases']}, "
                  f"latency min/mean/p99/max {stats['latency_min_us']}/{stats['latency_mean_us']}/"
                  f"{stats['latency_p99_us']}/{stats['latency_max_us']} µs, jitter "
                  f"{stats['jitter_us']} µs, deadline misses {stats['deadline_misses']}", flush=True)
            report(f"rt latency max, {name}", stats["latency_max_us"] or 0, "µs")
            report(f"rt jitter, {name}", stats["jitter_us"] or 0, "µs")
        info = ast_literal(board.run("rt.info()"))
        report("longest FIQ handler run", info["longest_fiq_us"], "µs")
        report("longest IRQ-masked window (IrqLock)",
               int(board.run("_pipyos.longest_masked_window_us()").strip()), "µs")
        board.run("rt.stop('square_wave')")
    finally:
        board.close()
    with open(log) as handle:
        for line in handle:
            if line.startswith("span "):
                _, _, _, count, minimum, mean, maximum = line.split()
                report("FIQ vector to task body, min", int(minimum), "instructions")
                report("FIQ vector to task body, mean", int(mean), "instructions")
                report("FIQ vector to task body, max", int(maximum), "instructions")
                report("FIQ vector to task body, samples", int(count), "")


def upload_figures(arguments, report, scratch):
    """Raw-paste upload (mpremote fs cp of 100 KB to /tmp): guest instructions per byte, and the
    throughput at 115200 baud (the line's 11,520 bytes/s, unless the CPU at 700 MHz is slower)."""
    size = 100 * 1024
    log = os.path.join(scratch, "upload-uart.log")
    board = PtyBoard(arguments.image, arguments.mkimage, arguments.qemu,
                     # No -icount here: with sleep=off QEMU's serial input stalls mpremote's
                     # raw-paste window; the plugin counts instructions exactly either way.
                     extra_args=["-plugin",
                                 f"{arguments.plugin},watch={PL011_DATA_REGISTER},out={log}"])
    try:
        board.wait_for_prompt()
        payload = os.path.join(scratch, "upload.bin")
        with open(payload, "wb") as handle:
            handle.write(os.urandom(size))
        # Warm-up: the first connection enters the raw REPL; only the copy is counted.
        result = board.mpremote(arguments.mpremote, "exec", "import os")
        if result.returncode != 0:
            print(f"upload warm-up failed: {result.stderr}")
            return
        before = last_count(log)
        result = board.mpremote(arguments.mpremote, "fs", "cp", payload, ":/tmp/upload.bin",
                                timeout=1800)
        after = last_count(log)
        if result.returncode != 0:
            print(f"upload failed: {result.stderr}")
            return
    finally:
        board.close()
    instructions = after - before
    per_million = size * 1_000_000 // max(1, instructions)
    cpu_rate = size / (instructions / 700e6)
    line_rate = 115200 / 10
    report("raw-paste upload, bytes per million instructions", per_million, "bytes")
    report("raw-paste upload at 115200 baud", round(min(cpu_rate, line_rate) / 1024, 1), "KB/s")
    print(f"  (the CPU alone would take {cpu_rate / 1024:,.0f} KB/s at 700 MHz; the 115200-baud "
          f"line carries {line_rate / 1024:,.1f} KB/s)")


def last_count(log):
    """The instruction count at the last byte the board printed so far."""
    count = 0
    with open(log) as handle:
        for line in handle:
            index, _, value = line.partition(" ")
            if index.isdigit():
                count = int(value)
    return count


def ast_literal(text):
    import ast
    return ast.literal_eval(text.strip())


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


def screen_figures(board, report):
    """The HDMI console and framebuf: the screen's share of console output is the difference
    between the same output with the console on the screen and handed over (console(False))."""
    board.run("import display, sys")
    if board.run("print(display.width)").strip() == "0":
        print("screen figures skipped: no screen")
        return

    def screen_cost(expression):
        on = measure(board, expression)
        board.run("display.console(False)")
        off = measure(board, expression)
        board.run("display.console(True)")
        return on - off

    lines = 100
    # Start at the bottom row, so every newline scrolls the screen by one text line.
    board.run("print('\\n' * 40)")
    newlines = f"sys.stdout.write('\\n' * {lines}); sys.stdout.flush()"
    report("screen: scroll one text line", screen_cost(newlines) // lines, "instructions")
    kilobyte = "sys.stdout.write(('x' * 63 + '\\n') * 16); sys.stdout.flush()"
    report("screen: print 1 KB (16 lines of 64 characters)", screen_cost(kilobyte),
           "instructions")
    board.run("_fb = display.framebuffer(); display.console(False)")
    report("screen: framebuf fill() of the whole screen", measure(board, "_fb.fill(0)"),
           "instructions")
    text = "display.text('0123456789', 0, 0, size=32)"
    board.run(text)  # rasterises the glyphs once
    report("screen: display.text() of 10 characters at 32 px (cached glyphs)",
           measure(board, text), "instructions")
    board.run("display.console(True)")


def card_figures(board, report):
    """The SD card (QEMU's SDHCI, polled PIO): mount time at boot, and sequential write and
    read throughput of a 1 MiB file on /data (the image is a snapshot: nothing is kept)."""
    board.run("import _pipyos, os")
    if "data" not in board.run("print(os.listdir('/'))"):
        print("SD card figures skipped: /data is not mounted")
        return
    report("SD card: initialise and mount at boot", int(board.run(
        "print(_pipyos.card_mount_us())").strip()) * 1000, "instructions")
    size = 1 << 20
    board.run(f"_blob = bytes({size})")
    write = measure(board, "f = open('/data/_bench.bin', 'wb'); f.write(_blob); f.close()")
    read = measure(board, "f = open('/data/_bench.bin', 'rb'); _ = f.read(); f.close()")
    board.run("os.remove('/data/_bench.bin')")
    report("SD card: sequential write, KB per million instructions",
           size * 1000 // 1024 // max(1, write // 1000), "KB")
    report("SD card: sequential read, KB per million instructions",
           size * 1000 // 1024 // max(1, read // 1000), "KB")


def usb_figures(arguments, report, scratch):
    """USB (QEMU's DWC2, a usb-kbd behind the hub QEMU adds): enumeration at boot, and what a
    key costs: a keyboard poll that brings a report (transfer, decoding, the bytes into the
    console ring) and one that brings nothing (the idle cost, every 10 ms). With -icount
    shift=0 one guest microsecond is 1,000 instructions."""
    import time
    board = Board(arguments.image, arguments.mkimage, arguments.qemu, monitor=True,
                  extra_args=["-icount", "shift=0", "-device", "usb-kbd"])
    try:
        board.expect(r">>> ", timeout=600)
        board.run("import usb, keyboard")
        deadline = time.monotonic() + 120
        while "keyboard" not in board.run("print([d.driver for d in usb.devices()])"):
            if time.monotonic() > deadline:
                print("USB figures skipped: the keyboard did not appear\n"
                      + board.run("print(usb.log())"))
                return
            time.sleep(0.5)
        output = board.run("print(usb.stats())")
        try:
            stats = ast_literal(output.strip().splitlines()[-1])
        except (SyntaxError, ValueError, IndexError):
            print(f"USB figures skipped: usb.stats() gave {output!r}")
            return
        started = stats["started_us"]
        attached = max(at for _, at in stats["enumeration_us"].values())
        report("USB: start to keyboard ready (hub + keyboard)", (attached - started) * 1000,
               "instructions")
        for address, (took, _) in sorted(stats["enumeration_us"].items()):
            report(f"USB: enumerate device {address}", took * 1000, "instructions")
        board.monitor_command("sendkey a")
        time.sleep(1.0)
        board.send("\x7f")  # the "a" went to the console line too
        stats = ast_literal(board.run("print(usb.stats())").strip().splitlines()[-1])
        report("USB key: poll with a report to byte in the console", stats["key_report_poll_us"]
               * 1000, "instructions")
        report("USB key: poll without a report (idle, every 10 ms)",
               stats["key_empty_poll_us"] * 1000, "instructions")
    finally:
        board.close()


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
    parser.add_argument("--mpremote", default=None,
                        help="the pinned mpremote, for the raw-paste upload figure")
    parser.add_argument("--only", default="",
                        help="run only the sections whose name contains this (boot, rt, ...)")
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
    if arguments.only and "boot" not in arguments.only:
        if "usb" in arguments.only:
            usb_figures(arguments, report, scratch)
        if "rt" in arguments.only:
            realtime_figures(arguments, report, scratch)
        if "upload" in arguments.only and arguments.mpremote:
            upload_figures(arguments, report, scratch)
        print(f"{len(results)} figures measured")
        return 0
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
        screen_figures(board, report)
        card_figures(board, report)
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
    if not arguments.only or "usb" in arguments.only:
        usb_figures(arguments, report, scratch)
    if not arguments.only or "rt" in arguments.only:
        print("real-time: square-wave task at 500 µs, QEMU -icount shift=0,sleep=off")
        realtime_figures(arguments, report, scratch)
    if arguments.mpremote and (not arguments.only or "upload" in arguments.only):
        upload_figures(arguments, report, scratch)
    print(f"{len(results)} figures measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
