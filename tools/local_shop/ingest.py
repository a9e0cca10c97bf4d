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
from tools.local_shop.tokens import InvalidTokenError, TokenVerifier

_KEY_IN_TEMPLATE = re.compile(r"\$\.records\[\$foreach\.index\]\.(\w+)")


@dataclass(frozen=True)
class IngestSpec:
    """The batch method of a ``StreamIngestApi``: its body's schema and partition key."""

    schema: Mapping[str, Any]
    partition_key_field: str


def read_ingest(template: Mapping[str, Any]) -> IngestSpec:
    """The ``POST /records`` method of a synthesized stack holding a ``StreamIngestApi``."""
    resources = template["Resources"]
    for resource in resources.values():
        props = resource["Properties"]
        if resource["Type"] != "AWS::ApiGateway::Method" or props["HttpMethod"] != "POST":
            continue
        path_part = resources.get(props["ResourceId"].get("Ref", ""), {}).get("Properties", {})
        if path_part.get("PathPart") != "records":
            continue
        mapping = json.dumps(props["Integration"]["RequestTemplates"]["application/json"])
        found = _KEY_IN_TEMPLATE.search(mapping)
        model = props["RequestModels"]["application/json"]["Ref"]
        if found is not None:
            return IngestSpec(resources[model]["Properties"]["Schema"], found.group(1))
    raise ValueError("the template has no StreamIngestApi POST /records method")


class Ingest:
    """``POST /records`` into ``stream``. An ``Authorization`` header, when sent, must be a
    valid ID token of the pool (how the deployed API authorizes browsers is its stack's
    choice); without one the records are accepted."""

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
                    "Access-Control-Allow-Headers": "Authorization,Content-Type",
                    "Access-Control-Allow-Methods": "OPTIONS,POST",
                    "Vary": "Origin",
                },
            )
        if method != "POST":
            return json_answer(403, {"message": "Missing Authentication Token"}, cors)
        token = {k.lower(): v for k, v in headers.items()}.get("authorization")
        if token is not None:
            try:
                self.tokens.claims(token)
            except InvalidTokenError:
                return json_answer(401, {"message": "Unauthorized"}, cors)
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
