#!/usr/bin/env python3
"""Emulated boot tests: boot the real PiPyOS image in QEMU raspi0 and drive the REPL over serial.

Usage: run_tests.py --image IMG --mkimage PATH [--qemu qemu-system-arm] [-k SUBSTRING]
Every test prints PASS/FAIL; a failure prints the serial log. The last line is
"N passed, N failed".
"""

import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import Board, BoardError, PtyBoard, extract, read_ppm  # noqa: E402


class SkipTest(Exception):
    """The test cannot run here (a tool is missing)."""

TESTS = []


def test(function):
    TESTS.append(function)
    return function


def check(condition, message):
    if not condition:
        raise BoardError(message)


def booted(board):
    board.expect(r"PiPyOS .* on .*\n", timeout=120)
    board.expect(r">>> ", timeout=120)


# --- Issue: boot to a Python REPL -------------------------------------------------------------

@test
def test_arithmetic_and_banner(make_board):
    board = make_board()
    booted(board)
    check(board.run("1+1").strip() == "2", "1+1 did not print 2")
    check(board.run("2**100").strip() == str(2**100), "big integers")
    check(board.run("'pi' + 'py'").strip() == "'pipy'", "expression results are echoed as repr")


@test
def test_multiline_blocks(make_board):
    board = make_board()
    booted(board)
    board.send("def square(x):\r")
    board.expect(r"\.\.\. ")
    board.send("    return x * x\r")
    board.expect(r"\.\.\. ")
    board.send("\r")
    board.expect(r">>> ")
    board.send("for i in range(3):\r")
    board.expect(r"\.\.\. ")
    board.send("    print('row', square(i))\r")
    board.expect(r"\.\.\. ")
    board.send("\r")
    board.expect(r"row 0\r\nrow 1\r\nrow 4\r\n>>> ")


@test
def test_exception_traceback_then_continue(make_board):
    board = make_board()
    booted(board)
    output = board.run("1/0")
    check("Traceback (most recent call last)" in output, "no traceback header")
    check("ZeroDivisionError" in output, "no ZeroDivisionError")
    output = board.run("undefined_name")
    check("NameError" in output, "no NameError")
    check(board.run("print('still alive')").strip() == "still alive", "REPL did not continue")


@test
def test_ctrl_c_interrupts_busy_loop(make_board):
    board = make_board()
    booted(board)
    board.send("while True: pass\r")
    board.expect(r"\.\.\. ")
    board.send("\r")
    # Wait until the loop runs (the prompt must not come back by itself), then interrupt.
    import time
    time.sleep(1.0)
    board.send(b"\x03")
    board.expect(r"KeyboardInterrupt\r\n>>> ", timeout=60)
    check(board.run("6*7").strip() == "42", "REPL broken after Ctrl-C")
    # Ctrl-C at the prompt drops the line.
    board.send("abc\x03")
    board.expect(r"KeyboardInterrupt\r\n>>> ")
    # Ctrl-C inside time.sleep().
    board.send("import time; time.sleep(30)\r")
    time.sleep(1.0)
    board.send(b"\x03")
    board.expect(r"KeyboardInterrupt\r\n>>> ", timeout=60)


@test
def test_sys_version_names_the_revision_and_source_date(make_board):
    # The build facts come from the source, never the clock (xtask/src/buildinfo.rs): the git
    # revision and SOURCE_DATE_EPOCH, as the test driver was told (or as git says).
    board = make_board()
    booted(board)
    version = board.run("import sys; print(sys.version)")
    revision = os.environ.get("PIPYOS_GIT_REVISION") or subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
        cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    check(revision[:12] in version, f"sys.version {version!r} lacks the revision {revision}")
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or subprocess.run(
        ["git", "log", "-1", "--format=%ct"], capture_output=True, text=True,
        cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    import datetime
    date = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    expected = date.strftime("%b ") + f"{date.day:>2}" + date.strftime(" %Y, %H:%M:%S")
    check(expected in version, f"sys.version {version!r} lacks the source date {expected!r}")


@test
def test_sys_platform_and_implementation(make_board):
    board = make_board()
    booted(board)
    board.run("import sys")
    check(board.run("sys.platform").strip() == "'pipyos'", "sys.platform")
    check(board.run("sys.implementation.name").strip() == "'rustpython'", "sys.implementation.name")


@test
def test_memory_large_allocation_and_exhaustion(make_board):
    board = make_board()
    booted(board)
    check(board.run("b = bytearray(10 * 1024 * 1024); len(b)").strip() == "10485760",
          "10 MB allocation")
    board.run("del b")
    # One huge request: RustPython checks it and raises MemoryError.
    check("MemoryError" in board.run("x = bytearray(1 << 30)", timeout=120), "bytearray(1 << 30)")
    check(board.run("1+1").strip() == "2", "REPL not usable after MemoryError")
    # Exhaust the heap with many blocks: wherever Rust cannot recover from a failed allocation,
    # the kernel prints an out-of-memory report and restarts into a fresh interpreter.
    board.run("blocks = []")
    board.send("while True: blocks.append(bytearray(1 << 20))\r\r")
    match = board.expect(r"(MemoryError|out of memory)", timeout=300)
    if match.group(1) == b"out of memory":
        board.expect(r"rebooting \(out of memory\)", timeout=60)
        booted(board)
        check("NameError" in board.run("blocks"), "a fresh interpreter after out-of-memory")
    else:
        board.expect(r">>> ", timeout=60)
        board.run("del blocks")
    check(board.run("1+1").strip() == "2", "REPL not usable after memory exhaustion")


@test
def test_random_bytes_do_not_crash(make_board):
    board = make_board()
    booted(board)
    generator = random.Random(20261126)
    noise = bytes(generator.randrange(256) for _ in range(2000))
    board.send_slowly(noise)
    # Whatever the noise did (syntax errors, Ctrl-C, Ctrl-D soft resets), the REPL recovers.
    board.send(b"\x03\r")
    board.expect(r">>> ", timeout=120)
    board.send(b"\x03")
    board.expect(r">>> ", timeout=60)
    board.send("print('alive', 40 + 2)\r")
    board.expect(r"alive 42\r\n>>> ", timeout=60)


@test
def test_line_editing_history_and_ctrl_d(make_board):
    board = make_board()
    booted(board)
    # Left arrow, backspace and insert in the middle: "10+5" -> "105" -> "10*5".
    board.send("10+5\x1b[D\x7f*\r")
    board.expect(r"\r\n50\r\n>>> ")
    check(board.run("'edit'").strip() == "'edit'", "after editing")
    # History: up arrow recalls the previous line.
    board.send("\x1b[A\r")
    board.expect(r"'edit'\r\n>>> ")
    # input() reads a line from the console.
    board.send("name = input('who? ')\r")
    board.expect(r"who\? ")
    board.send("pi\r")
    board.expect(r">>> ")
    check(board.run("name").strip() == "'pi'", "input() result")
    # Ctrl-D on an empty line: soft reset into a fresh interpreter.
    board.send(b"\x04")
    board.expect(r"soft reboot", timeout=60)
    board.expect(r">>> ", timeout=120)
    check("NameError" in board.run("name"), "soft reset did not clear the globals")


@test
def test_time_module(make_board):
    board = make_board()
    booted(board)
    board.run("import time")
    check(board.run("time.time() > 946684800").strip() == "True", "time.time() from the RTC")
    check(board.run("t0 = time.monotonic(); time.sleep(0.05); 0.04 < time.monotonic() - t0 < 5")
          .strip() == "True", "sleep/monotonic")
    check(board.run("time.ticks_diff(time.ticks_add(5, 10), 5)").strip() == "10", "ticks helpers")
    check(board.run("time.perf_counter() > 0").strip() == "True", "perf_counter")


@test
def test_help_and_exit(make_board):
    board = make_board()
    booted(board)
    check("help(object)" in board.run("help"), "repr of help")
    output = board.run("help(len)", timeout=300)
    check("Help on built-in function len" in output and "len(obj" in output, "help(len) text")
    board.send("exit()\r")
    board.expect(r"soft reboot", timeout=60)
    booted(board)


# --- Issue: initfs, imports, files, main.py -----------------------------------------------------

APP_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app")


def make_initfs(tools, workdir, files):
    """The image's initfs plus `files` ({path in the archive: bytes}), packed by our packer."""
    image_initfs = os.path.join(workdir, "image-initfs.cpio")
    check(extract(tools.mkimage, tools.image, "initfs.cpio", image_initfs), "image has no initfs")
    tree = os.path.join(workdir, "tree")
    subprocess.run([tools.initfs, "extract", image_initfs, tree], check=True, capture_output=True)
    for path, data in files.items():
        target = os.path.join(tree, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
    out = os.path.join(workdir, "initfs.cpio")
    subprocess.run([tools.initfs, "pack", "--out", out, f"/={tree}"], check=True,
                   capture_output=True)
    return out


def app_files(main_source):
    files = {"app/main.py": main_source.encode()}
    with open(os.path.join(APP_DIRECTORY, "data.txt"), "rb") as handle:
        files["app/data.txt"] = handle.read()
    return files


@test
def test_stdlib_imports_give_right_answers(make_board):
    board = make_board()
    booted(board)
    check(board.run("import json, re, collections, random, math, itertools, functools") == "",
          "stdlib imports failed")
    check(board.run("json.dumps({'a': [1, 2.5, None]})").strip() == """'{"a": [1, 2.5, null]}'""",
          "json.dumps")
    check(board.run("json.loads('[1, {\"b\": true}]')").strip() == "[1, {'b': True}]",
          "json.loads")
    check(board.run("re.findall(r'\\d+', 'a1b22c333')").strip() == "['1', '22', '333']", "re")
    check(board.run("collections.Counter('hello').most_common(1)").strip() == "[('l', 2)]",
          "collections.Counter")
    check(board.run("random.seed(7); 0 <= random.random() < 1").strip() == "True", "random")
    check(board.run("math.sqrt(16), math.pi > 3.14").strip() == "(4.0, True)", "math")
    check(board.run("list(itertools.accumulate([1, 2, 3, 4]))").strip() == "[1, 3, 6, 10]",
          "itertools")
    check(board.run("functools.reduce(lambda a, b: a * b, range(1, 6))").strip() == "120",
          "functools")
    check(board.run("import pipyos; pipyos.board().model").strip().startswith("'Raspberry Pi"),
          "pipyos package")


@test
def test_files_on_the_initfs(make_board, tools):
    board = make_board(initfs=make_initfs(tools, tools.workdir("files"), app_files("x = 1\n")))
    booted(board)
    with open(os.path.join(APP_DIRECTORY, "data.txt")) as handle:
        expected = handle.read()
    check(board.run("open('/app/data.txt').read()").strip() == repr(expected), "open().read()")
    check(board.run("open('/app/data.txt', 'rb').read(7)").strip() == "b'PiPyOS '", "binary read")
    board.run("import os")
    check(board.run("sorted(os.listdir('/app'))").strip() == "['data.txt', 'main.py']",
          "os.listdir")
    check(board.run("os.stat('/app/data.txt').st_size").strip() == str(len(expected)), "os.stat")
    check(board.run("os.path.isdir('/lib/python'), os.path.exists('/nope')").strip()
          == "(True, False)", "os.path")
    check(board.run("[line.strip() for line in open('/app/data.txt')]").strip()
          == "['PiPyOS initfs test data', 'line two']", "iterating a file")
    output = board.run("open('/app/new.txt', 'w')")
    check("OSError" in output and "Read-only file system" in output, "writing must give EROFS")
    output = board.run("open('/app/missing.txt')")
    check("FileNotFoundError" in output, "missing file must give FileNotFoundError")
    check(board.run("import errno; errno.EROFS").strip() == "30", "errno names")
    check(board.run("f = open('/app/data.txt'); f.readline(), f.tell() > 0, f.close()").strip()
          == "('PiPyOS initfs test data\\n', True, None)", "readline/tell/close")


@test
def test_main_py_runs_before_the_prompt(make_board, tools):
    source = open(os.path.join(APP_DIRECTORY, "main.py")).read()
    board = make_board(initfs=make_initfs(tools, tools.workdir("main"), app_files(source)))
    board.expect(r"main.py: hello from the app, running on pipyos\r\n", timeout=120)
    board.expect(r">>> ", timeout=60)
    check(board.run("greeting").strip() == "'set by main.py'", "main.py shares the REPL globals")


@test
def test_main_py_that_raises_still_reaches_the_prompt(make_board, tools):
    source = "print('main.py starts')\nraise ValueError('broken app')\n"
    board = make_board(initfs=make_initfs(tools, tools.workdir("raise"), app_files(source)))
    board.expect(r"main.py starts", timeout=120)
    board.expect(r"Traceback \(most recent call last\):.*ValueError: broken app", timeout=60)
    board.expect(r">>> ", timeout=60)
    check(board.run("1+1").strip() == "2", "REPL after a failing main.py")


@test
def test_corrupt_initfs_still_gives_a_repl(make_board, tools):
    workdir = tools.workdir("corrupt")
    good = os.path.join(workdir, "good.cpio")
    check(extract(tools.mkimage, tools.image, "initfs.cpio", good), "image has no initfs")
    data = open(good, "rb").read()
    for name, corrupt in (("truncated", data[:len(data) // 2]),
                          ("bad magic", b"XXXXXX" + data[6:])):
        path = os.path.join(workdir, name.replace(" ", "-") + ".cpio")
        with open(path, "wb") as handle:
            handle.write(corrupt)
        board = make_board(initfs=path)
        board.expect(r"no usable initfs \(initfs: [^)]*\)", timeout=120)
        board.expect(r">>> ", timeout=60)
        check(board.run("6*7").strip() == "42", f"REPL with a {name} initfs")
        check("FileNotFoundError" in board.run("open('/app/main.py')"),
              f"{name}: no files without an initfs")

# --- Issue: the real-time half (rt, machine, asyncio) ------------------------------------------
# Guest time must be exact for these: QEMU counts instructions (-icount shift=0: one instruction
# is one nanosecond) and skips idle time (sleep=off), so periods and latencies are repeatable
# whatever the host is doing. The checks compare guest-time quantities, never host time.
EXACT_TIME = ["-icount", "shift=0,sleep=off"]


@test
def test_machine_pin_is_visible_in_gplev(make_board):
    board = make_board()
    booted(board)
    board.run("import machine; p = machine.Pin(17, machine.Pin.OUT)")
    board.run("p.on()")
    check(board.run("machine.mem32[0x20200034] >> 17 & 1, p.value()").strip() == "(1, 1)",
          "GPLEV0 bit 17 after Pin(17).on()")
    board.run("p.off()")
    check(board.run("machine.mem32[0x20200034] >> 17 & 1, p.value()").strip() == "(0, 0)",
          "GPLEV0 bit 17 after off()")
    check(board.run("p.toggle(); p.value()").strip() == "1", "toggle")


@test
def test_machine_bad_arguments_raise_value_error(make_board):
    board = make_board()
    booted(board)
    board.run("import machine, rt")
    for expression, words in [
            ("machine.Pin(60)", "invalid pin 60"),
            ("machine.Pin(17, 42)", "invalid pin mode 42"),
            ("machine.Pin(14, machine.Pin.OUT)", "serial console"),
            ("machine.PWM(17, freq=1000)", "GPIO 17 has no PWM"),
            ("machine.I2C(7)", "invalid I2C bus 7"),
            ("machine.SPI(0, baudrate=1000, bits=9)", "invalid bits 9"),
            ("machine.Timer(period=-5, callback=print)", "invalid timer period"),
            ("machine.Timer(mode=7, period=5)", "invalid timer mode 7"),
            ("machine.WDT(timeout=0)", "watchdog timeout"),
            ("machine.mem32[0x20200001]", "not aligned"),
            ("machine.mem32[0x30000000]", "outside RAM"),
            ("machine.UART(1, tx=14, rx=15)", "serial console"),
            ("rt.set_period('square_wave', 10)", "period out of range"),
            ("rt.start('nonsense')", "no real-time task named"),
    ]:
        output = board.run(expression)
        check("ValueError" in output and words in output, f"{expression}: {output!r}")
    # Hardware QEMU does not emulate answers with a clean OSError, never a kernel fault.
    check("OSError" in board.run("machine.PWM(18, freq=1000)"), "PWM without the block")
    check("OSError" in board.run("machine.mem32[0x2020c000]"), "mem32 of an absent block")
    check(board.run("6*7").strip() == "42", "still alive")


@test
def test_timer_callback_runs_once_per_period(make_board):
    board = make_board(extra_args=EXACT_TIME)
    booted(board)
    board.run("import machine, time; n = [0]")
    # One line: with sleep=off, guest time also runs on while the REPL waits for the host.
    board.run("t = machine.Timer(period=10, callback=lambda t: n.__setitem__(0, n[0] + 1)); "
              "time.sleep(0.5); t.deinit(); count = n[0]")
    count = int(board.run("count").strip())
    check(49 <= count <= 50, f"10 ms timer over 0.5 s of guest time ran {count} times")
    # Callbacks also run while Python is busy in bytecode, between two instructions.
    board.run("n[0] = 0; t = machine.Timer(period=1, callback=lambda t: n.__setitem__(0, n[0] + 1))")
    board.run("exec('x = 0\\nfor i in range(20000): x += i'); t.deinit()")
    check(int(board.run("n[0]").strip()) > 0, "no timer callback during a busy loop")
    board.run("m = []; one = machine.Timer(mode=machine.Timer.ONE_SHOT, period=5, "
              "callback=lambda t: m.append(1)); time.sleep(0.1)")
    check(board.run("m").strip() == "[1]", "a one-shot timer fires once")


def rt_stats(board, task="square_wave"):
    import ast
    return ast.literal_eval(board.run(f"rt.stats({task!r})").strip())


@test
def test_square_wave_keeps_its_period_under_load(make_board):
    board = make_board(extra_args=EXACT_TIME)
    booted(board)
    board.run("import rt, time, machine")
    board.run("rt.start('square_wave')")
    loads = [
        ("idle", "time.sleep(0.5)"),
        ("bytecode", "exec('x = 0\\nfor i in range(30000): x += i * i')"),
        ("native call", "sum(range(3000000))"),
        ("heap churn", "exec('for i in range(3000): l = [bytearray(64) for j in range(20)]')"),
    ]
    for name, load in loads:
        board.run("rt.reset_stats('square_wave'); e0 = rt.info()['square_wave_edges']; "
                  f"t0 = time.ticks_us(); {load}; "
                  "e1 = rt.info()['square_wave_edges']; t1 = time.ticks_us()", timeout=600)
        stats = rt_stats(board)
        elapsed = int(board.run("time.ticks_diff(t1, t0)").strip())
        edges = int(board.run("e1 - e0").strip())
        check(stats["deadline_misses"] == 0, f"{name}: deadline misses {stats}")
        check(stats["overruns"] == 0, f"{name}: overruns {stats}")
        expected = elapsed // 500
        check(abs(edges - expected) <= 2, f"{name}: {edges} edges in {elapsed} µs")
        check(stats["latency_max_us"] is not None and stats["latency_max_us"] <= 5,
              f"{name}: release latency {stats['latency_max_us']} µs")
    # 10 KB arriving on the serial port while the wave runs (the REPL sees it as one long line).
    board.run("rt.reset_stats('square_wave')")
    board.send("time.sleep(1)\r")
    board.send_slowly(b" " * 10240, chunk=256, pause=0.01)
    # The spaces reach the board at the UART's pace; wait until they are all consumed.
    for attempt in range(20):
        board.send(b"\x03\rprint('flood', 40 + 2)\r")
        try:
            board.expect(r"flood 42\r\n>>> ", timeout=15)
            break
        except BoardError:
            continue
    stats = rt_stats(board)
    check(stats["deadline_misses"] == 0, f"serial flood: {stats}")
    check(board.run("rt.stop('square_wave'); 'stopped'").strip() == "'stopped'", "stop")


@test
def test_rt_channels_and_event_task(make_board):
    board = make_board(extra_args=EXACT_TIME)
    booted(board)
    board.run("import rt, time, array")
    board.run("rt.start('sampler'); time.sleep(0.1); rt.stop('sampler')")
    board.run("samples = rt.channel('samples'); buffer = array.array('I', bytes(4 * 200))")
    count = int(board.run("samples.readinto(buffer)").strip())
    check(90 <= count <= 101, f"sampler: {count} samples in 100 ms at 1 kHz")
    board.run("commands = rt.channel('commands'); rt.start('command')")
    board.run("commands.write(3 << 24 | 1234); commands.write(3 << 24 | 99); "
              "rt.release('command'); time.sleep(0.01)")
    check(board.run("samples.read()").strip() == "[1234, 99]", "command task echoes")
    stats = rt_stats(board, "command")
    check(stats["releases"] == 1 and stats["deadline_misses"] == 0, f"event task: {stats}")
    check("OSError" in board.run("samples.write(1)"), "samples is read-only from Python")


@test
def test_asyncio_gather_sleeps_and_friends(make_board):
    board = make_board(extra_args=EXACT_TIME)
    booted(board)
    board.run("import asyncio, time, machine")
    board.run("exec('async def g(): return await asyncio.gather(asyncio.sleep(0.1), "
              "asyncio.sleep(0.3), asyncio.sleep(0.2))')")
    board.run("t0 = time.ticks_us(); r = asyncio.run(g()); dt = time.ticks_diff(time.ticks_us(), t0)")
    elapsed = int(board.run("dt").strip())
    check(300_000 <= elapsed < 340_000, f"gathered sleeps took {elapsed} µs of guest time")
    check(board.run("r").strip() == "[None, None, None]", "gather result")
    output = board.run("exec('async def w(): await asyncio.wait_for(asyncio.sleep(5), 0.05)'); "
                       "asyncio.run(w())")
    check("TimeoutError" in output, "wait_for timeout")
    board.run("exec('async def q():\\n  queue = asyncio.Queue(); event = asyncio.Event()\\n"
              "  async def producer():\\n    await asyncio.sleep(0.01); await queue.put(5); event.set()\\n"
              "  task = asyncio.create_task(producer()); await event.wait()\\n"
              "  return await queue.get() + (await task is None)')")
    check(board.run("asyncio.run(q())").strip() == "6", "Queue, Event, tasks")
    # A timer callback wakes a coroutine through a ThreadSafeFlag; the loop sleeps meanwhile.
    board.run("exec('async def f():\\n  flag = asyncio.ThreadSafeFlag()\\n"
              "  t = machine.Timer(mode=machine.Timer.ONE_SHOT, period=50, callback=lambda t: flag.set())\\n"
              "  await asyncio.wait_for(flag.wait(), 2)\\n  return \\'woken\\'')")
    check(board.run("asyncio.run(f())").strip() == "'woken'", "ThreadSafeFlag from a Timer")


# --- Issue: raw REPL, mpremote, writable files ---------------------------------------------------

@test
def test_ctrl_c_at_continuation_prompt_drops_the_block(make_board):
    board = make_board()
    booted(board)
    board.send("if True:\r")
    board.expect(r"\.\.\. ")
    board.send("    x = 1\r")
    board.expect(r"\.\.\. ")
    board.send(b"\x03")
    board.expect(r"KeyboardInterrupt\r\n>>> ")
    # The next statement runs at once: the dropped block does not come back.
    board.send("print('fresh', 6 * 7)\r")
    board.expect(r"fresh 42\r\n>>> ")
    check(board.run("'x' in dir()").strip() == "False", "the interrupted block ran")


@test
def test_random_bytes_then_ctrl_c_give_a_clean_prompt(make_board):
    board = make_board()
    booted(board)
    generator = random.Random(7)
    # Bytes that stay on the line (no Enter, no Ctrl-A/C/D/E), escape sequences included.
    noise = bytes(generator.choice(b"abc \x1b[0;5~\xc3\xa9\x08\x7f") for _ in range(300))
    board.send_slowly(noise)
    board.send(b"\x03")
    board.expect(r"KeyboardInterrupt\r\n>>> ")
    board.send("print('clean', 1 + 1)\r")
    board.expect(r"clean 2\r\n>>> ")


@test
def test_paste_mode_and_tab_completion(make_board):
    board = make_board()
    booted(board)
    board.send(b"\x05")
    board.expect(r"paste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ")
    board.send("def twice(x):\n    return 2 * x\n\nprint('pasted', twice(21))\n")
    board.send(b"\x04")
    board.expect(r"pasted 42\r\n>>> ")
    board.run("import collections")
    board.send("collections.Orde\t")
    board.expect(r"OrderedDict\(")  # rlcompleter adds "(" to callables, as in CPython
    board.send(")\r")
    board.expect(r"OrderedDict\(\)\r\n>>> ")
    board.send("prin\t")
    board.expect(r"print\(")
    board.send("'done')\r")
    board.expect(r"done\r\n>>> ")


@test
def test_raw_repl_by_hand(make_board):
    board = make_board()
    booted(board)
    board.send(b"\x01")
    board.expect(r"raw REPL; CTRL-B to exit\r\n>")
    board.send(b"print(6*7)\x04")
    board.expect(rb"OK42\r\n\x04\x04>")
    board.send(b"1/0\x04")
    board.expect(rb"OK\x04Traceback.*ZeroDivisionError.*\x04>")
    board.send(b"\x02")
    board.expect(r">>> ")
    check(board.run("1+1").strip() == "2", "friendly REPL after Ctrl-B")


@test
def test_root_exists_without_an_initfs_and_tmp_is_writable(make_board):
    board = make_board(use_initfs=False)
    board.expect(r"no usable initfs", timeout=120)
    board.expect(r">>> ", timeout=60)
    board.run("import os")
    # Only the mount points: /tmp, and the SD card's /boot and /data.
    check(board.run("sorted(os.listdir('/'))").strip() == "['boot', 'data', 'tmp']",
          "listdir('/') without an initfs")
    board.run("open('/tmp/t.txt', 'w').write('data')")
    check(board.run("open('/tmp/t.txt').read()").strip() == "'data'", "/tmp read back")
    check("OSError" in board.run("open('/x.txt', 'w')"), "writing at / is refused")


def mpremote_board(tools):
    board = PtyBoard(tools.image, tools.mkimage)
    board.wait_for_prompt()
    return board


@test
def test_mpremote_commands(make_board, tools):
    if not tools.mpremote:
        raise SkipTest("needs --mpremote (the pinned mpremote from PyPI)")
    board = mpremote_board(tools)
    tools.keep(board)
    run = board.mpremote
    mpremote = tools.mpremote
    result = run(mpremote, "exec", "print(6*7)")
    check(result.returncode == 0 and result.stdout.strip() == "42", "exec")
    result = run(mpremote, "eval", "1+1")
    check(result.returncode == 0 and result.stdout.strip() == "2", "eval")
    workdir = tools.workdir("mpremote")
    script = os.path.join(workdir, "script.py")
    with open(script, "w") as handle:
        handle.write("import sys\nprint('ran on', sys.platform)\n")
    result = run(mpremote, "run", script)
    check(result.returncode == 0 and "ran on pipyos" in result.stdout, "run")
    payload = random.Random(5).randbytes(100 * 1024)
    local = os.path.join(workdir, "payload.bin")
    with open(local, "wb") as handle:
        handle.write(payload)
    result = run(mpremote, "fs", "cp", local, ":/tmp/payload.bin", timeout=900)
    check(result.returncode == 0, f"fs cp to the board: {result.stderr}")
    result = run(mpremote, "fs", "sha256sum", ":/tmp/payload.bin")
    check(hashlib.sha256(payload).hexdigest() in result.stdout, "sha256sum on the board")
    back = os.path.join(workdir, "back.bin")
    result = run(mpremote, "fs", "cp", ":/tmp/payload.bin", back, timeout=900)
    check(result.returncode == 0 and open(back, "rb").read() == payload, "fs cp back")
    result = run(mpremote, "fs", "mkdir", ":/tmp/dir", "+", "fs", "touch", ":/tmp/dir/f",
                 "+", "fs", "ls", ":/tmp/dir", "+", "fs", "rm", ":/tmp/dir/f", "+",
                 "fs", "rmdir", ":/tmp/dir", "+", "fs", "ls", ":/tmp")
    check(result.returncode == 0 and " f\n" in result.stdout and "dir/" not in
          result.stdout.split("ls :/tmp\n")[-1], f"mkdir/touch/ls/rm/rmdir: {result.stdout}")
    result = run(mpremote, "df")
    check(result.returncode == 0 and "tmp" in result.stdout, "df")
    result = run(mpremote, "exec", "x_before_reset = 1", "+", "soft-reset", "+", "eval",
                 "'x_before_reset' in globals()")
    check(result.returncode == 0 and result.stdout.strip().endswith("False"), "soft-reset")
    result = run(mpremote, "exec", "raise ValueError('from the board')")
    check(result.returncode != 0 and "ValueError: from the board" in result.stdout + result.stderr,
          "an exception gives an error exit status and the traceback")
    mounted = os.path.join(workdir, "mounted")
    os.makedirs(mounted)
    with open(os.path.join(mounted, "hostmod.py"), "w") as handle:
        handle.write("def hello():\n    return 'hello from the host'\n")
    result = run(mpremote, "mount", mounted, "exec", "import hostmod; print(hostmod.hello())")
    check(result.returncode == 0 and "hello from the host" in result.stdout, "mount + import")


# --- Issue: the HDMI screen (framebuffer console, framebuf, display) ----------------------------

# The console's cell at its default 16 px DejaVu Sans Mono, and QEMU's default screen.
CELL_HEIGHT = 19
SCREEN = (640, 480)


def host_rendering(tools, text, width=SCREEN[0], pixel_format="rgb565"):
    """The host's rendering of `text` on one blank console row, as QEMU shows the pixels."""
    if not tools.render_text:
        raise SkipTest("needs --render-text (pipyos-render-text)")
    key = f"{text}|{width}|{pixel_format}".encode()
    out = os.path.join(tools.workdir("render"), hashlib.sha256(key).hexdigest()[:16] + ".ppm")
    subprocess.run([tools.render_text, "--text", text, "--output", out, "--cursor", "hidden",
                    "--width", str(width), "--height", str(CELL_HEIGHT),
                    "--format", pixel_format], check=True)
    with open(out, "rb") as handle:
        return read_ppm(handle.read())


def rows_showing(screen, reference):
    """The console rows of a screendump whose pixels equal the one-row `reference`."""
    width, height, pixels = screen
    band = width * CELL_HEIGHT * 3
    return [row for row in range(height // CELL_HEIGHT)
            if pixels[row * band:(row + 1) * band] == reference[2]]


def closest_row_difference(screen, reference):
    """For a failure message: the fewest differing bytes of any row against `reference`."""
    width, height, pixels = screen
    band = width * CELL_HEIGHT * 3
    return min(sum(a != b for a, b in zip(pixels[row * band:(row + 1) * band], reference[2]))
               for row in range(height // CELL_HEIGHT))


def screen_board(make_board):
    board = make_board(monitor=True)
    booted(board)
    return board


@test
def test_screen_console_text_matches_the_host_rendering(make_board, tools):
    reference = host_rendering(tools, "HELLO")
    board = screen_board(make_board)
    check(board.run("print('HELLO')") == "HELLO\n", "print on serial")
    screen = board.screendump()
    check(screen[:2] == SCREEN, f"screen size {screen[:2]}")
    check(rows_showing(screen, reference),
          "no console row equals the host rendering of HELLO "
          f"(closest differs in {closest_row_difference(screen, reference)} bytes)")
    banner = host_rendering(tools, ">>> print('HELLO')")
    check(rows_showing(screen, banner), "the echoed input line is not on the screen")


@test
def test_screen_at_32_bpp_and_another_size_from_the_configuration(make_board, tools):
    config = b"framebuffer_width = 800\nframebuffer_height = 600\nframebuffer_depth = 32\n"
    initfs = make_initfs(tools, tools.workdir("screen32"), {"etc/pipyos.conf": config})
    reference = host_rendering(tools, "HELLO", width=800, pixel_format="xrgb8888")
    board = make_board(initfs=initfs, monitor=True)
    booted(board)
    check(board.run("import display; print(display.width, display.height, display.depth)")
          == "800 600 32\n", "geometry from /etc/pipyos.conf")
    check(board.run("print('HELLO')") == "HELLO\n", "print")
    screen = board.screendump()
    check(screen[:2] == (800, 600), f"screen size {screen[:2]}")
    check(rows_showing(screen, reference),
          "no row equals the host's 32 bpp rendering of HELLO "
          f"(closest differs in {closest_row_difference(screen, reference)} bytes)")
    board.run("display.console(False)")
    board.run("display.framebuffer().fill_rect(0, 0, 4, 4, display.rgb(10, 200, 30))")
    width, _, pixels = board.screendump()
    check(pixels[:3] == bytes([10, 200, 30]), f"32 bpp colour {pixels[:3].hex()}")


@test
def test_screen_shows_tracebacks(make_board, tools):
    reference = host_rendering(tools, "ZeroDivisionError: division by zero")
    board = screen_board(make_board)
    output = board.run("1/0")
    check("ZeroDivisionError" in output, output)
    screen = board.screendump()
    check(rows_showing(screen, reference),
          "the traceback's last line is not on the screen "
          f"(closest row differs in {closest_row_difference(screen, reference)} bytes)")


@test
def test_display_fill_rect_and_console_handover(make_board):
    board = screen_board(make_board)
    check(board.run("import display, framebuf") == "", "import")
    check(board.run("print(display.width, display.height, display.depth)") == "640 480 16\n",
          "geometry")
    check(board.run("display.console(False)") == "", "console off")
    before = board.screendump()
    check(board.run("display.framebuffer().fill_rect(10, 10, 50, 50, 0xF800)") == "", "fill_rect")
    after = board.screendump()
    width = before[0]
    wrong = []
    for y in range(before[1]):
        for x in range(width):
            at = (y * width + x) * 3
            inside = 10 <= x < 60 and 10 <= y < 60
            expected = b"\xf8\x00\x00" if inside else before[2][at:at + 3]
            if after[2][at:at + 3] != expected:
                wrong.append((x, y))
    check(not wrong, f"{len(wrong)} pixels wrong, first {wrong[:5]}")
    # With the console handed over, console text no longer reaches the screen.
    board.run("print('X' * 300)")
    board.run("1/0")
    check(board.screendump() == after, "console text reached the screen after console(False)")
    check(board.run("print(display.console())") == "False\n", "console() state")
    check(board.run("display.console(True)") == "", "console on")
    check(board.screendump() != after, "console(True) did not repaint the console")
    # Bad input raises ValueError; off-screen drawing clips.
    for source in ["display.text('x', 0, 0, size=1000)",
                   "framebuf.FrameBuffer(bytearray(10), 10, 10, framebuf.RGB565)",
                   "framebuf.FrameBuffer(bytearray(200), 10, 10, 99)",
                   "framebuf.FrameBuffer(bytearray(200), 0, 10, framebuf.GS8)"]:
        output = board.run(source)
        check("ValueError" in output, f"{source}: {output}")
    check(board.run("display.framebuffer().fill_rect(-100, -100, 10**6, 5, 0)") == "", "clip")
    check("TypeError" in board.run("framebuf.FrameBuffer(b'x' * 200, 10, 10, framebuf.GS8)"),
          "read-only buffer")


@test
def test_framebuf_on_a_bytearray_and_display_text(make_board):
    board = make_board()
    booted(board)
    board.run("import framebuf, display")
    board.run("buf = bytearray(32); fb = framebuf.FrameBuffer(buf, 16, 16, framebuf.MONO_HLSB)")
    board.run("fb.pixel(0, 0, 1); fb.hline(0, 15, 16, 1)")
    check(board.run("print(buf[0], buf[30], buf[31], fb.pixel(0, 0), fb.pixel(1, 1))")
          == "128 255 255 1 0\n", "MONO_HLSB pixels")
    board.run("g = bytearray(64); gb = framebuf.FrameBuffer(g, 8, 8, framebuf.GS8)")
    board.run("gb.fill(0); gb.text('A', 0, 0, 200); gb.rect(0, 0, 8, 8, 7)")
    check(board.run("print(g[0], g[7], g[63], sum(1 for v in g if v == 200) > 4)")
          == "7 7 7 True\n", "GS8 text and rect")
    board.run("gb.scroll(1, 0); gb.blit(fb, 0, 0, 0)")
    check(board.run("print(gb.pixel(0, 0))") == "1\n", "blit with key")
    output = board.run("print(display.text('Hi', 100, 100, size=24))")
    check(re.fullmatch(r"\(\d+, \d+\)\n", output), output)


@test
def test_panic_report_reaches_the_screen(make_board):
    board = screen_board(make_board)
    board.run("import _pipyos")
    board.send("_pipyos._crash('panic')\r")
    board.expect(r"Rust panic: .*deliberate panic")
    board.expect(r"halted after a Rust panic")
    width, height, pixels = board.screendump()
    # The console draws grey (0xAAAAAA); only the emergency 8x8 report is white.
    white = sum(1 for at in range(0, len(pixels), 3) if pixels[at:at + 3] == b"\xf8\xfc\xf8")
    check(white > 200, f"only {white} white pixels: the report is not on the screen")


@test
def test_dashboard_example_draws_and_gives_the_console_back(make_board):
    board = screen_board(make_board)
    board.send("exec(open('/examples/dashboard.py').read())\r")
    board.expect(r"dashboard\.py'\)\.read\(\)\)\r\n")
    background = b"\x10\x18\x30"  # rgb(16, 24, 48) in RGB565, as QEMU widens it
    accent = b"\xf8\xc8\x28"  # rgb(255, 200, 40)
    # The first frame takes a moment (font rasterising at two sizes): look until it is there.
    for _ in range(60):
        time.sleep(1)
        width, height, pixels = board.screendump()
        count = {colour: pixels.count(colour) for colour in (background, accent)}
        if count[background] > width * height // 10 and count[accent] > 50:
            break
    check(count[background] > width * height // 10, f"background pixels: {count}")
    check(count[accent] > 50, f"accent (clock, plot) pixels: {count}")
    board.send("\x03")
    board.expect(r">>> ")
    check(board.run("import display; print(display.console())") == "True\n", "console back")


# --- Issue: SD card and FAT (/boot, /data) -------------------------------------------------------

# The composer's layout: boot partition at 4 MiB, 64 MiB long; the data partition after it.
BOOT_OFFSET = 4 << 20
DATA_OFFSET = BOOT_OFFSET + (64 << 20)


def card_copy(tools, name):
    """A writable copy of the image, to be the SD card of several boots."""
    import shutil
    path = os.path.join(tools.workdir(name), "card.img")
    shutil.copyfile(tools.image, path)
    return path


def mtools(*arguments):
    """Runs an mtools command (mcopy, mtype, mmd) on an image partition; SkipTest without it."""
    import shutil
    if shutil.which(arguments[0]) is None:
        raise SkipTest(f"needs {arguments[0]} (mtools)")
    result = subprocess.run(list(arguments), capture_output=True,
                            env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
    check(result.returncode == 0, f"{arguments}: {result.stderr.decode(errors='replace')}")
    return result.stdout


@test
def test_sd_card_files_survive_a_reboot(make_board, tools):
    card = card_copy(tools, "sd-persist")
    board = make_board(card=card)
    booted(board)
    check("SD card" in board.text() and "/data (PIPYDATA)" in board.text(), "mount line")
    output = board.run("import os; print(sorted(os.listdir('/boot')))")
    check("'kernel.img'" in output and "'config.txt'" in output, output)
    board.run("import hashlib; data = bytes(range(256)) * 4096")
    board.run("f = open('/data/big.bin', 'wb'); f.write(data); f.close()")
    digest = board.run("print(hashlib.sha256(data).hexdigest())").strip()
    board.run("f = open('/data/hello.txt', 'w'); f.write('persist 42'); f.close()")
    board.run("os.mkdir('/data/dir'); open('/data/dir/x', 'w').close(); os.sync()")
    stat = board.run("print(os.statvfs('/data')[0] > 0, os.stat('/data/big.bin')[6])")
    check(stat == "True 1048576\n", stat)
    board.close()
    # The same card, booted again: everything is still there.
    board = make_board(card=card)
    booted(board)
    check(board.run("print(open('/data/hello.txt').read())") == "persist 42\n", "reboot read")
    board.run("import hashlib")
    output = board.run("print(hashlib.sha256(open('/data/big.bin', 'rb').read()).hexdigest())")
    check(output.strip() == digest, f"{output} != {digest}")
    output = board.run("import os; os.rename('/data/hello.txt', '/data/renamed.txt'); "
                       "os.remove('/data/dir/x'); os.rmdir('/data/dir'); "
                       "print(os.listdir('/data'))")
    import ast
    names = ast.literal_eval(output.strip())
    check("renamed.txt" in names and "hello.txt" not in names and "dir" not in names, output)
    check("FileNotFoundError" in board.run("open('/data/missing')"), "missing file")
    board.close()
    # The host reads what the board wrote.
    text = mtools("mtype", "-i", f"{card}@@{DATA_OFFSET}", "::/renamed.txt")
    check(text == b"persist 42", f"host read {text!r}")


@test
def test_card_app_packages_log_and_safe_boot(make_board, tools):
    card = card_copy(tools, "sd-app")
    workdir = tools.workdir("sd-app")
    main = os.path.join(workdir, "main.py")
    with open(main, "w") as handle:
        handle.write("import pipyos\nprint('DATA APP RAN')\npipyos.log('booted', 1)\n")
    package = os.path.join(workdir, "__init__.py")
    with open(package, "w") as handle:
        handle.write("NAME = 'from the card'\n")
    image = f"{card}@@{DATA_OFFSET}"
    mtools("mcopy", "-i", image, main, "::/main.py")
    mtools("mmd", "-i", image, "::/lib", "::/lib/greet")
    mtools("mcopy", "-i", image, package, "::/lib/greet/__init__.py")
    board = make_board(card=card)
    board.expect(r"DATA APP RAN", timeout=120)
    board.expect(r">>> ", timeout=120)
    check(board.run("import greet; print(greet.NAME)") == "from the card\n", "package import")
    board.close()
    # The log survives the reset; a file /boot/SAFE skips the card's app.
    safe = os.path.join(workdir, "SAFE")
    open(safe, "w").close()
    mtools("mcopy", "-i", f"{card}@@{BOOT_OFFSET}", safe, "::/SAFE")
    board = make_board(card=card)
    booted(board)
    check("safe boot (/boot/SAFE exists)" in board.text(), "no safe-boot message")
    check("DATA APP RAN" not in board.text(), "the card's app ran in safe boot")
    output = board.run("print(open('/data/log.txt').read())")
    check(re.search(r"^\d+\.\d+ booted 1$", output, re.M), output)


# --- Issue: USB host and a USB keyboard -------------------------------------------------------

# What QEMU's sendkey names each character of the typed text (US layout).
SENDKEY = {"(": "shift-9", ")": "shift-0", "*": "shift-8", " ": "spc", "'": "apostrophe",
           ".": "dot", "=": "equal", "+": "shift-equal", "_": "shift-minus", "-": "minus",
           ",": "comma", ":": "shift-semicolon", ";": "semicolon", "\r": "ret"}


def sendkeys(board, text):
    """Types `text` on the USB keyboard through the QEMU monitor, one key at a time."""
    import time
    for character in text:
        key = SENDKEY.get(character)
        if key is None:
            key = f"shift-{character.lower()}" if character.isupper() else character
        board.monitor_command(f"sendkey {key}")
        # sendkey holds each key 100 ms; let it be released before the next.
        time.sleep(0.15)


def press(board, key):
    """Presses one key (a QEMU key name: "home", "left", "ctrl-c") on the USB keyboard."""
    import time
    board.monitor_command(f"sendkey {key}")
    time.sleep(0.15)


def usb_devices(board):
    """{driver: count} of what `usb.devices()` lists."""
    import ast
    output = board.run("import usb; print(sorted(d.driver for d in usb.devices()))")
    return ast.literal_eval(output.strip().splitlines()[-1])


def wait_for_usb(board, expected, timeout=60):
    """Waits until `usb.devices()` lists exactly the drivers in `expected` (sorted list)."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        found = usb_devices(board)
        if found == expected:
            return
        if time.monotonic() > deadline:
            raise BoardError(f"usb.devices() drivers {found}, expected {expected}; log: "
                             + board.run("print(usb.log())"))
        time.sleep(0.5)


def ast_literal_of(output):
    import ast
    return ast.literal_eval(output.strip().splitlines()[-1])


def keyboard_board(make_board):
    board = make_board(monitor=True, extra_args=["-device", "usb-kbd,id=kbd"])
    booted(board)
    wait_for_usb(board, ["hub", "keyboard"])
    return board


@test
def test_usb_keyboard_types_at_the_repl_and_on_the_screen(make_board, tools):
    board = keyboard_board(make_board)
    listing = board.run("print('\\n'.join(map(repr, usb.devices())))")
    check("QEMU USB Hub" in listing and "QEMU USB Keyboard" in listing,
          f"usb.devices() does not name the hub and the keyboard: {listing!r}")
    check("class=9 (hub)" in listing and "class=3 (hid)" in listing, listing)
    sendkeys(board, "print(6*7)\r")
    board.expect(r"print\(6\*7\)\r\n42\r\n>>> ", timeout=60)
    reference = host_rendering(tools, "42")
    screen = board.screendump()
    check(rows_showing(screen, reference), "42 typed on the USB keyboard is not on the screen")
    # The serial port still works beside the keyboard.
    check(board.run("6*7").strip() == "42", "serial input after keyboard input")


@test
def test_usb_keyboard_ctrl_c_interrupts_and_key_events(make_board):
    import time
    board = keyboard_board(make_board)
    board.send("while True: pass\r")
    board.expect(r"\.\.\. ")
    board.send("\r")
    time.sleep(1.0)
    board.monitor_command("sendkey ctrl-c")
    board.expect(r"KeyboardInterrupt\r\n>>> ", timeout=60)
    # Raw key events: a press and a release of "a" (usage 4), with its name. The board waits
    # for both events before printing them (the key also goes to the console's input).
    board.run("import keyboard, time; keyboard.events()")
    wait_line = ("exec(\"print('WAIT' + 'ING')\\nwhile keyboard.pending() < 2: "
                 "time.sleep(0.01)\")\r")
    board.send(wait_line)
    board.expect(r"\r\nWAITING\r\n", timeout=30)
    press(board, "a")
    board.expect(r">>> ", timeout=30)
    # The "a" waits at the new prompt: erase it before the next command.
    board.send("\x7f")
    output = board.run("print([(e.key, e.action, e.name) for e in keyboard.events()])")
    check("(4, 1, 'a'), (4, 0, 'a')" in output, f"key events: {output!r}")
    check(board.run("keyboard.set_layout('xx')").count("ValueError") == 1, "bad layout")
    board.run("keyboard.set_layout('de')")
    board.send(wait_line)
    board.expect(r"\r\nWAITING\r\n", timeout=30)
    press(board, "y")  # the key labelled Z on a German keyboard
    board.expect(r">>> ", timeout=30)
    board.send("\r")
    board.expect(r"NameError: name 'z' is not defined", timeout=30)


@test
def test_usb_keyboard_unplug_and_replug_beside_a_mouse(make_board):
    import time
    board = make_board(monitor=True, extra_args=["-device", "usb-kbd,id=kbd",
                                                 "-device", "usb-mouse,id=mouse"])
    booted(board)
    wait_for_usb(board, ["hub", "keyboard", "mouse"])
    board.monitor_command("mouse_move 10 20")
    board.monitor_command("mouse_button 1")
    time.sleep(0.5)
    x, y, buttons, _ = ast_literal_of(board.run("print(usb.mouse())"))
    check(x > 0 and y > 0 and buttons == 1, f"usb.mouse() {(x, y, buttons)}")
    board.monitor_command("mouse_button 0")
    board.monitor_command("device_del kbd")
    wait_for_usb(board, ["hub", "mouse"])
    check("detached" in board.run("print(usb.log())"), "detach not logged")
    board.monitor_command("device_add usb-kbd,id=kbd2")
    wait_for_usb(board, ["hub", "keyboard", "mouse"])
    # The editing keys reach the line editor: Home, then Left before the closing parenthesis.
    sendkeys(board, "rint(6*)")
    press(board, "home")
    sendkeys(board, "p")
    press(board, "end")
    press(board, "left")
    sendkeys(board, "7\r")
    board.expect(r"\r\n42\r\n>>> ", timeout=60)


@test
def test_board_works_without_usb_devices(make_board):
    board = make_board()
    booted(board)
    check(board.run("import usb; print(usb.devices(), usb.stats()['started'])").strip()
          == "[] 1", "USB with nothing attached")
    check(board.run("6*7").strip() == "42", "REPL")


# --- Issue: Ethernet and TCP/IP ----------------------------------------------------------------

def network_board(make_board, extra=()):
    """A board with QEMU's CDC Ethernet adapter on user networking, isolated to loopback."""
    board = make_board(monitor=True, extra_args=["-netdev", "user,id=net0,restrict=on",
                                                 "-device", "usb-net,netdev=net0", *extra])
    booted(board)
    wait_for_usb(board, ["hub", "net"])
    return board


@test
def test_network_address_by_dhcp_over_usb_ethernet(make_board):
    import time
    board = network_board(make_board)
    board.run("import network; lan = network.LAN()")
    deadline = time.monotonic() + 60
    while not board.run("print(lan.isconnected())").strip().endswith("True"):
        if time.monotonic() > deadline:
            raise BoardError("no DHCP lease: " + board.run("print(usb.log(), lan.stats())"))
        time.sleep(0.5)
    config = ast_literal_of(board.run("print(lan.ifconfig())"))
    # restrict=on: QEMU's DHCP server offers neither a router nor a DNS server.
    check(config == ("10.0.2.15", "255.255.255.0", "0.0.0.0", "0.0.0.0"),
          f"ifconfig {config}")
    mac, status = board.run("print(lan.config('mac').hex(), lan.status())").split()
    check(mac.startswith("525400") and len(mac) == 12 and status == "3",
          f"MAC address {mac} (QEMU's 52:54:00:...) or status {status}")
    check("DHCP lease 10.0.2.15/24" in board.run("print(usb.log())"), "lease not logged")


def free_local_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_lease(board, timeout=60):
    import time
    board.run("import network, socket; lan = network.LAN()")
    deadline = time.monotonic() + timeout
    while not board.run("print(lan.isconnected())").strip().endswith("True"):
        if time.monotonic() > deadline:
            raise BoardError("no DHCP lease: " + board.run("print(usb.log(), lan.stats())"))
        time.sleep(0.5)


@test
def test_network_tcp_server_on_the_board_answers_the_host(make_board):
    import socket
    port = free_local_port()
    board = make_board(monitor=True, extra_args=[
        "-netdev", f"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:7",
        "-device", "usb-net,netdev=net0"])
    booted(board)
    wait_for_usb(board, ["hub", "net"])
    wait_for_lease(board)
    board.run("server = socket.socket(); server.bind(('', 7)); server.listen(2)")
    for round_number in range(2):
        board.send("c, peer = server.accept(); c.sendall(c.recv(100).upper()); c.close()\r")
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(b"hello board %d" % round_number)
            reply = client.recv(100)
        check(reply == b"HELLO BOARD %d" % round_number, f"echo reply {reply!r}")
        board.expect(r">>> ", timeout=30)
    # Running out of sockets is an OSError, never a crash.
    output = board.run("try:\r  x = [socket.socket() for _ in range(40)]; "
                       "[s.bind(('', 1000 + i)) or s.listen(1) for i, s in enumerate(x)]\r"
                       "except OSError as e: print('OSError', e.errno)\r")
    check("OSError 23" in output, f"socket exhaustion: {output!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", required=True)
    parser.add_argument("--mkimage", required=True)
    parser.add_argument("--qemu", default="qemu-system-arm")
    parser.add_argument("--initfs-tool", default=None,
                        help="pipyos-initfs (for the tests that repack the initfs)")
    parser.add_argument("--mpremote", default=None,
                        help="the pinned mpremote (tests/emulated/requirements.txt)")
    parser.add_argument("--render-text", default=None,
                        help="pipyos-render-text (for the screen tests)")
    parser.add_argument("-k", dest="selection", default="")
    parser.add_argument("-j", "--jobs", type=int,
                        default=int(os.environ.get("PIPYOS_TEST_JOBS", "2")),
                        help="boards running at once (default 2, or PIPYOS_TEST_JOBS)")
    arguments = parser.parse_args()
    passed = failed = skipped = 0
    scratch = tempfile.mkdtemp(prefix="pipyos-tests-")

    class Tools:
        image = arguments.image
        mkimage = arguments.mkimage
        initfs = arguments.initfs_tool
        mpremote = arguments.mpremote
        render_text = arguments.render_text

        @staticmethod
        def workdir(name):
            path = os.path.join(scratch, name)
            os.makedirs(path, exist_ok=True)
            return path

    def run_one(function):
        """Runs one test; returns (outcome, report)."""
        boards = []

        def make_board(**options):
            board = Board(arguments.image, arguments.mkimage, arguments.qemu, **options)
            boards.append(board)
            return board

        class TestTools(Tools):
            @staticmethod
            def keep(board):
                boards.append(board)

        needs_tools = function.__code__.co_argcount > 1
        if needs_tools and Tools.initfs is None:
            return "SKIP", f"SKIP {function.__name__} (needs --initfs-tool)"
        try:
            if needs_tools:
                function(make_board, TestTools)
            else:
                function(make_board)
            return "PASS", f"PASS {function.__name__}"
        except SkipTest as reason:
            return "SKIP", f"SKIP {function.__name__} ({reason})"
        except Exception:  # noqa: BLE001 - report every failure with its log
            report = [f"FAIL {function.__name__}", traceback.format_exc()]
            for board in boards:
                report += ["----- serial log -----", board.text(), "----- end of serial log -----"]
            return "FAIL", "\n".join(report)
        finally:
            for board in boards:
                board.close()

    wanted = [part for part in arguments.selection.split(",") if part] or [""]
    selected = [function for function in TESTS
                if any(part in function.__name__ for part in wanted)]
    # Boards boot in parallel: each test has its own QEMU; the host's cores share the work.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, arguments.jobs)) as pool:
        for outcome, report in pool.map(run_one, selected):
            print(report, flush=True)
            passed += outcome == "PASS"
            failed += outcome == "FAIL"
            skipped += outcome == "SKIP"
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
