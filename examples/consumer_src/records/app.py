"""The consumer's stream handler: a Kinesis batch, answered with a partial batch response."""

import base64
import json
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            json.loads(base64.b64decode(record["kinesis"]["data"]))
        except ValueError:
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    return {"batchItemFailures": failures}
