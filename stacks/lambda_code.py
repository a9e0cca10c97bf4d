"""Where the reference app's handler code lives, and how one function's asset is cut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import aws_lambda as lambda_

from patterns import SharedCode

#: The ``lambdas/`` folder: one package per function plus the shared ``shop_common``.
LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
SHARED_PACKAGE = "shop_common"
#: Where ``tools/build_layers.py`` (``make setup``) builds the layers' contents.
LAYERS_DIR = LAMBDAS_DIR.parent / "build" / "layers"
#: ``shop_common``, which every handler imports, as the layer each stack's functions get
#: (``FunctionDefaults(shared_code=...)``, see ``stacks.function_settings``); it has no
#: dependencies beyond the runtime's boto3 and the Powertools layer.
SHOP_COMMON = SharedCode(
    package_path=LAMBDAS_DIR / SHARED_PACKAGE,
    description="shop_common: the shop's shared handler code",
    build_dir=LAYERS_DIR / "shared",
)


def handler_code(package: str) -> lambda_.Code:
    """The asset for one function: its own package, nothing else (``shop_common`` comes
    from the :data:`SHOP_COMMON` layer).

    Keeping other functions out of the asset means editing one handler changes only
    that function's asset hash, and editing ``shop_common`` none of them.
    """
    if not (LAMBDAS_DIR / package / "__init__.py").is_file():
        raise ValueError(f"no handler package {package!r} in {LAMBDAS_DIR}")
    if package == SHARED_PACKAGE:
        raise ValueError(f"{SHARED_PACKAGE} is the shared layer's package, not a handler's")
    keep = [f"!{package}{suffix}" for suffix in ("", "/**")]
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR), exclude=["*", *keep, "**/__pycache__", "**/*.pyc"]
    )


def handler_function(package: str, module: str = "app") -> dict[str, Any]:
    """``ServerlessFunction`` keyword arguments for the handler package ``package``: its
    asset (:func:`handler_code`) and its entry point ``<package>.<module>.handler``."""
    if not (LAMBDAS_DIR / package / f"{module}.py").is_file():
        raise ValueError(f"no module {module!r} in handler package {package!r}")
    return {"code": handler_code(package), "handler": f"{package}.{module}.handler"}


def layer_code(name: str) -> lambda_.Code:
    """The asset of the layer ``build/layers/<name>``; it must have been built first."""
    folder = LAYERS_DIR / name
    if not (folder / "python").is_dir():
        raise FileNotFoundError(
            f"layer {name!r} is not built in {folder}: run `make setup` "
            "(or `python -m tools.build_layers`) first"
        )
    return lambda_.Code.from_asset(str(folder))
