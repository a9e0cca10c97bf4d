"""Reading S3 object events into catalog entries: plain functions, no AWS calls."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shop_common import catalog_keys as keys

_DATE_PART = re.compile(r"^(dt|date)=(\d{4}-\d{2}-\d{2})$")
_HIVE = re.compile(r"^(year|month|day|hour)=(\d{1,4})$")
_NUMERIC = re.compile(r"^\d{1,4}$")


class MalformedEventError(ValueError):
    """The event is not an S3 object event this indexer understands."""


@dataclass(frozen=True)
class ObjectEvent:
    """One S3 object created or deleted, as EventBridge delivered it."""

    action: str  # "created" or "deleted"
    bucket: str
    key: str
    size: int
    sequencer: str
    time: str

    @property
    def dataset(self) -> str:
        return self.key.split("/", 1)[0] if "/" in self.key else "_root"

    @property
    def partition(self) -> dict[str, str]:
        """Partition values found in the key (``dt=``, Hive ``year=/month=/day=``, or
        Firehose's ``YYYY/MM/DD/HH`` folders)."""
        segments = self.key.split("/")[1:-1]
        found: dict[str, str] = {}
        numbers = []
        for segment in segments:
            if match := _DATE_PART.match(segment):
                found["date"] = match.group(2)
            elif match := _HIVE.match(segment):
                found[match.group(1)] = match.group(2)
            elif _NUMERIC.match(segment):
                numbers.append(segment)
        if "date" not in found and {"year", "month", "day"} <= found.keys():
            found["date"] = f"{found['year']}-{int(found['month']):02d}-{int(found['day']):02d}"
        if "date" not in found and len(numbers) >= 3 and len(numbers[0]) == 4:
            found["date"] = f"{numbers[0]}-{int(numbers[1]):02d}-{int(numbers[2]):02d}"
        return found

    @property
    def date(self) -> str:
        """The partition date, else the day of the event."""
        return self.partition.get("date", self.time[:10])


@dataclass(frozen=True)
class CatalogEntry:
    """The items that describe one object in the catalog."""

    event: ObjectEvent
    zone: str
    tags: Mapping[str, str] = field(default_factory=dict)

    def items(self) -> list[dict[str, Any]]:
        e = self.event
        pk = keys.object_pk(e.bucket, e.key)
        tag_list = sorted(keys.tag_value(k, v) for k, v in self.tags.items())
        meta = {
            "pk": pk,
            "sk": keys.META,
            "gsi1pk": keys.dataset_pk(e.dataset),
            "gsi1sk": keys.date_sk(e.date, e.bucket, e.key),
            "bucket": e.bucket,
            "key": e.key,
            "zone": self.zone,
            "dataset": e.dataset,
            "date": e.date,
            "partition": e.partition,
            "size": e.size,
            "tags": tag_list,
            "sequencer": normalise_sequencer(e.sequencer),
            "event_time": e.time,
        }
        tags = [
            {
                "pk": pk,
                "sk": keys.tag_sk(tag),
                "gsi2pk": keys.tag_pk(tag),
                "gsi2sk": f"{keys.dataset_prefix(e.dataset)}{e.bucket}/{e.key}",
                "dataset": e.dataset,
            }
            for tag in tag_list
        ]
        return [meta, *tags]


def normalise_sequencer(sequencer: str) -> str:
    """S3 sequencers compare as hex numbers; pad so that strings compare the same way."""
    return sequencer.upper().rjust(32, "0")


def parse_event(event: Mapping[str, Any]) -> ObjectEvent:
    """The object event inside an EventBridge S3 notification; ``MalformedEventError`` else."""
    detail_type = event.get("detail-type")
    actions = {"Object Created": "created", "Object Deleted": "deleted"}
    if event.get("source") != "aws.s3" or detail_type not in actions:
        raise MalformedEventError(
            f"expected an aws.s3 Object Created/Deleted event, got "
            f"source={event.get('source')!r} detail-type={detail_type!r}"
        )
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise MalformedEventError("event has no detail object")
    try:
        bucket = str(detail["bucket"]["name"])
        obj = detail["object"]
        key = str(obj["key"])
        sequencer = str(obj["sequencer"])
        size = int(obj.get("size", 0))
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedEventError(f"event detail lacks bucket/object fields: {error!r}") from None
    if not bucket or not key or not re.fullmatch(r"[0-9A-Fa-f]+", sequencer):
        raise MalformedEventError(f"event has an empty bucket/key or a bad sequencer: {detail}")
    return ObjectEvent(
        action=actions[str(detail_type)],
        bucket=bucket,
        key=key,
        size=size,
        sequencer=sequencer,
        time=str(event.get("time", "")),
    )
