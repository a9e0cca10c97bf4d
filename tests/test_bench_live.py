"""The live-updates benchmark's measurement, at a small size (no timing is asserted)."""

from __future__ import annotations

import pytest

from tools import bench_live


def test_every_connection_gets_every_change_within_the_bound(aws: str) -> None:
    bench_live.create_table()
    bench_live.connect(12)
    run = bench_live.fan_out(12, 3, concurrency=4, delay=0.01)
    assert run.messages == 36
    assert 1 < run.max_in_flight <= 4
    assert run.rate > 0


def test_a_missing_message_fails_the_run(aws: str) -> None:
    bench_live.create_table()
    bench_live.connect(3)
    with pytest.raises(RuntimeError, match="missing messages"):
        bench_live.fan_out(4, 1, concurrency=2, delay=0.0)  # a fourth connection never subscribed
