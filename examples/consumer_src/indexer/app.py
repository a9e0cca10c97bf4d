"""The consumer's catalog indexer: receives S3 object events from EventBridge."""

from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    detail = event.get("detail", {})
    return {
        "bucket": detail.get("bucket", {}).get("name"),
        "key": detail.get("object", {}).get("key"),
    }
