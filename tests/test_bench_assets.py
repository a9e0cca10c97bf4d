"""``tools/bench_assets``: it finds every shop function and shared-code layer of a stage,
and sizes the zips Lambda would unpack, with the layout it would unpack them to."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from stacks.lambda_code import LAMBDAS_DIR
from tools import bench_assets
from tools.assembly import stacks

SHARED = LAMBDAS_DIR / "shop_common"


def test_every_shop_function_and_its_layer_is_measured(assembly_dir: Path) -> None:
    dev = assembly_dir / "assembly-Dev"
    assets = bench_assets.stage_assets(dev)
    packages = {p.name for p in LAMBDAS_DIR.iterdir() if (p / "__init__.py").is_file()}
    handled = {
        f"{stack.display_name}/{logical_id}"
        for stack in stacks(dev)
        for logical_id, resource in stack.template()["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
        and str(resource["Properties"].get("Handler", "")).split(".")[0] in packages
    }
    assert set(assets.functions) == handled
    # Each stack with shop functions has its own layer of shop_common.
    assert len(assets.layers) == assets.stacks_with_functions
    for folder in assets.functions.values():
        assert not (folder / "shop_common").exists(), folder
    rows = bench_assets.measure(assets)
    assert len(rows) == 2
    assert f"{len(handled)} shop functions" in rows[0][0]


def test_a_copy_of_shop_common_lands_where_the_handler_imports_it(assembly_dir: Path) -> None:
    """The "before the layer" zip holds ``shop_common/...`` beside the handler package at
    the top, as ``/var/task`` had it; the layer's holds ``python/shop_common/...``."""
    assets = bench_assets.stage_assets(assembly_dir / "assembly-Dev")
    [products] = {f for f in assets.functions.values() if (f / "products").is_dir()}
    before = zipfile.ZipFile(io.BytesIO(bench_assets.zipped([products, SHARED])))
    names = set(before.namelist())
    assert {"products/app.py", "shop_common/http.py"} <= names
    assert not any("__pycache__" in name for name in names)
    [layer] = set(assets.layers.values())
    assert (
        "python/shop_common/http.py"
        in zipfile.ZipFile(io.BytesIO(bench_assets.zipped([layer]))).namelist()
    )
    assert bench_assets.zipped_size([products, SHARED]) > bench_assets.zipped_size([products])
