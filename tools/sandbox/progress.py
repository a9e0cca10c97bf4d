"""Progress lines: each prefixed with the seconds since the sandbox started."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints ``[  12.3s] message`` lines, flushed at once (the output may be a pipe)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def say(self, message: str) -> None:
        for line in message.splitlines() or [""]:
            print(f"[{self.elapsed:6.1f}s] {line}", file=self._out, flush=True)

    def block(self, text: str) -> None:
        """A multi-line text (a table) as it is, without prefixes."""
        print(text, file=self._out, flush=True)
