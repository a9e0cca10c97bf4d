"""The shop's handlers from ``lambdas/``, run in this process as Lambda would run them.

One "container" for all: the handlers are imported (or re-imported, when a test imported
them before) after their environment is in place, since they read it at import; calls are
serialised, as one Lambda container serves one request at a time.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
#: Observability settings: the host's where it has them (Powertools' Logger, Tracer and
#: Metrics are module objects shared in this process, created once), else the functions'.
_HOST_PREFIXES = ("POWERTOOLS_",)
#: No X-Ray daemon here.
_LOCAL = {"POWERTOOLS_TRACE_DISABLED": "true"}


class LambdaContext:
    """The attributes of a Lambda context that handlers and Powertools read."""

    function_name = "local-shop"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:local-shop"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def merged_environment(environments: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """One environment for every function; a variable two functions set differently
    cannot be shared in one process and is refused."""
    merged: dict[str, str] = {}
    for environment in [_LOCAL, *environments]:
        for name, value in environment.items():
            if name.startswith(_HOST_PREFIXES) and name in os.environ:
                continue
            if merged.setdefault(name, value) != value:
                raise ValueError(f"functions disagree on {name}: {merged[name]!r} != {value!r}")
    return merged


class Functions:
    """The handlers (``products.app.handler``) with their environment, while started."""

    def __init__(self, handlers: Iterable[str], environment: Mapping[str, str]) -> None:
        self._handlers = sorted(set(handlers))
        self._environment = dict(environment)
        self._saved: dict[str, str | None] = {}
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Put the environment in place and (re-)import the handler modules."""
        self._saved = {name: os.environ.get(name) for name in self._environment}
        os.environ.update(self._environment)
        if str(LAMBDAS) not in sys.path:
            sys.path.insert(0, str(LAMBDAS))
        self._modules = {name: _fresh(name.rsplit(".", 1)[0]) for name in self._handlers}

    def stop(self) -> None:
        """Restore the environment, and the modules as they would import without it."""
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for module in {id(m): m for m in self._modules.values()}.values():
            importlib.reload(module)
        self._modules = {}

    def invoke(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        """The handler's answer to ``event``; an exception is the invocation's failure."""
        module = self._modules[handler]
        with self._lock:
            result: dict[str, Any] = getattr(module, handler.rsplit(".", 1)[1])(
                event, LambdaContext()
            )
        return result


def _fresh(module_name: str) -> ModuleType:
    module = sys.modules.get(module_name)
    return importlib.reload(module) if module is not None else importlib.import_module(module_name)
