"""Where the reference app's handler code lives, and how one function's asset is cut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import aws_lambda as lambda_

#: The ``lambdas/`` folder: one package per function plus the shared ``shop_common``.
LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
SHARED_PACKAGE = "shop_common"


def handler_code(package: str) -> lambda_.Code:
    """The asset for one function: its own package and ``shop_common``, nothing else.

    Keeping other functions out of the asset means editing one handler changes only
    that function's asset hash.
    """
    if not (LAMBDAS_DIR / package / "__init__.py").is_file():
        raise ValueError(f"no handler package {package!r} in {LAMBDAS_DIR}")
    keep = [f"!{name}{suffix}" for name in (package, SHARED_PACKAGE) for suffix in ("", "/**")]
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR), exclude=["*", *keep, "**/__pycache__", "**/*.pyc"]
    )


def handler_function(package: str, module: str = "app") -> dict[str, Any]:
    """``ServerlessFunction`` keyword arguments for the handler package ``package``: its
    asset (:func:`handler_code`) and its entry point ``<package>.<module>.handler``."""
    if not (LAMBDAS_DIR / package / f"{module}.py").is_file():
        raise ValueError(f"no module {module!r} in handler package {package!r}")
    return {"code": handler_code(package), "handler": f"{package}.{module}.handler"}


#: Where ``tools/build_layers.py`` (``make setup``) builds the layers' contents.
LAYERS_DIR = LAMBDAS_DIR.parent / "build" / "layers"


def layer_code(name: str) -> lambda_.Code:
    """The asset of the layer ``build/layers/<name>``; it must have been built first."""
    folder = LAYERS_DIR / name
    if not (folder / "python").is_dir():
        raise FileNotFoundError(
            f"layer {name!r} is not built in {folder}: run `make setup` "
            "(or `python -m tools.build_layers`) first"
        )
    return lambda_.Code.from_asset(str(folder))
