"""Waiting in a command's main thread until Ctrl-C or SIGTERM (``make sandbox SERVE=1``,
the local shop, the local live backend)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

#: How long the main thread may sleep before it runs a handler another thread received.
POLL_SECONDS = 0.2


def wait_until_stopped(ready: Callable[[], object] | None = None) -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM, then restore SIGTERM's handler.

    ``ready`` (e.g. printing what is served) runs once the handler is in place, so that a
    signal sent as soon as it has run stops the wait rather than killing the process.
    Default: nothing.

    Python runs signal handlers in the main thread only, and the kernel may hand a
    process's signal to any of its threads: one taken by a server's thread does not wake
    a main thread blocked without a timeout (``Event.wait()``), which would then never
    stop. Waiting in slices of :data:`POLL_SECONDS` runs the handler within one slice,
    whichever thread took the signal.
    """
    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        if ready is not None:
            ready()
        while not stopped.wait(POLL_SECONDS):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
