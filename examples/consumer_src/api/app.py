"""The consumer's API handler: answers API Gateway proxy requests."""

import json
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    body = {"path": event.get("path"), "method": event.get("httpMethod")}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
