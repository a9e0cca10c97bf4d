"""The stream benchmark's measurements, on a small batch (no timing is asserted)."""

from __future__ import annotations

from tools import bench_stream


def test_aggregator_writes_exactly_the_floor_and_counts_right(aws: str) -> None:
    bench_stream._import_handlers()
    records = bench_stream.kinesis_records(400)
    run = bench_stream._aggregator(records)  # raises if a counter differs from the input
    assert run.writes == run.floor  # one counter update per distinct key
    assert 0 < run.floor < len(records)  # keys repeat across 400 records
    assert run.rate > 0
    assert run.own_us > 0


def test_naive_baseline_writes_once_per_record_and_counts_right(aws: str) -> None:
    bench_stream._import_handlers()
    records = bench_stream.kinesis_records(50)
    assert bench_stream._naive(records).writes == len(records)


def test_transformer_accepts_every_benchmark_record() -> None:
    bench_stream._import_handlers()
    assert bench_stream._transformer(200) > 0


def test_the_emulators_cost_is_measured_on_the_aggregators_own_updates() -> None:
    from tools import emulator_cost

    bench_stream._import_handlers()
    records = bench_stream.kinesis_records(300)
    cost = emulator_cost.measure(records)  # raises if an update failed
    assert cost.updates == len(bench_stream._expected(records))  # one per counter
    assert cost.emulator_cpu_ms > 0
    assert cost.noop_emulator_cpu_ms > 0
    (split, ceiling) = emulator_cost.cost_rows(cost, len(records))
    assert split[1].count(" / ") == 2
    assert f"{cost.ceiling(len(records) / cost.updates):,.0f}" in ceiling[1]


def test_the_capacity_rows_time_a_batch_of_prods_size(aws: str) -> None:
    from tools import bench_capacity

    assert bench_capacity._measured_batch_seconds(100) > 0
