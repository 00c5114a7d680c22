"""Talk to a serial console on a unix socket: wait for text, send lines.

Usage: pipyos-console-expect [--timeout SECONDS] SOCKET STEP...
where each STEP is one of
  expect TEXT       wait until TEXT appears in the output
  expect-line TEXT  wait for a whole output line equal to TEXT
  send TEXT         send TEXT and a carriage return (the Enter key)
Steps run in order; each looks only at output after the previous match.
The transcript goes to standard output. Exits 1 with a message when the
console does not answer within the timeout (counted over all steps).
Used by the nixos-vm check (nix/checks/nixos-vm.nix) inside the VM.
"""

import argparse
import re
import socket
import sys
import time

STEP_KINDS = ("expect", "expect-line", "send")


def parse_steps(words):
    """Pairs the STEP words into (kind, text) tuples."""
    if len(words) % 2 != 0:
        raise ValueError("every step needs a kind and a text")
    steps = list(zip(words[0::2], words[1::2]))
    for kind, _ in steps:
        if kind not in STEP_KINDS:
            raise ValueError(
                f"unknown step {kind!r}; use one of {', '.join(STEP_KINDS)}"
            )
    return steps


def connect(path, deadline):
    """Connects to the socket, retrying until it exists and listens."""
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            return client
        except (FileNotFoundError, ConnectionRefusedError):
            client.close()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no console listening on {path}")
            time.sleep(0.5)


class Console:
    """Output seen so far, and the position the next search starts at."""

    def __init__(self, client, deadline):
        self.client = client
        self.deadline = deadline
        self.output = ""
        self.position = 0

    def read_more(self, waiting_for):
        """Appends the next chunk of output; raises on timeout or EOF."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"timed out waiting for {waiting_for!r}")
        self.client.settimeout(remaining)
        try:
            chunk = self.client.recv(4096)
        except socket.timeout:
            raise TimeoutError(f"timed out waiting for {waiting_for!r}")
        if not chunk:
            raise EOFError(f"console closed while waiting for {waiting_for!r}")
        text = chunk.decode("utf-8", errors="replace")
        sys.stdout.write(text)
        sys.stdout.flush()
        self.output += text

    def wait_for(self, pattern, description):
        """Waits until `pattern` matches after the current position."""
        while True:
            match = pattern.search(self.output, self.position)
            if match:
                self.position = match.end()
                return
            self.read_more(description)

    def send(self, text):
        """Sends `text` followed by a carriage return."""
        self.client.sendall(text.encode("utf-8") + b"\r")


def run(arguments):
    """Runs the steps; returns the process exit status."""
    steps = parse_steps(arguments.steps)
    deadline = time.monotonic() + arguments.timeout
    client = connect(arguments.socket, deadline)
    console = Console(client, deadline)
    try:
        for kind, text in steps:
            if kind == "send":
                console.send(text)
            elif kind == "expect":
                console.wait_for(re.compile(re.escape(text)), text)
            else:
                line = re.compile(
                    r"(?:^|\n)\r*" + re.escape(text) + r"\r*\n", re.MULTILINE
                )
                console.wait_for(line, text + " (a whole line)")
    finally:
        client.close()
    return 0


def main():
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description="Drive a serial console on a unix socket."
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("socket")
    parser.add_argument("steps", nargs="+", metavar="STEP")
    arguments = parser.parse_args()
    try:
        return run(arguments)
    except (ValueError, TimeoutError, EOFError, OSError) as error:
        print(f"\npipyos-console-expect: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
