"""The operations benchmark module: it measures the handlers the stack deploys."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.lambda_code import LAMBDAS_DIR
from tools import bench_ops
from tools.bench_cold import handler_modules
from tools.measure import cold_import_ms, cold_imports


def test_every_benchmarked_handler_exists() -> None:
    for package in bench_ops.HANDLERS:
        assert (LAMBDAS_DIR / package / "app.py").is_file(), package


def test_cold_import_runs_the_handler_module_in_a_new_process() -> None:
    assert cold_import_ms("image_thumbnail.app") > 0


def test_the_cold_start_benchmark_covers_every_handler() -> None:
    packages = {p.parent.name for p in LAMBDAS_DIR.glob("*/app.py")}
    assert {m.removesuffix(".app") for m in handler_modules()} == packages
    assert set(bench_ops.HANDLERS) <= packages


def test_interleaved_imports_measure_each_module_in_the_mode_asked() -> None:
    """A module that fails to import fails the measurement (nothing is reported as 0)."""
    timings = cold_imports(["boto3", "products.app"], runs=1, tracing_disabled=True)
    assert set(timings) == {"boto3", "products.app"}
    assert all(t > 0 for t in timings.values())


def test_warm_benchmark_requests_succeed_against_the_emulator(
    aws: str, stack_artifacts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each timed request is checked (a failing one raises), so the row measures success."""
    from tools import bench_warm

    monkeypatch.setattr(bench_warm, "REPEAT", 2)
    for variable in ("TABLE_NAME", "IDEMPOTENCY_TABLE", "COUNTS_TABLE"):
        monkeypatch.setenv(variable, "set by the benchmark")  # restored after the test
    web = stack_artifacts["Dev/Web"]
    assert len(bench_warm._products(web)) == 2
    assert len(bench_warm._orders(web)) == 2
    assert len(bench_warm._aggregator()) == 2
