"""The operations benchmark module: it measures the handlers the stack deploys."""

from __future__ import annotations

from stacks.lambda_code import LAMBDAS_DIR
from tools import bench_ops
from tools.measure import cold_import_ms


def test_every_benchmarked_handler_exists() -> None:
    for package in bench_ops.HANDLERS:
        assert (LAMBDAS_DIR / package / "app.py").is_file(), package


def test_cold_import_runs_the_handler_module_in_a_new_process() -> None:
    assert cold_import_ms("image_thumbnail.app") > 0
