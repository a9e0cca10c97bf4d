"""``SharedCode``: what a :class:`~patterns.SharedCodeLayer` is built from, as plain data, so
that ``FunctionDefaults`` can name it for every function of a stage (each stack then
builds its own layer from it: see ``SharedCodeLayer.of``)."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

from patterns._types import check_fields

#: A pinned requirement: ``name==version`` (extras allowed), nothing looser.
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+$")
#: Default folder where layers are assembled (content-addressed, so reused across runs).
DEFAULT_BUILD_DIR = Path(tempfile.gettempdir()) / "serverless-patterns-layers"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SharedCode:
    """A local Python package (and pinned third-party dependencies) to ship as a layer.

    :param package_path: folder of an importable package (it holds ``__init__.py``); the
        layer puts it under ``python/<folder name>``, so functions ``import <folder name>``.
        Required.
    :param requirements: pinned dependencies (``"name==version"``), installed from
        prebuilt manylinux wheels for the functions' runtime and architecture (no Docker,
        nothing compiled; a release without such a wheel fails). Default: none.
    :param description: the layer version's description. Default: names the package.
    :param build_dir: where layers are assembled, one folder per content hash (a folder
        already there is reused, so pip runs once per set of requirements). Default: a
        folder in the system's temporary directory.
    """

    package_path: Path
    requirements: tuple[str, ...] = ()
    description: str | None = None
    build_dir: Path = DEFAULT_BUILD_DIR

    def __post_init__(self) -> None:
        for field in ("package_path", "build_dir"):
            value = getattr(self, field)
            if not isinstance(value, (str, os.PathLike)):
                raise TypeError(
                    f"SharedCode: {field} must be a path (str or os.PathLike), got {value!r} "
                    f"({type(value).__name__})"
                )
        object.__setattr__(self, "package_path", Path(self.package_path).resolve())
        object.__setattr__(self, "build_dir", Path(self.build_dir))
        if isinstance(self.requirements, str):
            raise TypeError("requirements must be a sequence of 'name==version' strings")
        if isinstance(self.requirements, list):
            object.__setattr__(self, "requirements", tuple(self.requirements))
        check_fields(self, "SharedCode")
        folder = self.package_path
        if not (folder / "__init__.py").is_file():
            raise ValueError(
                f"package_path must be a folder holding a Python package (__init__.py), "
                f"got {str(folder)!r}"
            )
        if not folder.name.isidentifier():
            raise ValueError(
                f"package_path's folder name must be an importable name, got {folder.name!r}"
            )
        for requirement in self.requirements:
            if not _PINNED.match(requirement):
                raise ValueError(
                    f"requirements must be pinned as 'name==version' (a layer is rebuilt "
                    f"only when they change), got {requirement!r}"
                )
        if len(set(self.requirements)) != len(self.requirements):
            raise ValueError(f"requirements lists a package twice: {list(self.requirements)}")
        if self.description is not None and len(self.description) > 256:
            raise ValueError("description must be at most 256 characters (Lambda's limit)")

    @property
    def package_name(self) -> str:
        """The name functions import: the package folder's name."""
        return self.package_path.name
