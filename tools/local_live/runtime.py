"""Running the reference app's handlers in this process, one invocation at a time per
function (like one Lambda instance each), with the environment the template gives them."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
_INVOCATIONS = itertools.count(1)


class LambdaContext:
    """What Powertools reads of Lambda's context object."""

    def __init__(self, function_name: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/{next(_INVOCATIONS)}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def resolve_environment(
    variables: Mapping[str, Any], names: Mapping[str, str], overrides: Mapping[str, str]
) -> dict[str, str]:
    """A function's variables with each ``Ref`` replaced by the local resource's name and
    ``overrides`` (values that only exist once deployed, e.g. the callback URL) applied;
    ``ValueError`` for any other unresolved value, so a new variable is not missed."""
    resolved: dict[str, str] = {}
    for name, value in variables.items():
        if name in overrides:
            resolved[name] = overrides[name]
        elif isinstance(value, str):
            resolved[name] = value
        elif isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in names:
            resolved[name] = names[value["Ref"]]
        else:
            raise ValueError(f"no local value for the environment variable {name}={value!r}")
    return resolved


def merge_environments(environments: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """One process environment for every function (``ValueError`` when two disagree)."""
    merged: dict[str, str] = {}
    for handler, variables in environments.items():
        for name, value in variables.items():
            if merged.setdefault(name, value) != value:
                raise ValueError(f"{handler} sets {name}={value!r}, another {merged[name]!r}")
    return merged


class InProcessFunction:
    """``handler`` (``package.module.function`` under ``lambdas/``), invoked one event at a
    time (a lock stands for the single instance)."""

    def __init__(self, handler: str, timeout_seconds: float = 30.0) -> None:
        if str(LAMBDAS_DIR) not in sys.path:
            sys.path.insert(0, str(LAMBDAS_DIR))
        self.handler = handler
        self.name = handler.split(".")[0] + "-" + handler.split(".")[1]
        self.timeout_seconds = timeout_seconds
        self.invocations = 0
        #: Seconds each invocation took, in order.
        self.durations: list[float] = []
        self._lock = threading.Lock()
        self._function: Callable[[Any, Any], Any] | None = None

    def __call__(self, event: Mapping[str, Any]) -> Any:
        with self._lock:
            if self._function is None:
                module, _, attribute = self.handler.rpartition(".")
                self._function = getattr(importlib.import_module(module), attribute)
            self.invocations += 1
            start = time.perf_counter()
            try:
                return self._function(dict(event), LambdaContext(self.name, self.timeout_seconds))
            finally:
                self.durations.append(time.perf_counter() - start)


class ProcessEnvironment:
    """Sets variables in ``os.environ`` and puts the old values back on :meth:`restore`."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._saved = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
