"""``shop_common`` ships once per stack, as a layer: not in any function's asset."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from patterns import FunctionDefaults, ServerlessFunction, SharedCode
from stacks import lambda_code
from tests.support.cdk_app import cli_context
from tools.assembly import StackArtifact

SHARED = lambda_code.SHARED_PACKAGE


def function_assets(stack: StackArtifact) -> dict[str, tuple[Path, list[object]]]:
    """The shop's functions of ``stack``: handler -> (asset folder, layers)."""
    found = {}
    for resource in stack.template()["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        handler = resource["Properties"].get("Handler", "")
        package = handler.split(".")[0]
        if (lambda_code.LAMBDAS_DIR / package).is_dir():
            folder = stack.template_path.parent / resource["Metadata"]["aws:asset:path"]
            found[handler] = (folder.resolve(), resource["Properties"].get("Layers", []))
    return found


def imports_shared(folder: Path) -> bool:
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == SHARED or n.startswith(f"{SHARED}.") for n in names):
                return True
    return False


def shared_layers(stack: StackArtifact) -> dict[str, Path]:
    """The stack's ``shop_common`` layers: logical id -> asset folder."""
    return {
        key: (stack.template_path.parent / r["Metadata"]["aws:asset:path"]).resolve()
        for key, r in stack.template()["Resources"].items()
        if r["Type"] == "AWS::Lambda::LayerVersion" and key.startswith("SharedCodeShopCommon")
    }


def test_no_function_asset_carries_shop_common_and_every_importer_has_the_layer(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    checked = 0
    for name, stack in stack_artifacts.items():
        if not name.startswith("Dev/"):
            continue
        layer_ids = shared_layers(stack)
        for handler, (folder, layers) in function_assets(stack).items():
            package = handler.split(".")[0]
            assert sorted(p.name for p in folder.iterdir()) == [package], (name, handler)
            if imports_shared(folder):
                (layer_id,) = layer_ids
                assert {"Ref": layer_id} in layers, (name, handler)
            checked += 1
    assert checked >= 10  # every handler of the stage, not a lucky few


def test_the_layer_holds_every_module_and_they_import_from_it(
    stack_artifacts: dict[str, StackArtifact], tmp_path: Path
) -> None:
    """What the runtime does: ``/opt/python`` on ``sys.path`` (this machine's Python, with
    the dev extra's Powertools standing in for the Powertools layer), every module imported."""
    (folder,) = set(shared_layers(stack_artifacts["Dev/Web"]).values())
    shipped = sorted(p.name for p in (folder / "python" / SHARED).glob("*.py"))
    assert shipped == sorted(p.name for p in (lambda_code.LAMBDAS_DIR / SHARED).glob("*.py"))
    modules = [f"{SHARED}.{Path(n).stem}" for n in shipped if n != "__init__.py"]
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    environment = {
        **os.environ,
        "PYTHONPATH": str(folder / "python"),
        "POWERTOOLS_SERVICE_NAME": "layer-test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    subprocess.run(
        [sys.executable, "-c", code, *modules], env=environment, cwd=tmp_path, check=True
    )
    # The same layer asset for every stack of the stage: one upload, one hash.
    every = {
        p for s in stack_artifacts.values() if s.stage == "Dev" for p in shared_layers(s).values()
    }
    assert every == {folder}


def asset_keys(template: Template) -> tuple[str, str]:
    """(the function's asset key, the shared layer's asset key)."""
    function = next(iter(template.find_resources("AWS::Lambda::Function").values()))
    layer = next(iter(template.find_resources("AWS::Lambda::LayerVersion").values()))
    return (
        str(function["Properties"]["Code"]["S3Key"]),
        str(layer["Properties"]["Content"]["S3Key"]),
    )


def test_a_change_to_shop_common_changes_the_layer_not_the_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lambdas = tmp_path / "lambdas"
    shutil.copytree(lambda_code.LAMBDAS_DIR, lambdas, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(lambda_code, "LAMBDAS_DIR", lambdas)
    common = SharedCode(package_path=lambdas / SHARED, build_dir=tmp_path / "layers")

    def synthesized() -> tuple[str, str]:
        app = cdk.App(context=cli_context())
        stack = cdk.Stack(app, "Orders")
        FunctionDefaults(shared_code=(common,)).apply_to(stack)
        ServerlessFunction(stack, "Fn", **lambda_code.handler_function("products"))
        return asset_keys(Template.from_stack(stack))

    function_before, layer_before = synthesized()
    http = lambdas / SHARED / "http.py"
    http.write_text(http.read_text() + "\n# a change to the shared code\n")
    common = SharedCode(package_path=lambdas / SHARED, build_dir=tmp_path / "layers")
    function_after, layer_after = synthesized()
    assert layer_after != layer_before
    assert function_after == function_before
