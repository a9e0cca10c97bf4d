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
