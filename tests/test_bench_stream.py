"""The stream benchmark's measurements, on a small batch (no timing is asserted)."""

from __future__ import annotations

from tools import bench_stream


def test_aggregator_writes_exactly_the_floor(aws: str) -> None:
    bench_stream._import_handlers()
    records = bench_stream._kinesis_records(400)
    rate, writes, floor = bench_stream._aggregator(records)
    assert rate > 0
    assert writes == floor  # one counter update per distinct key
    assert 0 < floor < 1000  # keys repeat across 400 records


def test_transformer_accepts_every_benchmark_record() -> None:
    bench_stream._import_handlers()
    assert bench_stream._transformer(200) > 0
