"""The app synthesizes the same everywhere: in-process as the tests build it, as
``python app.py`` with no CLI, and through ``cdk synth`` on a clean copy of the project
with no AWS credentials and no ``cdk.context.json``.

A context lookup (an ``availability-zones`` query for an environment-bound VPC, say)
passes in-process, where CDK fills in a dummy value, and fails only in the CLI, which
must then call AWS; cdk.json's feature flags are there only when the CLI passes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cdk_app import ROOT
from tools.assembly import stacks

#: What a clean clone holds that synthesis reads (the rest is built by ``make setup``).
PROJECT_ENTRIES = ("app.py", "cdk.json", "patterns", "stacks", "lambdas", "tools", "web")
#: What ``make setup`` builds, shared with the copy rather than rebuilt.
BUILT_ENTRIES = (".venv", "node_modules", "build")


def _no_aws_environment(home: Path) -> dict[str, str]:
    """The process environment without any AWS credential, profile or region."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PATH=f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


@pytest.fixture(scope="module")
def outside_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both ways, at once (each is a whole-app synthesis): ``python app.py`` with only
    ``CDK_OUTDIR`` set, and ``cdk synth --no-lookups`` in a copy of the project."""
    base = tmp_path_factory.mktemp("outside")
    home = base / "home"
    home.mkdir()
    clone = base / "clone"
    clone.mkdir()
    for entry in (*PROJECT_ENTRIES, *BUILT_ENTRIES):
        (clone / entry).symlink_to(ROOT / entry)
    env = _no_aws_environment(home)
    outdirs = {"python": base / "python.out", "cli": base / "cli.out"}
    runs = {
        "python": subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env={**env, "CDK_OUTDIR": str(outdirs["python"])},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ),
        "cli": subprocess.Popen(
            ["cdk", "synth", "--no-lookups", "--quiet", "--output", str(outdirs["cli"])],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ),
    }
    failures = {}
    for way, run in runs.items():
        output, _ = run.communicate(timeout=900)
        if run.returncode != 0:
            failures[way] = output.decode(errors="replace")[-4000:]
    assert not failures, failures
    assert not (clone / "cdk.context.json").exists(), "the CLI cached a context lookup"
    return outdirs


_DEPLOYMENT_HASH = 32


def _templates(assembly_dir: Path) -> dict[str, Any]:
    """Every template, without what only the CLI asks CDK to add (construct paths and
    asset locations in ``Metadata``, the ``AWS::CDK::Metadata`` version report)."""
    return {stack.display_name: _deployed(stack.template()) for stack in stacks(assembly_dir)}


def _deployed(template: dict[str, Any]) -> dict[str, Any]:
    # A REST API deployment's logical id hashes its methods as rendered, construct
    # paths included: compare it without the hash.
    renamed = {
        logical_id: logical_id[:-_DEPLOYMENT_HASH]
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] == "AWS::ApiGateway::Deployment"
    }
    text = json.dumps(template)
    for old, new in renamed.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    template = json.loads(text)
    resources = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] == "AWS::CDK::Metadata":
            continue
        metadata = {
            key: value
            for key, value in resource.get("Metadata", {}).items()
            if not key.startswith(("aws:cdk:path", "aws:asset:"))
        }
        resources[logical_id] = {**resource, "Metadata": metadata}
    conditions = {
        key: value
        for key, value in template.get("Conditions", {}).items()
        if key != "CDKMetadataAvailable"
    }
    return {**template, "Resources": resources, "Conditions": conditions}


def test_in_process_synthesis_asks_for_no_lookup(assembly_dir: Path) -> None:
    manifest = json.loads((assembly_dir / "manifest.json").read_text())
    assert manifest.get("missing", []) == []


@pytest.mark.parametrize("way", ["python", "cli"])
def test_every_way_gives_the_templates_the_tests_check(
    outside_runs: dict[str, Path], assembly_dir: Path, way: str
) -> None:
    """Same stacks and resources: the feature flags were the same, and the
    acknowledgements (whose ids embed the rendering of cross-stack references) held,
    since either run fails on a finding."""
    expected = _templates(assembly_dir)
    assert _templates(outside_runs[way]) == expected
