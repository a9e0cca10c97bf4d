"""Both ends of the aws-cdk-lib range the library supports are tested.

``make test`` runs the suite on the newest release pip finds, then the construct tests
again in ``.venv-floor`` on the floor (``CDK_FLOOR_RUN`` set to it). These tests check that
each run is on the release it claims, and that the floor is written in one place.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

import pytest

from tools.cdk_floor import floor

ROOT = Path(__file__).resolve().parent.parent


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_this_run_is_on_the_release_it_claims() -> None:
    installed = version("aws-cdk-lib")
    claimed = os.environ.get("CDK_FLOOR_RUN")
    if claimed is not None:
        assert claimed == floor()
        assert installed == claimed, f"the floor run has aws-cdk-lib {installed}"
    else:
        assert _release(installed) >= _release(floor())


def test_the_floor_run_takes_its_release_from_pyproject() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "CDK_FLOOR = $(shell $(PYTHON) -m tools.cdk_floor)" in makefile
    assert "'aws-cdk-lib==$(CDK_FLOOR)'" in makefile
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "CDK_FLOOR_RUN=$(CDK_FLOOR) $(FLOOR_VENV)/bin/python -m pytest" in test_recipe
    assert "tests/patterns" in test_recipe


def test_the_readme_states_the_floor() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"aws-cdk-lib {floor()}" in readme


@pytest.mark.parametrize(
    "dependencies",
    [
        '["aws-cdk-lib>=2.275.0"]',  # no upper bound: 3.x would be accepted untested
        '["aws-cdk-lib==2.275.0"]',  # a pin forces consumers' version
        '["constructs>=10.4,<11"]',  # no bound at all
        '["aws-cdk-lib>=2.269.0,<3", "aws-cdk-lib>=2.270.0,<3"]',
    ],
)
def test_a_floor_that_is_not_one_bounded_range_is_refused(
    tmp_path: Path, dependencies: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[project]\ndependencies = {dependencies}\n")
    with pytest.raises(ValueError, match=r"aws-cdk-lib>=X\.Y\.Z,<3"):
        floor(pyproject)
