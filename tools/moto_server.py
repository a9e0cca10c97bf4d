"""A moto server on a loopback port that boto3 reaches over real HTTP."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

REGION = "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto on 127.0.0.1 with a free port; yield its endpoint URL; stop it after."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def local_aws(extra_env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A moto server, with this process's AWS settings (and ``extra_env``) pointing at it
    meanwhile; the previous environment comes back afterwards."""
    settings = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        **(extra_env or {}),
    }
    saved = {name: os.environ.get(name) for name in [*settings, "AWS_ENDPOINT_URL"]}
    with moto_server() as endpoint:
        os.environ.update(settings, AWS_ENDPOINT_URL=endpoint)
        try:
            yield endpoint
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def reset(endpoint: str) -> None:
    """Forget every resource the server holds."""
    _post(f"{endpoint}/moto-api/reset", b"")


def configure(endpoint: str, settings: dict[str, object]) -> None:
    """Change moto's own configuration (e.g. ``stepfunctions.execute_state_machine``)."""
    _post(f"{endpoint}/moto-api/config", json.dumps(settings).encode())


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
