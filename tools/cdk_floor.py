"""The oldest ``aws-cdk-lib`` the library supports: the lower bound of its dependency.

``pyproject.toml`` is the one place it is written. ``make test`` reads it from here to
build a second environment with exactly that release and runs the construct tests in it
(the main environment gets the newest release pip finds).

    python -m tools.cdk_floor        # prints the floor, e.g. 2.269.0
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_BOUND = re.compile(r"^aws-cdk-lib\s*>=\s*(?P<floor>\d+\.\d+\.\d+)\s*,\s*<\s*3$")


def floor(pyproject: Path = PYPROJECT) -> str:
    """The ``X.Y.Z`` of ``aws-cdk-lib>=X.Y.Z,<3`` among the package's dependencies."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    bounds = [m["floor"] for d in dependencies if (m := _BOUND.match(d.strip()))]
    if len(bounds) != 1:
        raise ValueError(
            f"{pyproject}: expected one dependency 'aws-cdk-lib>=X.Y.Z,<3', got {dependencies}"
        )
    return bounds[0]


if __name__ == "__main__":
    print(floor())
