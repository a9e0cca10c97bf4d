"""The web benchmark's measurements that do not depend on the clock."""

from __future__ import annotations

from pathlib import Path

from tools.bench_web import api_size


def test_api_size_grows_by_a_constant_per_route(code_dir: Path) -> None:
    small, small_bytes = api_size(8, code_dir)
    large, large_bytes = api_size(16, code_dir)
    larger, _ = api_size(24, code_dir)
    # Four routes per collection: two resources and four methods, no permissions.
    assert large - small == larger - large == 12
    assert large_bytes > small_bytes
