"""The CodeDeploy traffic hook: it sends the probe the stack configured to the version
being deployed (the real product and order handlers, against moto's DynamoDB) and reports
the outcome to CodeDeploy, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from traffic_check.probe import Probe, ProbeSpecError

from tests.support.api_events import FakeContext
from tests.support.deploy_services import DeployServices, deploy_services
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

NEW_VERSION = "arn:aws:lambda:us-east-1:123456789012:function:shop-products:8"
TABLE = "shop"


def _configured_probe(stack: StackArtifact, function_prefix: str) -> str:
    """The ``PROBE`` the stack gives the hook of ``function_prefix`` (``Products``)."""
    found = [
        r["Properties"]["Environment"]["Variables"]["PROBE"]
        for logical_id, r in stack.template()["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
        and logical_id.startswith(f"{function_prefix}TrafficCheck")
    ]
    assert len(found) == 1, f"one traffic check of {function_prefix} in {stack.display_name}"
    return str(found[0])


@pytest.fixture
def services(
    aws: str, monkeypatch: pytest.MonkeyPatch, stack_artifacts: dict[str, StackArtifact]
) -> Iterator[DeployServices]:
    create_table_like(stack_artifacts["Dev/Web"], "ApiTable", TABLE)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency")
    with deploy_services() as running:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", running.endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_CODEDEPLOY", running.endpoint)
        monkeypatch.setenv("TARGET_VERSION_ARN", NEW_VERSION)
        from traffic_check import app

        for cached in (app._probe, app._target, app._codedeploy):
            cached.cache_clear()
        yield running
        for cached in (app._probe, app._target, app._codedeploy):
            cached.cache_clear()


def _run_hook(monkeypatch: pytest.MonkeyPatch, probe: str) -> dict[str, str]:
    monkeypatch.setenv("PROBE", probe)
    from traffic_check import app

    event = {"DeploymentId": "d-ABC123", "LifecycleEventHookExecutionId": "exec-1"}
    result: dict[str, str] = app.handler(event, cast(Any, FakeContext()))
    return result


def _products(event: dict[str, Any]) -> Any:
    from products import app

    app._store.cache_clear()
    return app.handler(event, FakeContext())


def _orders(event: dict[str, Any]) -> Any:
    from orders import app

    app._store.cache_clear()
    return app.handler(event, FakeContext())


@pytest.mark.parametrize("stage", ["Staging", "Prod"])
def test_a_healthy_product_version_passes_the_configured_probe(
    services: DeployServices,
    monkeypatch: pytest.MonkeyPatch,
    stack_artifacts: dict[str, StackArtifact],
    stage: str,
) -> None:
    services.functions[NEW_VERSION] = _products
    probe = _configured_probe(stack_artifacts[f"{stage}/Web"], "Products")
    assert _run_hook(monkeypatch, probe) == {"status": "Succeeded"}
    ((invoked, event),) = services.invocations
    assert invoked == NEW_VERSION, "the version being deployed, not the alias"
    assert (event["httpMethod"], event["path"]) == ("GET", "/products")
    assert services.reports == [
        {
            "deploymentId": "d-ABC123",
            "lifecycleEventHookExecutionId": "exec-1",
            "status": "Succeeded",
        }
    ]


def test_a_healthy_order_version_refuses_the_anonymous_probe(
    services: DeployServices,
    monkeypatch: pytest.MonkeyPatch,
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    services.functions[NEW_VERSION] = _orders
    probe = _configured_probe(stack_artifacts["Prod/Web"], "Orders")
    assert _run_hook(monkeypatch, probe) == {"status": "Succeeded"}
    assert json.loads(probe)["expect"] == 401


def test_a_version_that_cannot_read_its_table_fails(
    services: DeployServices,
    monkeypatch: pytest.MonkeyPatch,
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    services.functions[NEW_VERSION] = _products
    probe = _configured_probe(stack_artifacts["Prod/Web"], "Products")
    assert _run_hook(monkeypatch, probe) == {"status": "Failed"}
    assert [r["status"] for r in services.reports] == ["Failed"]


def test_a_version_that_crashes_fails(
    services: DeployServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(event: dict[str, Any]) -> Any:
        raise ImportError("No module named 'products.catalog'")

    services.functions[NEW_VERSION] = crash
    probe = json.dumps({"method": "GET", "path": "/products", "expect": 200})
    assert _run_hook(monkeypatch, probe) == {"status": "Failed"}


def test_a_hook_that_may_not_invoke_reports_failure_instead_of_hanging(
    services: DeployServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreported hook keeps CodeDeploy waiting an hour: errors are reported."""
    services.denied.add(NEW_VERSION)
    probe = json.dumps({"method": "GET", "path": "/products", "expect": 200})
    assert _run_hook(monkeypatch, probe) == {"status": "Failed"}
    assert services.invocations == []
    assert [r["status"] for r in services.reports] == ["Failed"]


@pytest.mark.parametrize(
    "text", ["", "[]", '{"method": "GET"}', '{"method": "GET", "path": "/", "expect": "x"}']
)
def test_a_malformed_probe_is_named(text: str) -> None:
    with pytest.raises(ProbeSpecError, match="PROBE is not a probe"):
        Probe.from_json(text)
