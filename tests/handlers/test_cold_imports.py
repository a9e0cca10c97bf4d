"""What each function of the app imports at cold start, in a fresh interpreter started with
exactly the environment its template gives it (Staging: ``TracingMode.LAMBDA``).

A REST handler has no use for Powertools' other resolvers (AppSync and its ``asyncio``,
Bedrock agents...), which ``aws_lambda_powertools.event_handler`` imports all at once; the
stream consumer has none for the batch utility's ``asyncio`` on a batch without failures;
no function in this mode imports the X-Ray SDK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from stacks.lambda_code import LAMBDAS_DIR
from tools.assembly import StackArtifact

STAGE = "Staging"
#: Modules no function of the stage may import at cold start.
FORBIDDEN = (
    "asyncio",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.utilities.batch",
    "aws_xray_sdk",
)
#: Powertools' event data classes (every event type at once): only the Firehose
#: transformer's path uses one.
DATA_CLASSES = "aws_lambda_powertools.utilities.data_classes"
DATA_CLASS_USERS = {"usage_transformer.app"}
_IMPORTS = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "print(json.dumps(sorted(sys.modules)))"
)


def _functions(stack_artifacts: dict[str, StackArtifact]) -> dict[str, dict[str, str]]:
    """Handler module (``products.app``) -> its function's environment, for the stage's
    Python functions whose code is a folder of ``lambdas/``."""
    found: dict[str, dict[str, str]] = {}
    for name, artifact in stack_artifacts.items():
        if not name.startswith(f"{STAGE}/"):
            continue
        for resource in artifact.template()["Resources"].values():
            props = resource.get("Properties", {})
            handler = str(props.get("Handler", ""))
            module = handler.rpartition(".")[0]
            is_app = (LAMBDAS_DIR / module.replace(".", "/")).with_suffix(".py").is_file()
            if resource["Type"] != "AWS::Lambda::Function" or not module or not is_app:
                continue
            variables = props.get("Environment", {}).get("Variables", {})
            # Tokens (a table's Ref) stand for names: any string does at import time.
            found[module] = {k: v if isinstance(v, str) else "x" for k, v in variables.items()}
    return found


def _imported(module: str, variables: dict[str, str]) -> set[str]:
    env: dict[str, Any] = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")},
        **variables,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "PYTHONPATH": str(LAMBDAS_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS, module],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=LAMBDAS_DIR,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def functions(stack_artifacts: dict[str, StackArtifact]) -> dict[str, dict[str, str]]:
    found = _functions(stack_artifacts)
    # The REST handlers and the stream consumer are what this is about: they must be found.
    assert {"products.app", "orders.app", "catalog_search.app", "usage_aggregator.app"} <= set(
        found
    ), sorted(found)
    return found


def test_the_stage_traces_with_lambda_alone(functions: dict[str, dict[str, str]]) -> None:
    assert all(v.get("POWERTOOLS_TRACE_DISABLED") == "true" for v in functions.values())


def test_no_function_imports_what_its_cold_start_does_not_use(
    functions: dict[str, dict[str, str]],
) -> None:
    imports = {module: _imported(module, variables) for module, variables in functions.items()}
    offending = {module: sorted(set(FORBIDDEN) & imported) for module, imported in imports.items()}
    for module, imported in imports.items():
        if module not in DATA_CLASS_USERS and DATA_CLASSES in imported:
            offending[module].append(DATA_CLASSES)
    assert not {module: found for module, found in offending.items() if found}
    # The check sees what it looks for: each handler did import its own code and Logger.
    logging = "aws_lambda_powertools.logging"
    assert all({module, logging} <= imported for module, imported in imports.items())
