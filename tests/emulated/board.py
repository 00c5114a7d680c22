"""A PiPyOS board in QEMU (raspi0), driven over its serial console like a person at a terminal."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

INITFS_ADDRESS = "0x2000000"


class BoardError(AssertionError):
    """An expectation failed; carries the serial log."""


def extract(mkimage, image, name, out):
    """Takes one file out of the image's FAT boot partition with the composer's own reader."""
    result = subprocess.run([mkimage, "extract", image, name, out], capture_output=True, text=True)
    if result.returncode != 0:
        return False
    return True


def read_ppm(data):
    """(width, height, RGB bytes) of a binary (P6) PPM with maxval 255."""
    fields = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise BoardError(f"not a P6 PPM with maxval 255: {fields}")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[position + 1:position + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise BoardError("short PPM")
    return width, height, pixels


class Board:
    """Boots an SD image in QEMU; `expect` waits for text on the serial console."""

    def __init__(self, image, mkimage, qemu="qemu-system-arm", initfs=None, use_initfs=True,
                 extra_args=(), monitor=False, card=None):
        self.workdir = tempfile.mkdtemp(prefix="pipyos-board-")
        self.monitor_path = os.path.join(self.workdir, "monitor.sock") if monitor else None
        self.kernel = os.path.join(self.workdir, "kernel.img")
        if not extract(mkimage, image, "kernel.img", self.kernel):
            raise BoardError(f"cannot extract kernel.img from {image}")
        arguments = [qemu, "-M", "raspi0", "-bios", self.kernel]
        if initfs is None and use_initfs:
            initfs = os.path.join(self.workdir, "initfs.cpio")
            if not extract(mkimage, image, "initfs.cpio", initfs):
                initfs = None
        if initfs is not None:
            arguments += ["-device", f"loader,file={initfs},addr={INITFS_ADDRESS},force-raw=on"]
        monitor_argument = (f"unix:{self.monitor_path},server=on,wait=off"
                            if self.monitor_path else "none")
        # `card`: a writable copy of the image used as the SD card (changes persist).
        drive = (f"if=sd,format=raw,file={card}" if card
                 else f"if=sd,format=raw,snapshot=on,file={image}")
        arguments += ["-drive", drive,
                      "-display", "none", "-monitor", monitor_argument, "-serial", "stdio"]
        arguments += list(extra_args)
        self.arguments = arguments
        self.monitor = None
        self.process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.log = bytearray()
        self.cursor = 0
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.process.stdout.read1(4096)
            if not chunk:
                break
            with self.lock:
                self.log.extend(chunk)
                self.lock.notify_all()
        with self.lock:
            self.lock.notify_all()

    def text(self):
        """The whole serial log so far, decoded."""
        with self.lock:
            return self.log.decode("utf-8", "replace")

    def expect(self, pattern, timeout=60):
        """Waits until `pattern` (a regex over the text after the cursor) appears; moves the
        cursor past it and returns the match."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.S)
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                match = regex.search(self.log, self.cursor)
                if match:
                    self.cursor = match.end()
                    return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and not self.reader.is_alive()):
                    raise BoardError(
                        f"timed out after {timeout} s waiting for {pattern!r}"
                        if remaining <= 0 else f"QEMU exited while waiting for {pattern!r}")
                self.lock.wait(min(remaining, 0.5))

    def send(self, data):
        """Types `data` (str or bytes) on the serial console."""
        if isinstance(data, str):
            data = data.encode()
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send_slowly(self, data, chunk=16, pause=0.002):
        """Types `data` in small chunks, like a person or a slow link."""
        if isinstance(data, str):
            data = data.encode()
        for start in range(0, len(data), chunk):
            self.send(data[start:start + chunk])
            time.sleep(pause)

    def run(self, line, timeout=60):
        """Types one line at `>>> ` and returns the output before the next prompt."""
        self.send(line + "\r")
        match = self.expect(r"\r\n(.*?)>>> ", timeout)
        return match.group(1).decode("utf-8", "replace").replace("\r\n", "\n")

    def monitor_command(self, command, timeout=30):
        """Sends one command to the QEMU monitor (the board must be made with monitor=True)
        and returns what it printed before the next prompt."""
        import socket
        if self.monitor is None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    self.monitor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.monitor.connect(self.monitor_path)
                    break
                except OSError:
                    self.monitor.close()
                    self.monitor = None
                    if time.monotonic() > deadline:
                        raise BoardError("cannot connect to the QEMU monitor")
                    time.sleep(0.1)
            self.monitor.settimeout(timeout)
            self._monitor_until_prompt()
        self.monitor.sendall(command.encode() + b"\n")
        return self._monitor_until_prompt()

    def _monitor_until_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.monitor.recv(4096)
            if not chunk:
                raise BoardError("the QEMU monitor closed")
            data += chunk
        return data.decode("utf-8", "replace")

    def screendump(self):
        """The screen as (width, height, RGB bytes), through the monitor's `screendump`."""
        path = os.path.join(self.workdir, "screen.ppm")
        if os.path.exists(path):
            os.remove(path)
        self.monitor_command(f"screendump {path}")
        with open(path, "rb") as handle:
            return read_ppm(handle.read())

    def close(self):
        """Stops QEMU: SIGTERM first (a clean exit runs the TCG plugins' exit hooks), then
        SIGKILL if it does not go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        if self.monitor is not None:
            self.monitor.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class PtyBoard:
    """A board whose serial console is a pseudo-terminal, for host tools such as mpremote."""

    def __init__(self, image, mkimage, qemu="qemu-system-arm", extra_args=()):
        self.workdir = tempfile.mkdtemp(prefix="pipyos-pty-")
        kernel = os.path.join(self.workdir, "kernel.img")
        if not extract(mkimage, image, "kernel.img", kernel):
            raise BoardError(f"cannot extract kernel.img from {image}")
        arguments = [qemu, "-M", "raspi0", "-bios", kernel]
        initfs = os.path.join(self.workdir, "initfs.cpio")
        if extract(mkimage, image, "initfs.cpio", initfs):
            arguments += ["-device", f"loader,file={initfs},addr={INITFS_ADDRESS},force-raw=on"]
        arguments += ["-drive", f"if=sd,format=raw,snapshot=on,file={image}",
                      "-display", "none", "-monitor", "none", "-serial", "pty"]
        arguments += list(extra_args)
        self.process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        line = self.process.stdout.readline().decode(errors="replace")
        match = re.search(r"(/dev/pts/\d+)", line)
        if not match:
            self.close()
            raise BoardError(f"QEMU gave no pty: {line!r}")
        self.pty = match.group(1)
        self.transcript = []

    def wait_for_prompt(self, timeout=120):
        """Reads the pty until the first `>>> ` (the board has booted)."""
        import select as host_select
        descriptor = os.open(self.pty, os.O_RDWR | os.O_NOCTTY)
        try:
            import termios
            attributes = termios.tcgetattr(descriptor)
            attributes[3] &= ~(termios.ECHO | termios.ICANON)
            termios.tcsetattr(descriptor, termios.TCSANOW, attributes)
            seen = b""
            deadline = time.monotonic() + timeout
            while b">>> " not in seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BoardError(f"no prompt on {self.pty}: {seen[-500:]!r}")
                ready, _, _ = host_select.select([descriptor], [], [], remaining)
                if ready:
                    seen += os.read(descriptor, 4096)
            self.transcript.append(seen.decode(errors="replace"))
        finally:
            os.close(descriptor)

    def mpremote(self, mpremote, *arguments, timeout=300):
        """Runs `mpremote connect <pty> ARGUMENTS...`; returns the completed process."""
        result = subprocess.run([mpremote, "connect", self.pty, *arguments], capture_output=True,
                                text=True, timeout=timeout)
        self.transcript.append(f"$ mpremote {' '.join(arguments)}\n{result.stdout}{result.stderr}"
                               f"(exit status {result.returncode})")
        return result

    def text(self):
        return "\n".join(self.transcript)

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)
