"""``web/storefront/sigv4.js``, run on Node, signs exactly as botocore's SigV4 signer does
on the same request, credentials and time (so AWS accepts what the page signs)."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.cdk_app import ROOT

SIGV4_JS = ROOT / "web" / "storefront" / "sigv4.js"
WHEN = datetime.datetime(2026, 12, 1, 20, 30, 5, tzinfo=datetime.UTC)
TEMPORARY = {
    "accessKeyId": "ASIAEXAMPLE123456789",
    "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==",
}
RECORDS = {
    "StreamARN": "arn:aws:kinesis:eu-west-1:123456789012:stream/Dev-Events",
    "Records": [
        {"Data": "eyJldmVudF9pZCI6ICJhIn0=", "PartitionKey": "TEE-BLK"},
        {"Data": "eyJldmVudF9pZCI6ICJiIn0=", "PartitionKey": "Mütze ☂"},
    ],
}
KINESIS_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "Kinesis_20131202.PutRecords",
}

CASES = [
    pytest.param(
        {
            "method": "POST",
            "url": "https://kinesis.eu-west-1.amazonaws.com/",
            "headers": KINESIS_HEADERS,
            "body": json.dumps(RECORDS, ensure_ascii=False),
            "region": "eu-west-1",
            "service": "kinesis",
            "credentials": TEMPORARY,
        },
        id="kinesis-put-records",
    ),
    pytest.param(
        {
            "method": "POST",
            "url": "http://127.0.0.1:4566/",
            "headers": {**KINESIS_HEADERS, "X-Extra": "  two   spaces  "},
            "body": "{}",
            "region": "us-east-1",
            "service": "kinesis",
            "credentials": {k: v for k, v in TEMPORARY.items() if k != "sessionToken"},
        },
        id="port-long-term-key-folded-header",
    ),
    pytest.param(
        {
            "method": "GET",
            "url": "https://example.execute-api.eu-west-1.amazonaws.com/v1/a%20b/c~d(1)?b=2&a=1&a=0&c=x~y",
            "headers": {},
            "body": "",
            "region": "eu-west-1",
            "service": "execute-api",
            "credentials": TEMPORARY,
        },
        id="path-and-query",
    ),
]

_NODE_SCRIPT = """
import { signRequest } from %s;
const input = JSON.parse(process.argv[1]);
input.date = new Date(input.date);
process.stdout.write(JSON.stringify(await signRequest(input)));
"""


def signed_by_page(request: dict[str, Any]) -> dict[str, str]:
    node = shutil.which("node")
    assert node is not None, "Node is needed (make setup installs it)"
    script = _NODE_SCRIPT % json.dumps(SIGV4_JS.as_uri())
    given = json.dumps({**request, "date": WHEN.isoformat()})
    done = subprocess.run(
        [node, "--input-type=module", "-e", script, given],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    found: dict[str, str] = json.loads(done.stdout)
    return found


def signed_by_botocore(request: dict[str, Any]) -> dict[str, str]:
    keys = request["credentials"]
    credentials = Credentials(
        keys["accessKeyId"], keys["secretAccessKey"], keys.get("sessionToken")
    )
    aws_request = AWSRequest(
        method=request["method"],
        url=request["url"],
        data=request["body"].encode(),
        headers=dict(request["headers"]),
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        SigV4Auth(credentials, request["service"], request["region"]).add_auth(aws_request)
    return {name: str(value) for name, value in aws_request.headers.items()}


@pytest.mark.parametrize("request_", CASES)
def test_the_page_signs_as_botocore_does(request_: dict[str, Any]) -> None:
    page, botocore = signed_by_page(request_), signed_by_botocore(request_)
    assert page["Authorization"] == botocore["Authorization"]
    assert page["X-Amz-Date"] == botocore["X-Amz-Date"] == "20261201T203005Z"
    assert page.get("X-Amz-Security-Token") == botocore.get("X-Amz-Security-Token")
    signed = page["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert "host" in signed
    assert "x-amz-date" in signed


def test_another_secret_gives_another_signature() -> None:
    request: dict[str, Any] = CASES[0].values[0]  # type: ignore[assignment]
    other = {**request, "credentials": {**TEMPORARY, "secretAccessKey": "x" * 40}}
    assert signed_by_page(other)["Authorization"] != signed_by_botocore(request)["Authorization"]
