"""``SharedCodeLayer``: its contents, its content address, and FunctionDefaults attaching it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from patterns import FunctionDefaults, ServerlessFunction, SharedCode, SharedCodeLayer
from patterns import shared_code_layer as layers
from tests.support.cdk_app import cli_context
from tests.support.templates import all_of, properties

ENV = cdk.Environment(account="123456789012", region="eu-west-1")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A package ``helpers`` with a module, a subpackage, tests and stale bytecode."""
    root = tmp_path / "src" / "helpers"
    (root / "text").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "money.py").write_text("def cents(amount):\n    return round(amount * 100)\n")
    (root / "text" / "__init__.py").write_text("from helpers.money import cents\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_money.py").write_text("assert True\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "money.cpython-311.pyc").write_bytes(b"\0")
    return root


def source(package: Path, tmp_path: Path, **kwargs: Any) -> SharedCode:
    return SharedCode(package_path=package, build_dir=tmp_path / "build", **kwargs)


def new_stack(name: str = "S", defaults: FunctionDefaults | None = None) -> cdk.Stack:
    app = cdk.App(context=cli_context())
    stack = cdk.Stack(app, name, env=ENV)
    if defaults is not None:
        defaults.apply_to(stack)
    return stack


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_the_layer_holds_the_package_under_python_and_imports_from_there(
    package: Path, tmp_path: Path
) -> None:
    stack = new_stack()
    layer = SharedCodeLayer(stack, "Helpers", source=source(package, tmp_path))
    assert files(layer.folder) == [
        "python/helpers/__init__.py",
        "python/helpers/money.py",
        "python/helpers/text/__init__.py",
    ]
    # What Lambda does: python/ on sys.path, then the function imports the package.
    # (This machine's Python; the runtime's is checked by the Lambda platform tags below.)
    result = subprocess.run(
        [sys.executable, "-c", "from helpers.text import cents; print(cents(1.5))"],
        env={**os.environ, "PYTHONPATH": str(layer.folder / "python")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "150"
    props = properties(Template.from_stack(stack), "AWS::Lambda::LayerVersion")
    assert props["CompatibleRuntimes"] == ["python3.14"]
    assert props["CompatibleArchitectures"] == ["arm64"]
    assert props["Description"] == "The helpers package"


def asset_hash(stack: cdk.Stack, kind: str = "AWS::Lambda::LayerVersion") -> str:
    (resource,) = all_of(Template.from_stack(stack), kind).values()
    code = resource["Properties"].get("Content") or resource["Properties"]["Code"]
    return str(json.dumps(code["S3Key"]))


def test_the_asset_is_addressed_by_content_only(package: Path, tmp_path: Path) -> None:
    def layer_hash() -> str:
        stack = new_stack()
        SharedCodeLayer(stack, "Helpers", source=source(package, tmp_path))
        return asset_hash(stack)

    first = layer_hash()
    assert layer_hash() == first  # nothing changed: no new layer version
    os.utime(package / "money.py", (1, 1))  # a checkout's timestamps are not content
    (package / "__pycache__" / "other.pyc").write_bytes(b"1")
    (package / "tests" / "test_more.py").write_text("")
    assert layer_hash() == first
    (package / "money.py").write_text("def cents(amount):\n    return int(amount * 100)\n")
    changed = layer_hash()
    assert changed != first  # an edit publishes one new version
    (package / "text" / "new.py").write_text("")
    assert layer_hash() not in (first, changed)


def test_the_target_platform_and_requirements_are_part_of_the_address(
    package: Path, tmp_path: Path
) -> None:
    arm = layers.content_hash(
        source(package, tmp_path), lambda_.Runtime.PYTHON_3_14, lambda_.Architecture.ARM_64
    )
    x86 = layers.content_hash(
        source(package, tmp_path), lambda_.Runtime.PYTHON_3_14, lambda_.Architecture.X86_64
    )
    older = layers.content_hash(
        source(package, tmp_path), lambda_.Runtime.PYTHON_3_13, lambda_.Architecture.ARM_64
    )
    pinned = layers.content_hash(
        source(package, tmp_path, requirements=("six==1.17.0",)),
        lambda_.Runtime.PYTHON_3_14,
        lambda_.Architecture.ARM_64,
    )
    assert len({arm, x86, older, pinned}) == 4


def test_requirements_come_from_wheels_for_the_functions_platform(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []

    def pip(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        runs.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "six.py").write_text("")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", pip)
    x86 = FunctionDefaults(architecture=lambda_.Architecture.X86_64)
    wanted = source(package, tmp_path, requirements=("six==1.17.0",))
    layer = SharedCodeLayer(new_stack(), "Helpers", source=wanted, defaults=x86)
    (command,) = runs
    text = " ".join(command)
    assert "--platform manylinux2014_x86_64 --implementation cp --python-version 3.14" in text
    assert "--only-binary=:all:" in command
    assert command[-1] == "six==1.17.0"
    assert "python/six.py" in files(layer.folder)
    # Built once: the same package and pins reuse the folder, pip does not run again.
    SharedCodeLayer(new_stack(), "Helpers", source=wanted, defaults=x86)
    assert len(runs) == 1


def test_function_defaults_attach_one_layer_per_stack_to_every_function(
    package: Path, tmp_path: Path, code_dir: Path
) -> None:
    defaults = FunctionDefaults(shared_code=(source(package, tmp_path),))
    app = cdk.App(context=cli_context())
    first = cdk.Stack(app, "First", env=ENV)
    second = cdk.Stack(app, "Second", env=ENV)
    defaults.apply_to(app)
    for stack in (first, first, second):
        ServerlessFunction(stack, f"Fn{len(stack.node.children)}", code_path=code_dir)
    for stack, count in ((first, 2), (second, 1)):
        template = Template.from_stack(stack)
        (layer_id,) = all_of(template, "AWS::Lambda::LayerVersion")
        functions = all_of(template, "AWS::Lambda::Function").values()
        assert len(functions) == count
        for function in functions:
            layers_of = function["Properties"]["Layers"]
            assert len(layers_of) == 2  # Powertools' first, then the shared code
            assert layers_of[1] == {"Ref": layer_id}
        # Each stack its own: no export that CloudFormation would refuse to update.
        assert "Outputs" not in template.to_json()


def test_a_function_may_not_exceed_lambdas_five_layers_with_the_shared_ones(
    package: Path, tmp_path: Path
) -> None:
    stack = new_stack(defaults=FunctionDefaults(shared_code=(source(package, tmp_path),)))
    four = [
        lambda_.LayerVersion.from_layer_version_arn(
            stack, f"L{i}", f"arn:aws:lambda:eu-west-1:123456789012:layer:l{i}:1"
        )
        for i in range(4)
    ]
    with pytest.raises(ValueError, match=r"SharedCode\(helpers\)"):
        ServerlessFunction(stack, "Fn", code=lambda_.Code.from_inline("x"), layers=four)
