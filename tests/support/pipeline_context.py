"""The example ``pipeline`` context the tests synthesize with."""

from __future__ import annotations

from typing import Any

#: Example values only: no real account or connection.
PIPELINE: dict[str, Any] = {
    "connection_arn": "arn:aws:codeconnections:eu-west-1:111111111111:connection/"
    "12345678-1234-1234-1234-123456789012",
    "repository": "example-org/serverless-patterns",
    "branch": "main",
    "account": "111111111111",
    "region": "eu-west-1",
}
