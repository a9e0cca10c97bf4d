"""The probe: one API Gateway request sent to the version being deployed, and whether
its answer is the one expected. Plain functions, no AWS access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class ProbeSpecError(ValueError):
    """The probe the stack configured cannot be read."""


@dataclass(frozen=True)
class Probe:
    """``method path?query`` must be answered with status ``expect``."""

    method: str
    path: str
    query: dict[str, str]
    expect: int

    @classmethod
    def from_json(cls, text: str) -> Probe:
        """The probe in the ``PROBE`` environment variable's JSON."""
        try:
            spec = json.loads(text)
            probe = cls(
                method=str(spec["method"]),
                path=str(spec["path"]),
                query={str(k): str(v) for k, v in spec.get("query", {}).items()},
                expect=int(spec["expect"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as problem:
            raise ProbeSpecError(f"PROBE is not a probe: {problem}") from None
        return probe

    def event(self, deployment_id: str) -> dict[str, Any]:
        """The API Gateway REST proxy event of the probe, as API Gateway would send it
        with no caller identity (the probe never signs in)."""
        return {
            "resource": self.path,
            "path": self.path,
            "httpMethod": self.method,
            "headers": {"User-Agent": "traffic-check", "X-Deployment-Id": deployment_id},
            "multiValueHeaders": {
                "User-Agent": ["traffic-check"],
                "X-Deployment-Id": [deployment_id],
            },
            "queryStringParameters": dict(self.query) or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in self.query.items()} or None,
            "pathParameters": None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": self.path,
                "httpMethod": self.method,
                "path": self.path,
                "requestId": f"traffic-check-{deployment_id}",
                "stage": "traffic-check",
                "identity": {"sourceIp": "127.0.0.1", "userAgent": "traffic-check"},
                "authorizer": {},
            },
            "body": None,
            "isBase64Encoded": False,
        }


def verdict(probe: Probe, function_error: str | None, payload: bytes) -> str | None:
    """Why the version failed the probe, or ``None`` when it passed."""
    if function_error:
        return f"the function failed ({function_error}): {payload[:500]!r}"
    try:
        answer = json.loads(payload)
        status = int(answer["statusCode"])
    except (ValueError, KeyError, TypeError):
        return f"the answer is not an API Gateway proxy response: {payload[:500]!r}"
    if status != probe.expect:
        return f"{probe.method} {probe.path} answered {status}, expected {probe.expect}"
    return None
