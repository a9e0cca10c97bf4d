"""A consumer's own handler, packaged by ServerlessFunction from this folder."""

from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return {"received": len(event)}
