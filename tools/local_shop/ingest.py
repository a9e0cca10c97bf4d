"""A stand-in for the ingest API's ``POST /records``: the body checked against the
template's request model, each record put into a moto Kinesis stream with the partition
key the deployed integration's mapping template reads (``product_id``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from tools.local_shop.gateway import Answer, json_answer
from tools.local_shop.template import preflight_answer
from tools.local_shop.tokens import InvalidTokenError, TokenVerifier

_KEY_IN_TEMPLATE = re.compile(r"\$\.records\[\$foreach\.index\]\.(\w+)")


@dataclass(frozen=True)
class IngestSpec:
    """The batch method of a ``StreamIngestApi``: its body's schema, partition key, auth
    and CORS preflight answer."""

    schema: Mapping[str, Any]
    partition_key_field: str
    auth: str  # NONE, COGNITO_USER_POOLS, AWS_IAM
    cors_allow_headers: tuple[str, ...]
    cors_allow_methods: tuple[str, ...]


def read_ingest(template: Mapping[str, Any]) -> IngestSpec | None:
    """The ``POST /records`` method of a stack's ``StreamIngestApi``; ``None`` if none."""
    resources = template["Resources"]
    methods = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Method"
    ]
    for props in methods:
        path_part = resources.get(props["ResourceId"].get("Ref", ""), {}).get("Properties", {})
        if props["HttpMethod"] != "POST" or path_part.get("PathPart") != "records":
            continue
        mapping = json.dumps(props["Integration"]["RequestTemplates"]["application/json"])
        found = _KEY_IN_TEMPLATE.search(mapping)
        if found is None:
            continue
        model = props["RequestModels"]["application/json"]["Ref"]
        preflight = next(
            p
            for p in methods
            if p["HttpMethod"] == "OPTIONS" and p["ResourceId"] == props["ResourceId"]
        )
        headers, allowed = preflight_answer(preflight)
        return IngestSpec(
            schema=resources[model]["Properties"]["Schema"],
            partition_key_field=found.group(1),
            auth=props.get("AuthorizationType", "NONE"),
            cors_allow_headers=headers,
            cors_allow_methods=allowed,
        )
    return None


class Ingest:
    """``POST /records`` into ``stream``, with the method's auth: a Cognito method takes
    only a verified ID token of the pool in ``Authorization`` (as the deployed
    ``StorefrontEvents`` API does)."""

    def __init__(
        self, spec: IngestSpec, kinesis: Any, stream: str, tokens: TokenVerifier, origin: str
    ) -> None:
        self.spec = spec
        self.kinesis = kinesis
        self.stream = stream
        self.tokens = tokens
        self.origin = origin

    def handle(self, method: str, headers: Mapping[str, str], body: bytes) -> Answer:
        cors = {"Access-Control-Allow-Origin": self.origin}
        if method == "OPTIONS":
            return Answer(
                204,
                {
                    **cors,
                    "Access-Control-Allow-Headers": ",".join(self.spec.cors_allow_headers),
                    "Access-Control-Allow-Methods": ",".join(self.spec.cors_allow_methods),
                    "Vary": "Origin",
                },
            )
        if method != "POST":
            return json_answer(403, {"message": "Missing Authentication Token"}, cors)
        if self.spec.auth == "COGNITO_USER_POOLS":
            try:
                self.tokens.claims({k.lower(): v for k, v in headers.items()}.get("authorization"))
            except InvalidTokenError:
                return json_answer(401, {"message": "Unauthorized"}, cors)
        elif self.spec.auth != "NONE":
            return json_answer(500, {"message": f"{self.spec.auth} is not emulated"}, cors)
        try:
            request = json.loads(body or b"null")
            jsonschema.Draft4Validator(self.spec.schema).validate(request)
        except (ValueError, jsonschema.ValidationError):
            return json_answer(400, {"message": "Invalid request body"}, cors)
        response = self.kinesis.put_records(
            StreamName=self.stream,
            Records=[
                {
                    "PartitionKey": str(record[self.spec.partition_key_field]),
                    "Data": json.dumps(record, separators=(",", ":")).encode(),
                }
                for record in request["records"]
            ],
        )
        return json_answer(
            200,
            {"failed_record_count": response["FailedRecordCount"], "records": response["Records"]},
            cors,
        )
