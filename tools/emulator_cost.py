"""Where a counter update's time goes against moto: the emulator's CPU apart from ours.

The stream benchmark runs moto in its own process here (``python -m moto.server``, the
same emulator over the same HTTP), so that the operating system can tell its CPU time
from the benchmark's: per counter update, the emulator's CPU, the boto3 client's CPU and
the wall time with the aggregator's threads; and the emulator's CPU for the cheapest
request it serves (``DescribeLimits``, no work at all). Linux only (``/proc``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tools.measure import COUNTS_TABLE

#: Requests of the no-op measurement.
NOOP_REQUESTS = 200


@dataclass(frozen=True)
class UpdateCost:
    """Milliseconds per counter update, measured."""

    updates: int
    emulator_cpu_ms: float
    client_cpu_ms: float
    wall_ms: float
    noop_emulator_cpu_ms: float  # the emulator's CPU for a request that does nothing

    def ceiling(self, records_per_update: float) -> float:
        """Records/s no client can beat: the emulator's CPU for the updates alone."""
        return 1000 * records_per_update / self.emulator_cpu_ms

    def noop_ceiling(self, records_per_update: float) -> float:
        """Records/s even if every update cost the emulator no more than a no-op request."""
        return 1000 * records_per_update / self.noop_emulator_cpu_ms


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def emulator_process() -> Iterator[tuple[str, int]]:
    """moto's server in a process of its own on a free loopback port: (endpoint, pid)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield endpoint, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(records: list[dict[str, Any]], workers: int = 8) -> UpdateCost:
    """Count ``records`` (one update per counter) against a moto process, timing each side."""
    import boto3
    from usage_aggregator.aggregation import aggregate, write_totals
    from usage_aggregator.counters import CounterStore

    with emulator_process() as (endpoint, pid):
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        client.create_table(
            TableName="cost",
            **COUNTS_TABLE,
        )
        totals = list(aggregate(records).totals.values())
        store = CounterStore("cost", client=client)
        server, mine, started = _cpu_seconds(pid), time.process_time(), time.perf_counter()
        outcomes = write_totals(totals, store, workers=workers)
        wall = time.perf_counter() - started
        server, mine = _cpu_seconds(pid) - server, time.process_time() - mine
        if any(isinstance(outcome, Exception) for _, outcome in outcomes):
            raise RuntimeError("an update failed while measuring the emulator's cost")
        noop = _cpu_seconds(pid)
        for _ in range(NOOP_REQUESTS):
            client.describe_limits()
        noop = _cpu_seconds(pid) - noop
    updates = len(totals)
    return UpdateCost(
        updates=updates,
        emulator_cpu_ms=1000 * server / updates,
        client_cpu_ms=1000 * mine / updates,
        wall_ms=1000 * wall / updates,
        noop_emulator_cpu_ms=1000 * noop / NOOP_REQUESTS,
    )


def cost_rows(cost: UpdateCost, records: int) -> list[tuple[str, str]]:
    """Benchmark rows: the cost split per update, and the ceiling it puts on a batch."""
    per_update = records / cost.updates
    return [
        (
            "Usage aggregator against moto (in its own process), per counter update: "
            "emulator CPU / boto3 client CPU / wall with 8 in flight (ms)",
            f"{cost.emulator_cpu_ms:.1f} / {cost.client_cpu_ms:.1f} / {cost.wall_ms:.1f}",
        ),
        (
            f"Ceiling against moto, {records:,} records in {cost.updates} counter updates, "
            "from the emulator's CPU alone (records/s)",
            f"{cost.ceiling(per_update):,.0f}; {cost.noop_ceiling(per_update):,.0f} if an "
            f"update cost it no more than a request doing nothing "
            f"({cost.noop_emulator_cpu_ms:.1f} ms, DescribeLimits)",
        ),
    ]
