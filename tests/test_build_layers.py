"""``tools.build_layers``: the pip command, and a layer already built is left alone."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from stacks import lambda_code
from tools import build_layers
from tools.build_layers import Layer


def fake_install(folder: Path, *, name: str = "pillow", version: str = "12.2.0") -> None:
    """What pip leaves in ``folder`` for a wheel built for the Lambda platform."""
    dist_info = folder / "python" / f"{name}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
    )
    (dist_info / "WHEEL").write_text(
        "Wheel-Version: 1.0\nTag: cp314-cp314-manylinux_2_17_aarch64\n"
        "Tag: cp314-cp314-manylinux2014_aarch64\n"
    )


@pytest.fixture
def layers_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(build_layers, "LAYERS_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def pip_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """pip invocations, each faked by installing the requested release."""
    runs: list[list[str]] = []

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        runs.append(command)
        version = command[-1].split("==")[1]
        fake_install(Path(command[command.index("--target") + 1]).parent, version=version)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", run)
    return runs


def test_the_pip_command_fetches_lambda_wheels_only() -> None:
    command = build_layers.pip_command(Layer("pillow", "pillow", "12.2.0"), Path("/t"))
    text = " ".join(command)
    assert "--platform manylinux2014_aarch64 --implementation cp --python-version 3.14" in text
    assert "--only-binary=:all:" in command
    assert "--no-compile" in command
    assert command[-3:] == ["--target", "/t/python", "pillow==12.2.0"]


def test_a_missing_layer_is_built_then_left_alone(
    layers_dir: Path, pip_runs: list[list[str]]
) -> None:
    layer = Layer("pillow", "pillow", "12.2.0")

    assert build_layers.build(layer) is True
    assert build_layers.build(layer) is False

    assert len(pip_runs) == 1
    assert build_layers.installed(layer, layers_dir / "pillow")
    # The staging folder was renamed into place: nothing else is left.
    assert [p.name for p in layers_dir.iterdir()] == ["pillow"]


def test_another_version_or_force_rebuilds(layers_dir: Path, pip_runs: list[list[str]]) -> None:
    fake_install(layers_dir / "pillow", version="11.3.0")
    layer = Layer("pillow", "pillow", "12.2.0")

    assert build_layers.build(layer) is True
    assert build_layers.build(layer, force=True) is True

    assert len(pip_runs) == 2
    assert [p.name for p in (layers_dir / "pillow" / "python").iterdir()] == [
        "pillow-12.2.0.dist-info"
    ]


def test_a_wheel_for_another_platform_does_not_count(layers_dir: Path) -> None:
    fake_install(layers_dir / "pillow")
    wheel = layers_dir / "pillow" / "python" / "pillow-12.2.0.dist-info" / "WHEEL"
    wheel.write_text("Wheel-Version: 1.0\nTag: cp311-cp311-manylinux_2_17_x86_64\n")

    assert not build_layers.installed(Layer("pillow", "pillow", "12.2.0"), layers_dir / "pillow")


def test_the_stack_reads_the_layers_where_the_tool_builds_them() -> None:
    assert lambda_code.LAYERS_DIR == build_layers.LAYERS_DIR


def test_synthesis_without_the_layer_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lambda_code, "LAYERS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"run `make setup`"):
        lambda_code.layer_code("pillow")


def test_the_dev_extra_pins_the_layers_pillow() -> None:
    pyproject = (build_layers.ROOT / "pyproject.toml").read_text()
    assert f'"pillow=={build_layers.PILLOW_VERSION}"' in pyproject
