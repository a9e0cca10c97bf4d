"""The wheel a user installs: its contents, and a consumer app synthesized from it.

The wheel is built from this checkout, installed into a fresh virtual environment
outside the repository, and ``examples/consumer_app.py`` runs there, so nothing of the
repository's own tree can leak into what the consumer imports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.support.cdk_app import ROOT
from tools.assembly import stacks


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.fixture(scope="module")
def consumer_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("consumer") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    [wheel] = dist.glob("*.whl")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv


def test_wheel_ships_the_patterns_package_only(dist: Path) -> None:
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("serverless_patterns-0.1.0.dist-info/METADATA")
    top = {name.split("/", 1)[0] for name in names}
    assert top == {"patterns", "serverless_patterns-0.1.0.dist-info"}
    assert "patterns/py.typed" in names
    shipped = {n for n in names if n.startswith("patterns/") and n.endswith(".py")}
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "patterns").rglob("*.py")}
    assert shipped == source
    text = metadata.decode()
    assert "License-Expression: Apache-2.0" in text
    assert "Requires-Dist: aws-cdk-lib<3,>=2.275.0" in text
    assert "Requires-Dist: constructs<11,>=10.4" in text
    assert "Requires-Dist: cdk-nag" not in text.split("Provides-Extra: dev")[0]


def test_sdist_holds_the_library_source_only(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    folders = {n.split("/")[1] for n in names if n.count("/") >= 1}
    assert {"patterns", "README.md", "LICENSE", "pyproject.toml"} <= folders
    assert not folders & {"tests", "stacks", "lambdas", "examples", "tools"}


def test_consumer_app_synthesizes_from_the_installed_wheel(
    consumer_venv: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "consumer"
    shutil.copytree(ROOT / "examples", workdir)
    env = {
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "CDK_OUTDIR": str(workdir / "cdk.out"),
    }
    python = consumer_venv / "bin" / "python"
    located = subprocess.run(
        [str(python), "-c", "import patterns; print(patterns.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(consumer_venv) in located.stdout, "patterns must come from the installed wheel"
    result = subprocess.run(
        [str(python), "consumer_app.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    synthesized = {s.display_name: s for s in stacks(workdir / "cdk.out")}
    assert set(synthesized) == {"ConsumerDefaults", "ConsumerExisting"}
    for stack in synthesized.values():
        assert stack.resource_count > 5
