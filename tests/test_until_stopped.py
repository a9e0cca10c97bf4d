"""``wait_until_stopped``: a command serving from threads stops on SIGTERM or Ctrl-C even
when the kernel hands the signal to a thread other than the main one."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from tools.cdk_context import ROOT

#: A command like the serving ones: a server thread, the main thread waiting. The main
#: thread blocks the signal, so the kernel can only hand it to the other thread: what it
#: may do to any serving command with threads.
SERVING = textwrap.dedent(
    """
    import signal, sys, threading
    from tools.until_stopped import wait_until_stopped

    ready = threading.Event()

    def serve():
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        ready.set()
        threading.Event().wait()

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    threading.Thread(target=serve, daemon=True).start()
    ready.wait()
    wait_until_stopped(ready=lambda: print("serving", flush=True))
    print("stopped", flush=True)
    print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, flush=True)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_taken_by_another_thread_stops_the_wait(signum: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVING], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "serving\n"
        process.send_signal(signum)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    # It stopped normally, and SIGTERM's handler is the one it had before.
    assert out.split() == ["stopped", "True"]
