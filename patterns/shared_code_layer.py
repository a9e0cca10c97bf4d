"""``SharedCodeLayer``: a Lambda layer built from a local package and pinned wheels, no Docker."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from patterns._metadata import mark_pattern
from patterns._types import checked
from patterns.function_defaults import FunctionDefaults
from patterns.shared_code import DEFAULT_BUILD_DIR, SharedCode

#: What never goes into a layer: bytecode of the building interpreter, tests.
EXCLUDED_PARTS = frozenset({"__pycache__", "tests"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
#: Version of the layout below; a change rebuilds every layer.
_LAYOUT = b"serverless-patterns-layer-1"


def wheel_platform(architecture: lambda_.Architecture) -> str:
    """pip's platform tag of Lambda's Amazon Linux 2023 for ``architecture``."""
    return "manylinux2014_aarch64" if architecture.name == "arm64" else "manylinux2014_x86_64"


def python_version(runtime: lambda_.Runtime, argument: str = "runtime") -> str:
    """``3.14`` for ``python3.14``; ``ValueError`` for a runtime that is not Python."""
    if runtime.family != lambda_.RuntimeFamily.PYTHON or not runtime.name.startswith("python"):
        raise ValueError(
            f"{argument} {runtime.name!r} is not a Python runtime; a SharedCodeLayer holds "
            "Python packages"
        )
    return runtime.name.removeprefix("python")


def pip_install_command(
    requirements: Sequence[str],
    target: Path,
    *,
    runtime: lambda_.Runtime,
    architecture: lambda_.Architecture,
) -> list[str]:
    """pip installing ``requirements`` into ``target`` from prebuilt wheels only, for
    CPython of ``runtime`` on Lambda's Linux of ``architecture``, whatever this machine is."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--platform",
        wheel_platform(architecture),
        "--implementation",
        "cp",
        "--python-version",
        python_version(runtime),
        "--only-binary=:all:",
        # Bytecode compiled by this interpreter would be dead weight for the runtime's.
        "--no-compile",
        "--target",
        str(target),
        *requirements,
    ]


def package_files(folder: Path) -> Iterator[Path]:
    """The files of the package that go into the layer, sorted, without bytecode or tests."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_file()
            and not EXCLUDED_PARTS.intersection(relative.parts[:-1])
            and not path.name.endswith(EXCLUDED_SUFFIXES)
        ):
            yield path


def content_hash(
    source: SharedCode, runtime: lambda_.Runtime, architecture: lambda_.Architecture
) -> str:
    """SHA-256 of everything the layer is made of: the package's files (names and bytes),
    the pinned requirements and the target platform. Nothing else (no timestamps, no
    absolute paths), so the same package gives the same hash on every machine."""
    digest = hashlib.sha256(_LAYOUT)
    for part in (runtime.name, architecture.name, *sorted(source.requirements)):
        digest.update(part.encode() + b"\0")
    for path in package_files(source.package_path):
        digest.update(path.relative_to(source.package_path).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def assemble(
    source: SharedCode, runtime: lambda_.Runtime, architecture: lambda_.Architecture
) -> tuple[Path, str]:
    """The layer's folder (``python/<package>`` and the dependencies) and its hash, built
    in ``source.build_dir`` unless a folder of that hash is already there."""
    digest = content_hash(source, runtime, architecture)
    folder = source.build_dir / f"{source.package_name}-{digest[:20]}"
    if (folder / "python" / source.package_name).is_dir():
        return folder, digest
    source.build_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{source.package_name}-", dir=source.build_dir))
    try:
        python = staging / "python"
        for path in package_files(source.package_path):
            copy = python / source.package_name / path.relative_to(source.package_path)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        if source.requirements:
            command = pip_install_command(
                source.requirements, python, runtime=runtime, architecture=architecture
            )
            subprocess.run(command, check=True)
        try:
            os.rename(staging, folder)  # complete or absent, never half-built
        except OSError:
            if not folder.is_dir():  # another process did not win the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder, digest


class SharedCodeLayer(Construct):
    """A Lambda layer of a local Python package and its pinned dependencies, for the
    runtime and architecture of the scope's ``FunctionDefaults``, built without Docker.

    The package is copied under ``python/<name>`` (what Lambda puts on ``sys.path``) and
    each requirement installed from a prebuilt manylinux wheel for the target platform.
    The asset's hash is :func:`content_hash`, so an unchanged package and requirements
    give the same asset and CloudFormation publishes no new layer version; a change
    publishes one. Child: ``Resource`` (the ``LayerVersion``).

    :param package_path: folder of the package. Required (or ``source``).
    :param requirements: pinned ``name==version`` dependencies. Default: none.
    :param source: all of the above as a :class:`SharedCode`, instead. Default: none.
    :param defaults: whose runtime and architecture the layer is for. Default:
        ``FunctionDefaults.of(scope)``.
    :param description: the layer version's description. Default: names the package.
    :param removal_policy: what happens to replaced layer versions. Default: RETAIN
        (functions still on an older version keep working).
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package_path: str | os.PathLike[str] | None = None,
        requirements: Sequence[str] | None = None,
        source: SharedCode | None = None,
        defaults: FunctionDefaults | None = None,
        description: str | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        if (source is None) == (package_path is None):
            raise ValueError("give either package_path or source (a SharedCode), not both")
        if source is not None and requirements is not None:
            raise ValueError("requirements belong to the source (SharedCode(requirements=...))")
        if source is None:
            source = SharedCode(
                package_path=Path(os.fspath(package_path or "")),
                requirements=tuple(requirements or ()),
                description=description,
                build_dir=DEFAULT_BUILD_DIR,
            )
        defaults = defaults or FunctionDefaults.of(self)
        python_version(defaults.runtime, "defaults.runtime")  # Python, else ValueError
        #: What the layer is built from.
        self.source: SharedCode = source
        folder, digest = assemble(source, defaults.runtime, defaults.architecture)
        #: The content hash: the same package and requirements give the same value.
        self.content_hash: str = digest
        #: The folder whose contents are the layer (``python/...``).
        self.folder: Path = folder
        #: The layer version.
        self.layer = lambda_.LayerVersion(
            self,
            "Resource",
            code=lambda_.Code.from_asset(
                str(folder), asset_hash=digest, asset_hash_type=cdk.AssetHashType.CUSTOM
            ),
            compatible_runtimes=[defaults.runtime],
            compatible_architectures=[defaults.architecture],
            description=description or source.description or f"The {source.package_name} package",
            removal_policy=removal_policy,
        )

    @staticmethod
    def of(
        scope: IConstruct, source: SharedCode, defaults: FunctionDefaults | None = None
    ) -> SharedCodeLayer:
        """The stack's layer of ``source`` (``SharedCode<Package>`` at the stack's root),
        created on first use for the runtime and architecture of ``defaults`` (default:
        ``FunctionDefaults.of(scope)``), replaced versions kept or deleted as its
        ``removal_policy`` says: one layer per stack, so no stack exports a layer version
        that CloudFormation would refuse to replace while another stack imports it."""
        stack = cdk.Stack.of(scope)
        construct_id = "SharedCode" + "".join(
            part.capitalize() for part in source.package_name.split("_")
        )
        found = stack.node.try_find_child(construct_id)
        if isinstance(found, SharedCodeLayer):
            if found.source != source:
                raise ValueError(
                    f"{stack.node.path} already has a layer {construct_id} of "
                    f"{found.source.package_path}; two packages with one name cannot both "
                    "be on a function's path"
                )
            return found
        defaults = defaults or FunctionDefaults.of(scope)
        return SharedCodeLayer(
            stack,
            construct_id,
            source=source,
            defaults=defaults,
            removal_policy=defaults.removal_policy,
        )
