"""Prints what PiPyOS knows about the board: run with `exec(open('/examples/hello.py').read())`."""

import time

import pipyos

board = pipyos.board()
print("Hello from", board.model)
print("RAM for ARM:", board.arm_memory // (1024 * 1024), "MiB; heap free:",
      pipyos.mem_free() // 1024, "KiB")
start = time.ticks_ms()
time.sleep_ms(100)
print("slept", time.ticks_diff(time.ticks_ms(), start), "ms")
