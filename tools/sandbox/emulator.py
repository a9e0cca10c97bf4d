"""The emulator: a moto server in this process, on a free 127.0.0.1 port, with the shims.

The CDK CLI is given ``http://localhost:<port>``: with ``127.0.0.1`` moto's S3 takes the
first label of the host for a bucket name and reads the template bucket as ``127``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from tools.sandbox.ledger import Ledger
from tools.sandbox.shims import ACCOUNT, REGION, Shim, installed

__all__ = ["ACCOUNT", "REGION", "Emulator", "port_is_open", "running"]

HOST = "127.0.0.1"

#: Variables that could point the CLI or boto3 elsewhere than the emulator.
_FOREIGN = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


@dataclass(frozen=True)
class Emulator:
    """A running moto server and what the sandbox learns from it."""

    port: int
    ledger: Ledger
    shims: tuple[Shim, ...] = field(default=())

    @property
    def endpoint(self) -> str:
        """The URL every client is given (``localhost``, see the module docstring)."""
        return f"http://localhost:{self.port}"

    def client_env(self) -> dict[str, str]:
        """AWS settings that send the CDK CLI and boto3 to the emulator, fake credentials."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def client(self, service: str) -> Any:
        """A boto3 client of ``service`` that talks to the emulator."""
        session = boto3.session.Session()
        return session.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )

    def environ(self) -> dict[str, str]:
        """This process's environment with :meth:`client_env` in place of any AWS setup."""
        base = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
        return {**base, **self.client_env()}


def port_is_open(port: int, host: str = HOST) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


@contextmanager
def _quiet() -> Iterator[None]:
    # One line per request, Docker probes and moto's own warnings would bury the progress;
    # the ledger reports what moto skipped or failed instead.
    loggers = [logging.getLogger(name) for name in ("werkzeug", "moto", "botocore")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def running() -> Iterator[Emulator]:
    """Start moto on ``127.0.0.1`` (a free port) with the shims; stop it on leaving,
    also on an error or Ctrl-C."""
    ledger = Ledger()
    with _quiet(), installed(ledger) as shims:
        server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
        server.start()
        try:
            _, port = server.get_host_and_port()
            yield Emulator(port=port, ledger=ledger, shims=shims)
        finally:
            server.stop()
