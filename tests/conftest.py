"""Session fixtures: the whole app synthesized once, and one moto server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.assembly import StackArtifact, stacks
from tools.moto_server import local_aws, reset

# The project's Node 22 first, as the Makefile does, also when pytest is run directly:
# jsii starts its Node process on the first aws_cdk import, after this line.
_NODE_BIN = Path(__file__).resolve().parents[1] / "node_modules" / ".bin"
if _NODE_BIN.is_dir():
    os.environ["PATH"] = f"{_NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
# Handler modules create their Powertools objects on import, during collection.
os.environ.update(
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_SERVICE_NAME="shop-tests",
    POWERTOOLS_METRICS_NAMESPACE="ShopTests",
)


def synthesize_app(outdir: Path) -> Path:
    """Build every stage as ``app.py`` does, synthesize it into ``outdir``, return it."""
    from app import build_app
    from tests.support.cdk_app import new_app

    app = new_app(outdir)
    build_app(app)
    app.synth()
    return outdir


@pytest.fixture(scope="session")
def assembly_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cloud assembly of all stages, synthesized once per test session."""
    return synthesize_app(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def stack_artifacts(assembly_dir: Path) -> dict[str, StackArtifact]:
    """Every synthesized stack by display name (``Dev/Operations``)."""
    return {stack.display_name: stack for stack in stacks(assembly_dir)}


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """A moto server on loopback; boto3 clients in this process talk to it."""
    with local_aws() as endpoint:
        yield endpoint


@pytest.fixture
def aws(aws_endpoint: str) -> str:
    """The moto endpoint, emptied before the test."""
    reset(aws_endpoint)
    return aws_endpoint
