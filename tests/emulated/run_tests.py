#!/usr/bin/env python3
"""Emulated boot tests: boot the real PiPyOS image in QEMU raspi0 and drive the REPL over serial.

Usage: run_tests.py --image IMG --mkimage PATH [--qemu qemu-system-arm] [-k SUBSTRING]
Every test prints PASS/FAIL; a failure prints the serial log. The last line is
"N passed, N failed".
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import Board, BoardError, extract  # noqa: E402

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
    board.send("x = bytearray(1 << 30)\r")
    match = board.expect(r"(MemoryError|out of memory)", timeout=120)
    if match.group(1) == b"out of memory":
        board.expect(r"PiPyOS .* on .*\n", timeout=180)
    board.expect(r">>> ", timeout=180)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", required=True)
    parser.add_argument("--mkimage", required=True)
    parser.add_argument("--qemu", default="qemu-system-arm")
    parser.add_argument("-k", dest="selection", default="")
    arguments = parser.parse_args()
    passed = failed = 0
    for function in TESTS:
        if arguments.selection not in function.__name__:
            continue
        boards = []

        def make_board(**options):
            board = Board(arguments.image, arguments.mkimage, arguments.qemu, **options)
            boards.append(board)
            return board

        try:
            function(make_board)
            passed += 1
            print(f"PASS {function.__name__}", flush=True)
        except Exception:  # noqa: BLE001 - report every failure with its log
            failed += 1
            print(f"FAIL {function.__name__}", flush=True)
            traceback.print_exc()
            for board in boards:
                print("----- serial log -----")
                print(board.text())
                print("----- end of serial log -----", flush=True)
        finally:
            for board in boards:
                board.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
