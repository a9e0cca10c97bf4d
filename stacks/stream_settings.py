"""The stream-capacity settings of a ``StageConfig`` and their checks.

What each setting carries, with the AWS limits behind the bounds:

- ``stream_shards``: write capacity (1,000 records/s and 1 MiB/s per shard) and read
  capacity (2 MiB/s and 5 reads/s per shard, shared by the aggregator and the archive);
- ``ingest_rate_limit`` / ``ingest_burst_limit``: API Gateway's stage throttle (the limit
  of ``POST /record`` and the default of every method); ``ingest_batch_rate_limit`` is
  ``POST /records``' own, each request carrying up to 500 events;
- ``stream_batch_size``, ``stream_batching_window_seconds`` and
  ``stream_consumer_timeout_seconds``: how many records one aggregator invocation takes,
  how long Lambda waits to fill it and the longest it may run (which bounds the time a
  batch takes from the template alone); ``stream_consumer_memory_mb`` its CPU share
  (1,769 MB is one vCPU), which its DynamoDB client's requests need;
- ``counts_warm_writes_per_second``: the counts table's warm throughput, the writes per
  second it takes from its first minute (a new on-demand table starts at 4,000).
"""

from __future__ import annotations

from collections.abc import Callable

from stacks.stage_fields import StageConfigError, StageFields

#: The aggregator stops starting counter updates this long before its timeout
#: (``DEADLINE_MARGIN_MS`` in ``lambdas/usage_aggregator/aggregation.py``); a shorter
#: timeout would leave it no time to count.
DEADLINE_MARGIN_SECONDS = 5
#: (field, lowest, highest, what the bound is); ``None`` values are checked separately.
_RANGES = (
    ("stream_batch_size", 1, 10_000, "records per invocation (Lambda's Kinesis limit)"),
    ("stream_batching_window_seconds", 0, 300, "seconds (Lambda's limit)"),
    (
        "stream_consumer_timeout_seconds",
        DEADLINE_MARGIN_SECONDS + 1,
        900,
        f"seconds (the aggregator keeps the last {DEADLINE_MARGIN_SECONDS} s for its answer)",
    ),
    ("ingest_rate_limit", 1, 1_000_000, "requests/s"),
    ("ingest_burst_limit", 1, 1_000_000, "requests"),
)
_OPTIONAL_RANGES = (
    ("ingest_batch_rate_limit", 1, 1_000_000, "requests/s"),
    ("stream_consumer_memory_mb", 128, 10_240, "MB"),
    # DynamoDB takes warm throughput from the on-demand start (4,000) to the table quota.
    ("counts_warm_writes_per_second", 4_000, 40_000, "writes/s"),
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_stream_settings(
    config: StageFields, fail: Callable[[StageFields, str, str], StageConfigError]
) -> None:
    """Raise ``fail(config, field, message)`` for the first invalid stream-capacity setting."""
    shards = config.stream_shards
    if shards is not None and (not _is_int(shards) or not 1 <= shards <= 10_000):
        raise fail(
            config, "stream_shards", f"must be null (on-demand) or 1 to 10000, got {shards!r}"
        )
    for field, low, high, unit in _RANGES:
        value = getattr(config, field)
        if not _is_int(value) or not low <= value <= high:
            raise fail(config, field, f"must be an integer {low}..{high} {unit}, got {value!r}")
    for field, low, high, unit in _OPTIONAL_RANGES:
        value = getattr(config, field)
        if value is not None and (not _is_int(value) or not low <= value <= high):
            raise fail(
                config, field, f"must be null or an integer {low}..{high} {unit}, got {value!r}"
            )
