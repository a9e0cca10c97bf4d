"""A stage's stacks as the cloud assembly's manifest describes them to the CDK CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def stage_stacks(assembly_dir: Path, stage_id: str) -> dict[str, dict[str, Any]]:
    """Stacks of stage ``stage_id`` (``Prod``) by display name: ``region``, ``depends_on``
    (display names of the stacks deployed before it) and ``template``."""
    directory = assembly_dir / f"assembly-{stage_id}"
    artifacts = json.loads((directory / "manifest.json").read_text())["artifacts"]
    names = {k: a.get("displayName", k) for k, a in artifacts.items()}
    return {
        a["displayName"]: {
            "region": a["environment"].rsplit("/", 1)[1],
            "depends_on": {names[d] for d in a.get("dependencies", []) if d in names},
            "template": json.loads((directory / a["properties"]["templateFile"]).read_text()),
        }
        for a in artifacts.values()
        if a["type"] == "aws:cloudformation:stack"
    }


def fake_assembly(tmp_path: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    """A cloud assembly of ``stacks``: display name -> region, dependencies, resources."""
    artifacts = {}
    for name, spec in stacks.items():
        artifact_id = name.replace("/", "")
        template = {"Resources": spec.get("resources", {}), "Outputs": spec.get("outputs", {})}
        (tmp_path / f"{artifact_id}.template.json").write_text(json.dumps(template))
        artifacts[artifact_id] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://111111111111/{spec.get('region', 'us-east-1')}",
            "displayName": name,
            "dependencies": [d.replace("/", "") for d in spec.get("depends_on", ())],
            "properties": {
                "templateFile": f"{artifact_id}.template.json",
                "stackName": name.replace("/", "-"),
            },
        }
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    return tmp_path
