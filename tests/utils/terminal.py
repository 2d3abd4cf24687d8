"""A command run in a pseudo-terminal, as a user runs it: output read as it comes, keys typed.

Ctrl-C typed here reaches the command the way it does from a keyboard: the terminal turns it into
SIGINT for the foreground process.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

CTRL_C = b"\x03"
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, columns: int = 120
    ) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: exec at once (the parent has threads), never return
            try:
                os.chdir(cwd)
                os.execve(argv[0], list(argv), {**env, "TERM": "xterm-256color"})  # noqa: S606
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self._raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.returncode: int | None = None

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                return
            if not data:
                return
            with self._lock:
                self._raw += data

    @property
    def text(self) -> str:
        """Everything shown so far, without terminal control sequences."""
        with self._lock:
            raw = bytes(self._raw)
        return _ESCAPES.sub("", raw.decode("utf-8", errors="replace"))

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"never happened; the terminal shows:\n{self.text}")
            time.sleep(0.02)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
                raise AssertionError(f"still running; the terminal shows:\n{self.text}")
            time.sleep(0.05)
        self._reader.join(timeout=5)
        os.close(self.fd)
        assert self.returncode is not None
        return self.returncode
