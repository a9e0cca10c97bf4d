"""``make sandbox``: moto on 127.0.0.1, the Dev stage deployed to it with the real CDK CLI,
the smoke flow, the report of what moto skipped; the server is stopped at the end.

``--serve`` then serves the storefront, the live dashboard and their local backend on the
deployed stage (``tools.sandbox.serve``) until Ctrl-C or SIGTERM, which stop it normally.

Exit status: 0 when the deployment and every smoke step passed, 1 otherwise, 130 on
Ctrl-C (before serving).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from tools.cdk_context import ROOT
from tools.sandbox import deploy, emulator, serve, smoke
from tools.sandbox.progress import Progress
from tools.until_stopped import wait_until_stopped

#: Logs and the cloud assembly of the last run (``build/`` is not committed).
WORKDIR = ROOT / "build" / "sandbox"


def _stop_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: the server is stopped


def serve_until_stopped(emu: emulator.Emulator, workdir: Path, progress: Progress) -> None:
    """Serve the storefront and the dashboard until Ctrl-C or SIGTERM."""
    with serve.serving(emu, workdir) as served:

        def ready() -> None:
            progress.say("serving on 127.0.0.1 (Ctrl-C stops):")
            progress.block("\n".join(f"  {line}" for line in serve.describe(served)))

        wait_until_stopped(ready)
    progress.say("stopped serving")


def run(progress: Progress, workdir: Path, *, serving: bool = False) -> bool:
    """The whole sandbox; True when everything passed. The server is stopped on return."""
    with emulator.running() as emu:
        progress.say(f"moto server on 127.0.0.1:{emu.port}; clients use {emu.endpoint}")
        progress.say(f"{len(emu.shims)} moto shims applied (see the end of the output)")
        progress.say(f"bootstrap: cdk bootstrap aws://{emulator.ACCOUNT}/{emulator.REGION}")
        deploy.bootstrap(emu, workdir, progress)
        progress.say(f"deploy: cdk deploy '{deploy.STACKS}' -c stage={deploy.STAGE}")
        try:
            stacks = deploy.deploy(emu, workdir, progress)
            progress.say(f"deployed {', '.join(stacks)}")
        finally:  # also after a failed deployment: what moto made of the stacks so far
            if emu.ledger.records(deploy.STACK_PREFIX):
                progress.say("resource types of the Dev stage in the emulator:")
                progress.block(deploy.resource_report(emu))
        results = []
        for name, step in smoke.STEPS:
            progress.say(f"smoke: {name} ...")
            result = smoke.run_step(name, step, emu, lambda line: progress.say(f"    {line}"))
            progress.say(f"smoke: {name}: {'PASS' if result.passed else 'FAIL'}")
            results.append(result)
        progress.say("moto shims in effect:")
        progress.block(deploy.shim_list(emu))
        if serving and all(r.passed for r in results):
            serve_until_stopped(emu, workdir, progress)
        elif serving:
            progress.say("not serving: a smoke step failed")
        port = emu.port
    closed = not emulator.port_is_open(port)
    progress.say(f"moto server stopped; port {port} {'closed' if closed else 'STILL OPEN'}")
    passed = sum(r.passed for r in results)
    progress.say(f"smoke flow: {passed}/{len(results)} steps passed")
    return closed and passed == len(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sandbox", description=__doc__)
    parser.add_argument(
        "--workdir", type=Path, default=WORKDIR, help=f"logs and cloud assembly ({WORKDIR})"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="then serve the storefront and the live dashboard until Ctrl-C",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    progress = Progress()
    try:
        ok = run(progress, args.workdir, serving=args.serve)
    except deploy.SandboxError as error:
        progress.say(f"FAIL: {error}")
        progress.say("moto server stopped")
        return 1
    except KeyboardInterrupt:
        progress.say("interrupted; moto server stopped")
        return 130
    progress.say("sandbox: PASS" if ok else "sandbox: FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
