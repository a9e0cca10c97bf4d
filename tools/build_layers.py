"""Build the reference app's Lambda layers without Docker: pip fetches prebuilt wheels.

The functions run Python 3.14 on arm64 (``patterns.function_defaults``), so each layer's
packages are installed from manylinux aarch64 wheels for CPython 3.14 into
``build/layers/<name>/python`` (the folder Lambda puts on ``sys.path``), whatever the
machine building them runs. Nothing is compiled: a release without such a wheel fails.

Idempotent: a layer whose folder already holds the pinned version for that platform is
left as it is, so ``make setup`` can run this every time. ``--force`` rebuilds.

    python -m tools.build_layers [--force]
"""

from __future__ import annotations

import argparse
import dataclasses
import email.parser
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from patterns.function_defaults import FunctionDefaults
from patterns.shared_code_layer import pip_install_command

ROOT = Path(__file__).resolve().parent.parent
#: Where the layers are built; ``stacks.lambda_code.LAYERS_DIR`` reads them from here.
LAYERS_DIR = ROOT / "build" / "layers"
#: The Lambda functions' platform, as pip names it (see ``FunctionDefaults``).
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.14"
#: Wheel tag of a CPython 3.14 manylinux2014 aarch64 build.
WHEEL_TAG = "cp314-cp314-manylinux2014_aarch64"
#: Pillow release of the thumbnail layer; the ``dev`` extra pins the same one so that
#: handler tests run the code that is deployed. Pillow 12.3 and later ship aarch64 wheels
#: for manylinux_2_28 only, so a newer pin needs ``PLATFORM``/``WHEEL_TAG`` updated too.
PILLOW_VERSION = "12.2.0"


@dataclasses.dataclass(frozen=True)
class Layer:
    """One layer: its folder name under ``LAYERS_DIR`` and the one pinned package in it."""

    name: str
    package: str
    version: str

    @property
    def folder(self) -> Path:
        return LAYERS_DIR / self.name


LAYERS = (Layer("pillow", "pillow", PILLOW_VERSION),)


def pip_command(layer: Layer, target: Path) -> list[str]:
    """The pip invocation installing ``layer``'s package for Lambda into ``target``: the
    one ``SharedCodeLayer`` runs for its requirements (prebuilt wheels of the functions'
    platform only), for the runtime and architecture of the default ``FunctionDefaults``."""
    defaults = FunctionDefaults()
    return pip_install_command(
        [f"{layer.package}=={layer.version}"],
        target / "python",
        runtime=defaults.runtime,
        architecture=defaults.architecture,
    )


def installed(layer: Layer, folder: Path) -> bool:
    """Whether ``folder`` holds ``layer``'s pinned version, built for the Lambda platform."""
    for dist_info in (folder / "python").glob("*.dist-info"):
        metadata = email.parser.Parser().parsestr((dist_info / "METADATA").read_text())
        if metadata["Name"].lower() != layer.package.lower():
            continue
        wheel = email.parser.Parser().parsestr((dist_info / "WHEEL").read_text())
        return metadata["Version"] == layer.version and WHEEL_TAG in wheel.get_all("Tag", [])
    return False


def build(layer: Layer, *, force: bool = False) -> bool:
    """Build ``layer`` unless it is already there; ``True`` if it was (re)built.

    pip installs into a temporary sibling folder that replaces the layer's only once
    complete, so an interrupted build never leaves a folder that looks finished.
    """
    folder = layer.folder
    if not force and installed(layer, folder):
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{layer.name}-", dir=folder.parent))
    try:
        subprocess.run(pip_command(layer, staging), check=True)
        if not installed(layer, staging):
            raise RuntimeError(f"pip did not install {layer.package}=={layer.version} for Lambda")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild layers already built")
    args = parser.parse_args(argv)
    for layer in LAYERS:
        built = build(layer, force=args.force)
        state = "built" if built else "up to date"
        print(f"layer {layer.name} ({layer.package}=={layer.version}): {state} in {layer.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
