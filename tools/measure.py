"""What the pattern benchmarks share: cold imports in fresh interpreters, a local AWS."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
_IMPORT = """
import time
start = time.perf_counter()
import {module}
print((time.perf_counter() - start) * 1000)
"""


def cold_import_ms(module: str, runs: int = 5) -> float:
    """Median milliseconds to import ``module`` (from ``lambdas/``) in a new interpreter."""
    env = {
        **os.environ,
        **LAMBDA_ENV,
        "PYTHONPATH": str(LAMBDAS),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    timings = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", _IMPORT.format(module=module)],
            cwd=LAMBDAS,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


@contextmanager
def local_aws() -> Iterator[str]:
    """A moto server with the Lambda-like environment pointing at it, quietly."""
    from tools.moto_server import local_aws as emulator  # moto loads only when measuring

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with emulator({**LAMBDA_ENV, "AWS_ACCESS_KEY_ID": "bench"}) as endpoint:
        yield endpoint
