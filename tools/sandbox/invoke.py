"""Invoking a deployed function's handler locally: the code from ``lambdas/``, the
configuration (handler, environment, memory) from the emulator's Lambda service."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.cdk_context import ROOT
from tools.sandbox.emulator import Emulator

_RUNNER = Path(__file__).with_name("run_handler.py")
#: Settings of the sandbox's own process that a handler must not inherit.
_NOT_INHERITED = ("PYTHONPATH", "POWERTOOLS_", "AWS_LAMBDA_", "_HANDLER", "SANDBOX_")


class InvocationError(RuntimeError):
    """The handler raised or its process failed; the message holds its output."""


@dataclass(frozen=True)
class DeployedFunction:
    """What Lambda would run: the handler and the configuration it was deployed with."""

    name: str
    arn: str
    handler: str
    memory_mb: int
    environment: dict[str, str]


def find_function(emulator: Emulator, handler: str) -> DeployedFunction:
    """The deployed function whose handler is ``handler`` (``products.app.handler``)."""
    client = emulator.client("lambda")
    for page in client.get_paginator("list_functions").paginate():
        for listed in page["Functions"]:
            if listed.get("Handler") == handler:
                config = client.get_function_configuration(FunctionName=listed["FunctionName"])
                return DeployedFunction(
                    name=config["FunctionName"],
                    arn=config["FunctionArn"],
                    handler=config["Handler"],
                    memory_mb=int(config.get("MemorySize", 128)),
                    environment=dict(config.get("Environment", {}).get("Variables", {})),
                )
    raise LookupError(f"no deployed function has the handler {handler!r}")


def handler_env(function: DeployedFunction, emulator: Emulator) -> dict[str, str]:
    """The handler process's environment: this one's basics, the function's variables, the
    emulator's endpoint and credentials, and ``lambdas/`` as the only code path."""
    base = {k: v for k, v in emulator.environ().items() if not k.startswith(_NOT_INHERITED)}
    return {
        **base,
        **function.environment,
        **emulator.client_env(),
        "PYTHONPATH": str(ROOT / "lambdas"),
        "SANDBOX_FUNCTION_NAME": function.name,
        "SANDBOX_FUNCTION_ARN": function.arn,
        "SANDBOX_FUNCTION_MEMORY": str(function.memory_mb),
    }


def invoke(function: DeployedFunction, event: dict[str, Any], emulator: Emulator) -> Any:
    """Run the function's handler on ``event`` in a fresh interpreter; return its result."""
    with tempfile.TemporaryDirectory(prefix="sandbox-invoke-") as scratch:
        result_path = Path(scratch) / "result.json"
        completed = subprocess.run(
            [sys.executable, str(_RUNNER), function.handler, str(result_path)],
            input=json.dumps(event),
            env=handler_env(function, emulator),
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if completed.returncode != 0 or not result_path.exists():
            output = (completed.stdout + completed.stderr)[-3000:]
            raise InvocationError(f"{function.handler} failed ({completed.returncode}):\n{output}")
        return json.loads(result_path.read_text())
