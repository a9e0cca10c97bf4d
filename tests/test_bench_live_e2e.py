"""The arithmetic of the live dashboard's latency benchmark, on fixed inputs."""

from __future__ import annotations

from typing import Any

import pytest

from tools.assembly import StackArtifact
from tools.bench_live_e2e import budget, describe, event_latencies, percentile, with_measured


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    with pytest.raises(ValueError, match="q="):
        percentile(values, 0)
    with pytest.raises(ValueError, match="0 values"):
        percentile([], 50)


def test_a_count_message_settles_every_event_it_includes() -> None:
    view, cart = ("p1", "view"), ("p1", "add_to_cart")
    puts = {view: [10.0, 10.5, 11.0], cart: [10.0]}
    messages = [
        (view, 2, 12.0),  # the first two views counted
        (view, 2, 12.5),  # a redelivery: nothing new
        (cart, 1, 13.0),
        (view, 3, 14.0),
    ]
    assert sorted(event_latencies(puts, messages)) == [1.5, 2.0, 3.0, 3.0]
    with pytest.raises(RuntimeError, match="1 of 4 events"):
        event_latencies(puts, messages[:3])


def _function(handler: str, timeout: int) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {"Handler": handler, "Timeout": timeout}}


def _mapping(source: str, attribute: str, function: str, window: int | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "EventSourceArn": {"Fn::GetAtt": [source, attribute]},
        "FunctionName": {"Ref": function},
    }
    if window is not None:
        props["MaximumBatchingWindowInSeconds"] = window
    return {"Type": "AWS::Lambda::EventSourceMapping", "Properties": props}


TEMPLATE = {
    "Resources": {
        "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {}},
        "Counts": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Agg": _function("usage_aggregator.app.handler", 8),
        "Cast": _function("live_updates.broadcaster.handler", 30),
        "AggMapping": _mapping("Stream", "Arn", "Agg", 3),
        "CastMapping": _mapping("Counts", "StreamArn", "Cast", None),
    }
}


def test_the_budget_adds_each_mappings_poll_and_window_and_each_functions_timeout() -> None:
    parts = budget(TEMPLATE)
    assert parts == {
        "aggregator poll": 1.0,
        "aggregator batching window": 3.0,
        "aggregator (timeout)": 8.0,
        "broadcaster poll": 0.25,
        "broadcaster batching window": 0.0,
        "broadcaster (timeout)": 30.0,
    }
    assert describe(parts).endswith("= 42.25")
    measured = with_measured(parts, {"aggregator": 0.125, "broadcaster": 0.5})
    assert measured["aggregator (measured)"] == 0.125
    assert "aggregator (timeout)" not in measured
    assert sum(measured.values()) == 1.0 + 3.0 + 0.125 + 0.25 + 0.5


def test_prods_budget_reads_each_mappings_own_function(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    parts = budget(stack_artifacts["Prod/Streaming"].template())
    # Prod's aggregator must finish a batch within its stage's 8 s; the broadcaster has 30 s.
    assert parts["aggregator (timeout)"] == 8.0
    assert parts["broadcaster (timeout)"] == 30.0
    assert parts["aggregator batching window"] == 0.0
