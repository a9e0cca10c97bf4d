"""The catalog table and the lake's objects behind small adapters (the AWS calls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from catalog_indexer.objects import CatalogEntry, ObjectEvent, normalise_sequencer
from shop_common import catalog_keys as keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_serialize = TypeSerializer().serialize
_NEWER = "attribute_not_exists(pk) OR #seq < :seq"


class CatalogTable:
    """Writes each object's items in one transaction, so a reader never sees half of one.

    Every write is conditional on the S3 sequencer of the event: a redelivered or
    out-of-order event changes nothing.
    """

    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        self._name = table_name
        self._client = client or boto3.client("dynamodb")

    def _existing(self, pk: str) -> list[str]:
        response = self._client.query(
            TableName=self._name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ProjectionExpression="sk",
            ConsistentRead=True,
        )
        return [item["sk"]["S"] for item in response["Items"]]

    def put(self, entry: CatalogEntry) -> bool:
        """Index an object; False when the catalog already holds this or a newer version."""
        meta, *tags = entry.items()
        stale = set(self._existing(meta["pk"])) - {item["sk"] for item in entry.items()}
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._name,
                    "Item": _item(meta),
                    "ConditionExpression": _NEWER,
                    "ExpressionAttributeNames": {"#seq": "sequencer"},
                    "ExpressionAttributeValues": {":seq": {"S": meta["sequencer"]}},
                }
            },
            *({"Put": {"TableName": self._name, "Item": _item(tag)}} for tag in tags),
            *(
                {"Delete": {"TableName": self._name, "Key": _key(meta["pk"], sk)}}
                for sk in sorted(stale)
            ),
        ]
        return self._transact(writes)

    def remove(self, event: ObjectEvent) -> bool:
        """Forget an object; False when it is unknown or a newer version was indexed."""
        pk = keys.object_pk(event.bucket, event.key)
        existing = self._existing(pk)
        if keys.META not in existing:
            return False
        writes: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self._name,
                    "Key": _key(pk, sk),
                    **(
                        {
                            "ConditionExpression": "#seq <= :seq",
                            "ExpressionAttributeNames": {"#seq": "sequencer"},
                            "ExpressionAttributeValues": {
                                ":seq": {"S": normalise_sequencer(event.sequencer)}
                            },
                        }
                        if sk == keys.META
                        else {}
                    ),
                }
            }
            for sk in existing
        ]
        return self._transact(writes)

    def _transact(self, writes: list[dict[str, Any]]) -> bool:
        try:
            self._client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = error.response.get("CancellationReasons", [])
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                    return False
            raise
        return True


class LakeObjects:
    """Reads what S3 events do not carry: an object's tags."""

    def __init__(self, *, client: Any | None = None) -> None:
        self._client = client or boto3.client("s3")

    def tags(self, bucket: str, key: str) -> dict[str, str] | None:
        """The object's tags; ``None`` when the object no longer exists."""
        try:
            response = self._client.get_object_tagging(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return {tag["Key"]: tag["Value"] for tag in response["TagSet"]}


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in values.items()}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}
