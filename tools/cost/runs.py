"""Running each user action's handler against moto: its AWS calls, logs and duration.

Each scenario's handler runs in this process against a moto server on 127.0.0.1 (real
HTTP), once to warm up (imports, clients), :data:`RUNS` times timed, and once more
recorded: the calls and log lines are those of the recorded run (every run makes the same
calls), the duration is the median of the timed runs' wall time **on this machine against
moto** (the recorder's reads around writes left out of it): the local figure, not
Lambda's (Lambda's network to DynamoDB is faster than moto's Python, its CPU at 256 MB
slower than this machine's), stated as such in every output.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import statistics
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tools.cost.calls import recording
from tools.cost.scenarios import SCENARIOS, Scenario, Templates, _Context
from tools.moto_server import local_aws, reset

RUNS = 5
_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


@dataclass(frozen=True)
class Measured:
    """One scenario's handler, measured: per invocation."""

    scenario: Scenario
    operations: Counter[tuple[str, str]]  # AWS calls of one invocation
    rru: float
    wru: float
    request_bytes: dict[tuple[str, str], int]  # bodies sent, per operation
    log_lines: tuple[tuple[int, int], ...]  # (level, bytes) of each line; metrics at 100
    duration_ms: float
    metrics: frozenset[str] = frozenset()  # the custom metrics it publishes (EMF)

    def log_bytes(self, level: str) -> int:
        """Bytes a function logging at ``level`` writes in one invocation."""
        floor = _LEVELS[level.upper()]
        return sum(size for lvl, size in self.log_lines if lvl >= floor)


def _lambdas_on_path() -> None:
    from stacks.lambda_code import LAMBDAS_DIR

    if str(LAMBDAS_DIR) not in sys.path:
        sys.path.insert(0, str(LAMBDAS_DIR))


def _handler(path: str) -> Any:
    import importlib

    module, _, name = path.rpartition(".")
    loaded = importlib.import_module(module)
    for cached in ("_store", "_place_once", "_adapters", "_search"):
        if hasattr(getattr(loaded, cached, None), "cache_clear"):
            getattr(loaded, cached).cache_clear()
    return getattr(loaded, name)


@contextlib.contextmanager
def _captured() -> Any:
    """Everything printed or logged to stdout within the block."""
    buffer = io.StringIO()
    handlers = [
        h
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        if isinstance(logger, logging.Logger)
        for h in logger.handlers
        if isinstance(h, logging.StreamHandler) and h.stream in (sys.stdout, sys.__stdout__)
    ]
    streams = [h.setStream(buffer) for h in handlers]
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        for h, stream in zip(handlers, streams, strict=True):
            h.setStream(stream)


def _lines(text: str) -> tuple[tuple[int, int], ...]:
    found = []
    for line in text.splitlines():
        size = len(line.encode()) + 1
        try:
            record = json.loads(line)
        except ValueError:
            record = {}
        level = record.get("level") if isinstance(record, dict) else None
        found.append((_LEVELS.get(str(level).upper(), 100) if level else 100, size))
    return tuple(found)


def _metrics(text: str) -> frozenset[str]:
    """``metric name [dimensions]`` of each metric in the embedded-metric-format lines."""
    found = set()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or "_aws" not in record:
            continue
        for directive in record["_aws"].get("CloudWatchMetrics", []):
            for dimensions in directive.get("Dimensions", [[]]):
                for metric in directive.get("Metrics", []):
                    found.add(f"{metric['Name']} [{', '.join(dimensions)}]")
    return frozenset(found)


def measure(scenario: Scenario, templates: Templates) -> Measured:
    """Run one scenario against the emulator (already pointed at by the environment)."""
    with _captured():  # the seeding handlers' logs are not the action's
        env = scenario.setup(templates)
    os.environ.update(env)
    handler = _handler(scenario.handler)
    from shop_common.observability import logger

    level = logger.log_level
    logger.setLevel("DEBUG")  # every line recorded; each stage keeps those of its level
    durations: list[float] = []
    published: set[str] = set()
    try:
        # A warm-up, the timed runs, then the recorded one: recording reads items back
        # around each write, which must not count in the duration.
        for run in range(RUNS + 2):
            with _captured():  # building the event may call AWS (an upload): not the handler
                event = scenario.event(run)
            recorder = recording() if run == RUNS + 1 else contextlib.nullcontext()
            with recorder as calls, _captured() as out, warnings.catch_warnings():
                # Powertools warns of a flush without metrics (GET handlers publish none).
                warnings.simplefilter("ignore", UserWarning)
                started = time.perf_counter()
                handler(event, _Context())
                elapsed = (time.perf_counter() - started) * 1000
            if 1 <= run <= RUNS:
                durations.append(elapsed)
            published |= _metrics(out.getvalue())
    finally:
        logger.setLevel(level)
        for name in env:
            os.environ.pop(name, None)
    assert calls is not None
    sizes: Counter[tuple[str, str]] = Counter()
    for call in calls.calls:
        sizes[(call.service, call.operation)] += int(call.request.get("body_bytes", 0))
    rru, wru = calls.units()
    return Measured(
        scenario=scenario,
        operations=calls.operations(),
        rru=rru,
        wru=wru,
        request_bytes=dict(sizes),
        log_lines=_lines(out.getvalue()),
        duration_ms=statistics.median(durations),
        metrics=frozenset(published),
    )


def measure_all(templates: Templates) -> list[Measured]:
    """Every scenario, each against an emptied moto server."""
    _lambdas_on_path()
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "shop-cost")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ShopCost")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with local_aws() as endpoint:
        found = []
        for scenario in SCENARIOS:
            reset(endpoint)
            found.append(measure(scenario, templates))
    return found
