"""The wheel a user installs: its contents, and a consumer app synthesized from it.

The wheel is built from this checkout, installed into a fresh virtual environment
outside the repository, and ``examples/consumer_app.py`` runs there, so nothing of the
repository's own tree can leak into what the consumer imports. The synthesized stacks
show every public construct used both ways: with its defaults in ``ConsumerDefaults`` and
with existing resources in ``ConsumerExisting``, which creates none of those resources.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from constructs import Construct

import patterns
from patterns import PATTERN_METADATA
from tests.support.cdk_app import ROOT
from tools.assembly import StackArtifact, stacks
from tools.cdk_floor import floor


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.fixture(scope="module")
def consumer_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("consumer") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    [wheel] = dist.glob("*.whl")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv


def test_wheel_ships_the_patterns_package_only(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("serverless_patterns-0.1.0.dist-info/METADATA")
    top = {name.split("/", 1)[0] for name in names}
    assert top == {"patterns", "serverless_patterns-0.1.0.dist-info"}
    assert "patterns/py.typed" in names
    shipped = {n for n in names if n.startswith("patterns/") and n.endswith(".py")}
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "patterns").rglob("*.py")}
    assert shipped == source
    text = metadata.decode()
    assert "License-Expression: Apache-2.0" in text
    assert f"Requires-Dist: aws-cdk-lib<3,>={floor()}" in text
    assert "Requires-Dist: constructs<11,>=10.4" in text
    assert "Requires-Dist: cdk-nag" not in text.split("Provides-Extra: dev")[0]


def test_sdist_holds_the_library_source_only(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    folders = {n.split("/")[1] for n in names if n.count("/") >= 1}
    assert {"patterns", "README.md", "LICENSE", "pyproject.toml"} <= folders
    assert not folders & {"tests", "stacks", "lambdas", "examples", "tools"}


@pytest.fixture(scope="module")
def consumer_assembly(consumer_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/`` copied outside the repository and synthesized with the wheel's venv."""
    workdir = tmp_path_factory.mktemp("consumer") / "app"
    shutil.copytree(ROOT / "examples", workdir)
    env = {
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(workdir)),
        "CDK_OUTDIR": str(workdir / "cdk.out"),
    }
    python = consumer_venv / "bin" / "python"
    located = subprocess.run(
        [str(python), "-c", "import patterns; print(patterns.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(consumer_venv) in located.stdout, "patterns must come from the installed wheel"
    result = subprocess.run(
        [str(python), "consumer_app.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir / "cdk.out"


def _consumer_stacks(assembly: Path) -> dict[str, StackArtifact]:
    return {s.display_name: s for s in stacks(assembly)}


def _metadata(stack: StackArtifact) -> dict[str, list[dict[str, Any]]]:
    loaded: dict[str, list[dict[str, Any]]] = json.loads(stack.metadata_path.read_text())
    return loaded


def test_consumer_app_synthesizes_without_errors_or_warnings(consumer_assembly: Path) -> None:
    synthesized = _consumer_stacks(consumer_assembly)
    assert set(synthesized) == {"ConsumerDefaults", "ConsumerExisting"}
    for stack in synthesized.values():
        # Run without the CLI, annotations do not fail the app: they land in the metadata.
        annotations = [
            f"{path} {entry['type']}: {entry['data']}"
            for path, entries in _metadata(stack).items()
            for entry in entries
            if entry["type"] in ("aws:cdk:error", "aws:cdk:warning")
        ]
        assert annotations == [], stack.display_name


#: The public constructs: the ``Construct`` subclasses that ``patterns`` exports.
PUBLIC_CONSTRUCTS = frozenset(
    name
    for name in patterns.__all__
    if isinstance(getattr(patterns, name), type) and issubclass(getattr(patterns, name), Construct)
)


def _outermost_patterns(stack: StackArtifact) -> set[str]:
    """Classes of the pattern instances that no other pattern instance contains.

    Patterns create patterns (a ``StaticWebsite`` makes ``SecureBucket``s), so only the
    outermost ones show what the app itself used.
    """
    marked = {
        path: entry["data"]
        for path, entries in _metadata(stack).items()
        for entry in entries
        if entry["type"] == PATTERN_METADATA
    }
    return {
        name
        for path, name in marked.items()
        if not any(path.startswith(f"{other}/") for other in marked)
    }


def test_consumer_app_uses_every_public_construct_in_both_stacks(consumer_assembly: Path) -> None:
    assert {"ServerlessFunction", "StaticWebsite", "DataCatalog"} <= PUBLIC_CONSTRUCTS
    for name, stack in _consumer_stacks(consumer_assembly).items():
        assert _outermost_patterns(stack) == PUBLIC_CONSTRUCTS, name


def _created(stack: StackArtifact, resource_type: str) -> list[str]:
    """Construct paths of the stack's resources of ``resource_type``."""
    path_of = {
        entry["data"]: path.lstrip("/")
        for path, entries in _metadata(stack).items()
        for entry in entries
        if entry["type"] == "aws:cdk:logicalId"
    }
    return sorted(
        path_of[logical_id]
        for logical_id, resource in stack.template()["Resources"].items()
        if resource["Type"] == resource_type
    )


#: In ``ConsumerExisting`` every resource of these types is passed in, except the ones
#: that are what the pattern is (a ``SecureBucket`` is a bucket, ``OpsNotifications`` a
#: topic, ``ServerlessFunction`` a function) and the catalog's own dead-letter queue.
CREATED_BESIDES_WHAT_IS_PASSED_IN = {
    "AWS::S3::Bucket": ["ConsumerExisting/Data/Resource/Resource"],
    "AWS::SNS::Topic": ["ConsumerExisting/Ops/Topic/Resource"],
    "AWS::Lambda::Function": [
        # CDK's bucket-notifications handler: it turns on the imported lake zones' EventBridge
        # events, without which the catalog would never index them.
        "ConsumerExisting/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Resource",
        "ConsumerExisting/Worker/Resource/Resource",
    ],
    "AWS::SQS::Queue": ["ConsumerExisting/Catalog/IndexerDeadLetters/Resource"],
    "AWS::Kinesis::Stream": [],
    "AWS::DynamoDB::Table": [],
    "AWS::Cognito::UserPool": [],
    "AWS::KMS::Key": [],
}


def test_existing_resources_are_used_not_created(consumer_assembly: Path) -> None:
    synthesized = _consumer_stacks(consumer_assembly)
    existing, defaults = synthesized["ConsumerExisting"], synthesized["ConsumerDefaults"]
    created = {kind: _created(existing, kind) for kind in CREATED_BESIDES_WHAT_IS_PASSED_IN}
    assert created == CREATED_BESIDES_WHAT_IS_PASSED_IN
    # With defaults, the same patterns create every one of these kinds themselves.
    for kind, paths in CREATED_BESIDES_WHAT_IS_PASSED_IN.items():
        assert len(_created(defaults, kind)) > len(paths), kind
