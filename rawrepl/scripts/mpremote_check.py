#!/usr/bin/env python3
"""Runs real `mpremote` commands against the fake board example behind a pseudo-terminal.

Usage: mpremote_check.py FAKE_BOARD_BINARY [MPREMOTE [BOARD_ARGUMENT...]]

FAKE_BOARD_BINARY is the built `fake_board` example of pipyos-rawrepl; MPREMOTE is the
mpremote executable (default: `mpremote` on PATH); BOARD_ARGUMENTs go to the fake board
(`--no-raw-paste`, `--window N`). Prints one line per check and a closing
'N passed, N failed' line; exits non-zero if any check failed.
"""
import os
import pty
import subprocess
import sys
import tempfile
import tty


def main():
    board_binary = sys.argv[1]
    mpremote = sys.argv[2] if len(sys.argv) > 2 else "mpremote"
    controller, device = pty.openpty()
    tty.setraw(device)
    device_path = os.ttyname(device)
    board_arguments = sys.argv[3:]
    board = subprocess.Popen(
        [board_binary, *board_arguments], stdin=controller, stdout=controller
    )

    lines = ["total = 0"]
    count = 0
    while sum(len(line) + 1 for line in lines) < 20000:
        lines.append("total = total + 1  # padding padding padding padding")
        count += 1
    lines.append("print('total', total)")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write("\n".join(lines) + "\n")

    checks = [
        ("exec", ["exec", "print(1+2)"], 0, "3\n"),
        ("eval", ["eval", "'a' + 'b'"], 0, "ab\n"),
        ("state across chained commands", ["exec", "x = 5", "exec", "print(x + 1)"], 0, "6\n"),
        ("resume keeps the interpreter", ["resume", "exec", "print(x)"], 0, "5\n"),
        ("soft reset clears it", ["soft-reset", "exec", "print(x)"], 1, None),
        ("error text and exit status", ["exec", "raise ValueError('bad')"], 1, None),
        ("20 kB raw-paste run", ["run", script.name], 0, f"total {count}\n"),
        ("start a program that never ends", ["exec", "--no-follow", "wait_for_interrupt()"], 0, ""),
        ("interrupt it and carry on", ["exec", "print('after')"], 0, "after\n"),
        ("sys.exit soft-resets", ["exec", "import sys; sys.exit()", "exec", "print('still raw')"], 0, "still raw\n"),
    ]
    passed = failed = 0
    for name, arguments, status, expected in checks:
        result = subprocess.run(
            [mpremote, "connect", device_path, *arguments],
            capture_output=True,
            timeout=60,
        )
        output = result.stdout.decode(errors="replace").replace("\r\n", "\n")
        ok = result.returncode == status and (expected is None or output == expected)
        if status == 1 and "soft reset" in name:
            ok = ok and "NameError" in output
        if status == 1 and "error text" in name:
            ok = ok and "ValueError: bad" in output
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: status {result.returncode}, output {output!r}")
        if not ok:
            print(f"     stderr {result.stderr.decode(errors='replace')!r}")
    board.kill()
    os.unlink(script.name)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
