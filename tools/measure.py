"""What the pattern benchmarks share: cold imports in fresh interpreters, a local AWS."""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tools.cdk_context import ROOT

LAMBDAS = ROOT / "lambdas"
#: What Lambda would give a handler: a region and the Powertools settings.
LAMBDA_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
#: The usage counts table as the Streaming stack defines it (counter per product and type).
COUNTS_TABLE: dict[str, Any] = {
    "KeySchema": [
        {"AttributeName": "product_id", "KeyType": "HASH"},
        {"AttributeName": "event_type", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "product_id", "AttributeType": "S"},
        {"AttributeName": "event_type", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
_IMPORT = """
import time
start = time.perf_counter()
import {module}
print((time.perf_counter() - start) * 1000)
"""


def _uncompiled_copy(target: Path) -> Path:
    """``lambdas/`` copied to ``target`` without any ``.pyc``, as the functions' assets
    hold it (``handler_code`` leaves bytecode out)."""
    shutil.copytree(LAMBDAS, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def _import_env(code: Path, *, bytecode: bool, tracing_disabled: bool) -> dict[str, str]:
    env = {**os.environ, **LAMBDA_ENV, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if not tracing_disabled:
        env.pop("POWERTOOLS_TRACE_DISABLED")
    return env


def _import_once(module: str, env: dict[str, str]) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT.format(module=module)],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def cold_imports(
    modules: Sequence[str],
    *,
    runs: int = 7,
    bytecode: bool = True,
    tracing_disabled: bool = True,
) -> dict[str, float]:
    """Median milliseconds to import each of ``modules`` (from ``lambdas/``) in a new
    interpreter, the runs interleaved (module A, B, C, A, B, C...) so that a slower moment
    of the machine weighs on all of them alike.

    ``bytecode``: with the handlers' ``.pyc`` files cached (written by a first, untimed
    import); without, the handlers' own modules are compiled on every import, as in
    Lambda's read-only code directory, since the assets ship no bytecode (the runtime's
    boto3 and standard library, and the layers' packages, are compiled in both).
    ``tracing_disabled``: the environment ``TracingMode.LAMBDA`` gives a function
    (``XRAY_SDK`` otherwise).
    """
    with tempfile.TemporaryDirectory() as tmp:
        code = _uncompiled_copy(Path(tmp) / "task")
        env = _import_env(code, bytecode=bytecode, tracing_disabled=tracing_disabled)
        if bytecode:
            for module in modules:
                _import_once(module, env)
        timings: dict[str, list[float]] = {module: [] for module in modules}
        for _ in range(runs):
            for module in modules:
                timings[module].append(_import_once(module, env))
    return {module: statistics.median(samples) for module, samples in timings.items()}


def cold_import_ms(module: str, runs: int = 5) -> float:
    """Median milliseconds to import ``module`` in a new interpreter, no bytecode cached."""
    return cold_imports([module], runs=runs, bytecode=False)[module]


@contextmanager
def local_aws() -> Iterator[str]:
    """A moto server with the Lambda-like environment pointing at it, quietly."""
    from tools.moto_server import local_aws as emulator  # moto loads only when measuring

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with emulator({**LAMBDA_ENV, "AWS_ACCESS_KEY_ID": "bench"}) as endpoint:
        yield endpoint
