"""``LocalLive``: the resources in the emulator and the servers and pollers around them."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from tools.local_live.http_api import HttpApi
from tools.local_live.pollers import KinesisPoller, TableStreamPoller
from tools.local_live.runtime import (
    InProcessFunction,
    ProcessEnvironment,
    merge_environments,
    resolve_environment,
)
from tools.local_live.settings import AGGREGATOR, AUTHORIZER, BROADCASTER, ROUTES, live_settings
from tools.local_live.websocket import WebSocketApi

STOREFRONT_DIR = Path(__file__).resolve().parents[2] / "web" / "storefront"
ISSUER = "live_updates.issuer.handler"
#: Lambda polls a Kinesis shard about once a second, a table's stream four times.
KINESIS_POLL_SECONDS = 1.0
TABLE_STREAM_POLL_SECONDS = 0.25


class LocalLive:
    """Everything after the ingest API, on the emulator this process's boto3 points at
    (e.g. ``tools.moto_server.local_aws``), built from a synthesized ``Streaming``
    template (see the package's docstring).

    :param template: the ``Streaming`` stack's template.
    :param site: the folder served at ``/``. Default: ``web/storefront``.
    :param kinesis_poll_seconds: how often the Kinesis mapping reads each shard.
        Default: :data:`KINESIS_POLL_SECONDS`.
    :param table_stream_poll_seconds: the same for the counts table's stream.
        Default: :data:`TABLE_STREAM_POLL_SECONDS`.
    :param environment: variables set over the template's (e.g. a quieter log level).
        Default: none.
    :param existing: the stream and tables to use (the template's logical ids -> names),
        e.g. those of a stage deployed to the emulator; any other is created, empty, with
        a local name. Default: none.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        site: Path = STOREFRONT_DIR,
        kinesis_poll_seconds: float = KINESIS_POLL_SECONDS,
        table_stream_poll_seconds: float = TABLE_STREAM_POLL_SECONDS,
        environment: Mapping[str, str] | None = None,
        existing: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = live_settings(dict(template))
        self.existing = dict(existing or {})
        self.site = site
        self.kinesis_poll_seconds = kinesis_poll_seconds
        self.table_stream_poll_seconds = table_stream_poll_seconds
        self.extra_environment = dict(environment or {})
        self.functions = {
            h: InProcessFunction(h) for h in (AGGREGATOR, BROADCASTER, ROUTES, AUTHORIZER, ISSUER)
        }
        self.stream_name = "local-usage-events"
        self.counts_table = "local-counts"
        self.connections_table = "local-live-connections"
        self._environment: ProcessEnvironment | None = None
        self.http: HttpApi | None = None
        self.websocket: WebSocketApi | None = None
        self.pollers: list[KinesisPoller | TableStreamPoller] = []

    def __enter__(self) -> LocalLive:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def page_url(self) -> str:
        """The dashboard, served by this backend."""
        assert self.http is not None
        return f"{self.http.url}/dashboard.html"

    def config(self) -> dict[str, Any]:
        """The ``config.json`` the page reads."""
        assert self.http is not None
        assert self.websocket is not None
        return {"apiUrl": self.http.url, "liveUrl": self.websocket.url, "stage": "local"}

    def _create_resources(self) -> dict[str, str]:
        s = self.settings
        self.stream_name = self.existing.get(s.stream_id, self.stream_name)
        self.counts_table = self.existing.get(s.counts.logical_id, self.counts_table)
        self.connections_table = self.existing.get(s.connections.logical_id, self.connections_table)
        if s.stream_id not in self.existing:
            boto3.client("kinesis").create_stream(StreamName=self.stream_name, ShardCount=s.shards)
        dynamodb = boto3.client("dynamodb")
        for table, name in ((s.counts, self.counts_table), (s.connections, self.connections_table)):
            if table.logical_id in self.existing:
                continue
            dynamodb.create_table(**table.create_arguments(name))
            if table.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
                )
        secret = boto3.client("secretsmanager").create_secret(
            Name=f"local-live-token-secret-{secrets.token_hex(3)}",
            SecretString=secrets.token_urlsafe(36),
        )
        #: The secret signing the ``$connect`` tokens (for another ``GET /live-token``).
        self.token_secret_arn = str(secret["ARN"])
        return {
            s.stream_id: self.stream_name,
            s.counts.logical_id: self.counts_table,
            s.connections.logical_id: self.connections_table,
            s.secret_id: str(secret["ARN"]),
        }

    def start(self) -> None:
        s = self.settings
        names = self._create_resources()
        routes, authorizer = self.functions[ROUTES], self.functions[AUTHORIZER]
        self.websocket = WebSocketApi(
            authorizer=authorizer,
            routes=routes,
            api_id="local",
            stage=s.stage_name,
            identity_sources=s.identity_sources,
        )
        self.http = HttpApi(
            stage=s.stage_name,
            post=self.websocket.post,
            issuer=self.functions[ISSUER],
            site=self.site,
            config=self.config,
        )
        overrides = {"CALLBACK_URL": self.http.callback_url, "LIVE_API_ID": "local"}
        environments = {
            h: resolve_environment(s.environments[h], names, overrides)
            for h in (AGGREGATOR, BROADCASTER, ROUTES, AUTHORIZER)
        }
        environments[ISSUER] = {
            "TOKEN_SECRET_ARN": names[s.secret_id],
            "ALLOWED_ORIGIN": self.http.url,
        }
        merged = {**merge_environments(environments), **self.extra_environment}
        self._environment = ProcessEnvironment(merged)
        _cold_start()
        self.websocket.start()
        self.http.start()
        self.pollers = [
            KinesisPoller(
                name="kinesis-mapping",
                stream_name=self.stream_name,
                client=boto3.client("kinesis"),
                stream_arn=_stream_arn(self.stream_name),
                function=self.functions[AGGREGATOR],
                mapping=s.kinesis,
                poll_seconds=self.kinesis_poll_seconds,
            ),
            TableStreamPoller(
                name="table-stream-mapping",
                client=boto3.client("dynamodbstreams"),
                stream_arn=boto3.client("dynamodb").describe_table(TableName=self.counts_table)[
                    "Table"
                ]["LatestStreamArn"],
                function=self.functions[BROADCASTER],
                mapping=s.table_stream,
                poll_seconds=self.table_stream_poll_seconds,
            ),
        ]
        for poller in self.pollers:
            poller.start()

    def put_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Put usage events into the stream, partitioned by product as the ingest API does."""
        kinesis = boto3.client("kinesis")
        batch = [
            {"Data": json.dumps(dict(e)).encode(), "PartitionKey": str(e["product_id"])}
            for e in events
        ]
        for start in range(0, len(batch), 500):
            kinesis.put_records(StreamName=self.stream_name, Records=batch[start : start + 500])

    def drop_connections(self) -> int:
        """Close every open WebSocket from the server's side; how many were open."""
        assert self.websocket is not None
        return self.websocket.drop_all()

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        if self.http is not None:
            self.http.stop()
        if self.websocket is not None:
            self.websocket.stop()
        if self._environment is not None:
            self._environment.restore()
            self._environment = None


def _stream_arn(name: str) -> str:
    return str(
        boto3.client("kinesis").describe_stream_summary(StreamName=name)[
            "StreamDescriptionSummary"
        ]["StreamARN"]
    )


def _cold_start() -> None:
    """Forget what earlier handler instances in this process cached (tables, clients,
    the secret), as a new Lambda instance would not have it."""
    from live_updates import app, authorizer, broadcaster
    from usage_aggregator import app as aggregator

    app._store.cache_clear()
    app._snapshots.cache_clear()
    broadcaster.broadcaster.cache_clear()
    aggregator._store.cache_clear()
    authorizer._cached.clear()
