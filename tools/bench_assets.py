"""Benchmark rows of the shared-code layer: what the shop's function assets hold and weigh
in a synthesized stage, now (each its own package; ``shop_common`` in one layer per stack)
and as they were before the layer (each asset with its own copy of ``shop_common``).

Sizes are of the assets as uploaded: each directory zipped (deflate), as the CDK CLI
packs a ``zip`` asset. "Before" is computed, not remembered: each function's asset
directory zipped again with ``lambdas/shop_common`` added, as ``handler_code`` used to
cut it.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.lambda_code import LAMBDAS_DIR, SHARED_PACKAGE
from tools.assembly import StackArtifact, stacks
from tools.cdk_context import ROOT, cli_context

Row = tuple[str, str]
#: The stage measured: every stage cuts its assets the same way.
STAGE = "dev"


@dataclass(frozen=True)
class StageAssets:
    """A stage's shop functions (their asset folders) and its shared-code layers."""

    functions: dict[str, Path]  # "<stack>/<logical id>" -> asset folder
    layers: dict[str, Path]  # "<stack>/<logical id>" -> asset folder
    stacks_with_functions: int


def zipped(folders: Iterable[Path]) -> bytes:
    """One zip (deflate) of every file under ``folders``, each named as Lambda unpacks it
    (relative to its asset folder; ``shop_common``'s own folder keeps its name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            base = folder.parent if folder.name == SHARED_PACKAGE else folder
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, str(path.relative_to(base)))
    return buffer.getvalue()


def zipped_size(folders: Iterable[Path]) -> int:
    """Bytes of :func:`zipped`."""
    return len(zipped(folders))


def _asset_files(stack: StackArtifact) -> dict[str, Any]:
    """The ``files`` of a stack's asset manifest (``<stack>.assets.json``)."""
    manifest = stack.template_path.with_name(
        stack.template_path.name.replace(".template.json", ".assets.json")
    )
    files: dict[str, Any] = json.loads(manifest.read_text())["files"]
    return files


def _asset_folder(stack: StackArtifact, files: dict[str, Any], code: dict[str, Any]) -> Path | None:
    """The folder of the ``zip`` asset a function's ``Code`` (a layer's ``Content``) names,
    from the stack's manifest ``files``."""
    key = code.get("S3Key")
    if not isinstance(key, str) or not key.endswith(".zip"):
        return None
    source = files.get(key.removesuffix(".zip"), {}).get("source", {})
    if source.get("packaging") != "zip":
        return None
    return (stack.template_path.parent / str(source["path"])).resolve()


def stage_assets(assembly: Path) -> StageAssets:
    """The shop's own functions (an asset holding one ``lambdas/`` handler package) and the
    layers holding ``shop_common``, of every stack in ``assembly``."""
    handlers = {p.name for p in LAMBDAS_DIR.iterdir() if (p / "__init__.py").is_file()}
    functions: dict[str, Path] = {}
    layers: dict[str, Path] = {}
    owners: set[str] = set()
    for stack in stacks(assembly):
        files = _asset_files(stack)
        for logical_id, resource in stack.template()["Resources"].items():
            kind, props = resource["Type"], resource.get("Properties", {})
            code = props.get("Code") if kind == "AWS::Lambda::Function" else None
            content = props.get("Content") if kind == "AWS::Lambda::LayerVersion" else None
            folder = _asset_folder(stack, files, code or content or {})
            if folder is None:
                continue
            names = {p.name for p in folder.iterdir()}
            if code is not None and names & (handlers - {SHARED_PACKAGE}):
                functions[f"{stack.display_name}/{logical_id}"] = folder
                owners.add(stack.display_name)
            elif content is not None and (folder / "python" / SHARED_PACKAGE).is_dir():
                layers[f"{stack.display_name}/{logical_id}"] = folder
    return StageAssets(functions, layers, len(owners))


def _synthesize(outdir: Path) -> None:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps(cli_context(stage=STAGE)),
    }
    subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True)


def _kb(size: float) -> str:
    return f"{size / 1024:,.1f} KB"


def measure(assets: StageAssets) -> list[Row]:
    """The rows for one synthesized stage. Functions that share an asset (one package,
    several entry points) share its upload, so sizes and uploads count distinct assets."""
    shared = LAMBDAS_DIR / SHARED_PACKAGE
    folders = sorted(set(assets.functions.values()))
    now = [zipped_size([folder]) for folder in folders]
    before = [zipped_size([folder, shared]) for folder in folders]
    layer_sizes = [zipped_size([folder]) for folder in sorted(set(assets.layers.values()))]
    functions, count, layers = len(assets.functions), len(folders), len(layer_sizes)
    label = f"Function assets, stage {STAGE} ({functions} shop functions, {count} assets, "
    label += f"{assets.stacks_with_functions} stacks; zipped)"
    return [
        (
            label + ": with shop_common in a layer / a copy in each (before the layer)",
            f"{_kb(sum(now))} functions + {_kb(sum(layer_sizes))} layer ({layers} asset) "
            f"= {_kb(sum(now) + sum(layer_sizes))} / {_kb(sum(before))}; median asset "
            f"{_kb(statistics.median(now))} / {_kb(statistics.median(before))}",
        ),
        (
            f"A change to shop_common, stage {STAGE}: what deploying it does, with the "
            "layer / before the layer",
            f"{layers} asset uploaded, {len(assets.layers)} layer versions published (one per "
            f"stack), {functions} functions updated to them / {count} assets uploaded, "
            f"{functions} functions updated",
        ),
    ]


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "cdk.out"
        _synthesize(outdir)
        return measure(stage_assets(outdir))


if __name__ == "__main__":
    for measured, value in rows():
        print(f"| {measured} | {value} |")
