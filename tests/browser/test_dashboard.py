"""The live dashboard in headless Chromium against the local live backend: usage events
put into the stream reach the page's numbers through the real aggregator, the counts
table's stream, the real broadcaster and a real WebSocket; a connection the server drops
is reconnected, with its state shown, and updates keep coming."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.live_browser import browser, signed_in_page
from tools.assembly import StackArtifact
from tools.local_live import LocalLive
from tools.local_live.http_api import local_id_token

#: How long a number may take to appear: Dev's 2-second batching window, the pollers and
#: a loaded machine's slack.
UPDATE_MS = 20_000


@pytest.fixture
def live(aws: str, stack_artifacts: dict[str, StackArtifact]) -> Iterator[LocalLive]:
    quiet = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_LOGGER_LOG_EVENT": "false"}
    with LocalLive(
        stack_artifacts["Dev/Streaming"].template(),
        kinesis_poll_seconds=0.25,
        environment=quiet,
    ) as backend:
        yield backend


@pytest.fixture
def chromium() -> Iterator[Any]:
    with browser() as launched:
        yield launched


def _events(start: int, *pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {
            "event_id": f"e{start + n}",
            "product_id": product,
            "event_type": kind,
            "occurred_at": "2026-12-01T10:00:00Z",
        }
        for n, (product, kind) in enumerate(pairs)
    ]


def _see_counts(page: Any, expected: Counter[tuple[str, str]]) -> None:
    for (product, kind), count in expected.items():
        cell = page.locator(f'tr[data-product="{product}"] td[data-event-type="{kind}"]')
        cell.filter(has_text=str(count)).wait_for(timeout=UPDATE_MS)
        assert cell.inner_text() == str(count)
    totals: Counter[str] = Counter()
    for (_, kind), count in expected.items():
        totals[kind] += count
    for kind, count in totals.items():
        total = page.locator(f'#totals [data-event-type="{kind}"] .value')
        assert total.inner_text() == f"{count:,}"


def test_the_dashboard_counts_events_live_and_reconnects(live: LocalLive, chromium: Any) -> None:
    page = signed_in_page(chromium, local_id_token("person-1"))
    page.goto(live.page_url)
    page.locator('#state[data-state="live"]').wait_for(timeout=UPDATE_MS)
    assert live.websocket is not None
    assert len(live.websocket.open) == 1

    first = _events(0, *[("p1", "view")] * 3, *[("p1", "add_to_cart")] * 2, ("p2", "view"))
    live.put_events(first)
    expected = Counter((e["product_id"], e["event_type"]) for e in first)
    _see_counts(page, expected)

    # The server drops the socket (as API Gateway does at its idle timeout).
    assert live.drop_connections() == 1
    page.wait_for_function(
        "window.__states.slice(-1)[0] === 'live' && window.__states.includes('reconnecting')",
        timeout=UPDATE_MS,
    )
    states = page.evaluate("window.__states")
    assert states.index("reconnecting") < len(states) - 1
    assert page.locator("#state").inner_text() == "Live"
    assert live.websocket is not None
    assert len(live.websocket.open) == 1

    more = _events(10, ("p1", "view"), ("p1", "view"), ("p2", "purchase"))
    live.put_events(more)
    expected.update((e["product_id"], e["event_type"]) for e in more)
    _see_counts(page, expected)
    assert [
        row.get_attribute("data-product") for row in page.locator("#products-body tr").all()
    ] == [
        "p1",
        "p2",
    ]


def _counted(live: LocalLive, expected: Counter[tuple[str, str]]) -> None:
    """Wait until the counts table holds ``expected`` (the aggregator has run)."""
    import time

    import boto3

    table: Any = boto3.resource("dynamodb").Table(live.counts_table)
    found: dict[tuple[str, str], int] = {}
    for _ in range(200):
        items = table.scan(ConsistentRead=True)["Items"]
        found = {(str(i["product_id"]), str(i["event_type"])): int(i["event_count"]) for i in items}
        if all(found.get(key) == n for key, n in expected.items()):
            return
        time.sleep(0.1)
    raise AssertionError(f"never counted: {expected} (found {found})")


def test_counts_made_before_the_page_opened_are_shown_when_it_connects(
    live: LocalLive, chromium: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broadcaster sends changes only: the page's snapshot shows what was counted
    before it connected, page after page, and later changes still arrive."""
    from live_updates import snapshot

    monkeypatch.setattr(snapshot, "PAGE_SIZE", 2)  # this process runs the routes: 3 pages
    before = _events(30, *[("p5", "view")] * 4, ("p6", "purchase"), ("p7", "click"))
    live.put_events(before)
    expected = Counter((e["product_id"], e["event_type"]) for e in before)
    _counted(live, expected)
    page = signed_in_page(chromium, local_id_token("person-3"))
    page.goto(live.page_url)
    page.locator('#state[data-state="live"]').wait_for(timeout=UPDATE_MS)
    _see_counts(page, expected)
    after = _events(40, ("p5", "view"))
    live.put_events(after)
    expected.update((e["product_id"], e["event_type"]) for e in after)
    _see_counts(page, expected)


def test_without_a_sign_in_the_dashboard_says_so_and_opens_no_socket(
    live: LocalLive, chromium: Any
) -> None:
    page = signed_in_page(chromium, None)
    page.goto(live.page_url)
    page.locator('#state[data-state="signed-out"]').wait_for(timeout=UPDATE_MS)
    assert page.locator("#signed-out").is_visible()
    assert live.websocket is not None
    assert live.websocket.open == {}


def test_a_refused_reconnect_fetches_a_fresh_token(live: LocalLive, chromium: Any) -> None:
    import boto3
    from live_updates import authorizer

    page = signed_in_page(chromium, local_id_token("person-2"))
    page.goto(live.page_url)
    page.locator('#state[data-state="live"]').wait_for(timeout=UPDATE_MS)
    issued = live.functions["live_updates.issuer.handler"].invocations
    # The signing secret is replaced (a rotation): the page's token no longer connects.
    secrets = boto3.client("secretsmanager")
    (secret,) = secrets.list_secrets()["SecretList"]
    secrets.put_secret_value(SecretId=secret["ARN"], SecretString="rotated-signing-secret")
    authorizer._cached.clear()  # as if its 5-minute cache had run out
    assert live.drop_connections() == 1
    page.wait_for_function(
        "window.__states.filter((s) => s === 'live').length === 2", timeout=UPDATE_MS
    )
    assert live.websocket is not None
    assert (403, "authorizer denied") in live.websocket.refused
    assert live.functions["live_updates.issuer.handler"].invocations == issued + 1
    live.put_events(_events(20, ("p9", "click")))
    _see_counts(page, Counter({("p9", "click"): 1}))


def test_the_backoff_doubles_under_its_cap_with_full_jitter(live: LocalLive, chromium: Any) -> None:
    page = signed_in_page(chromium, None)
    page.goto(live.page_url)
    delays = page.evaluate(
        """async () => {
          const { backoffDelay, BACKOFF } = await import("./dashboard.js");
          const top = () => 0.999999;
          return {
            ceilings: [0, 1, 2, 3, 10, 40].map((n) => backoffDelay(n, top)),
            floor: backoffDelay(5, () => 0),
            cap: BACKOFF.capMs,
          };
        }"""
    )
    assert delays["ceilings"][:4] == [499, 999, 1999, 3999]
    assert delays["ceilings"][4:] == [delays["cap"] - 1] * 2
    assert delays["floor"] == 0
