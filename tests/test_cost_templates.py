"""The cost outputs follow the synthesized templates: a changed template changes the table."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tools.cost.__main__ import README, readme_copy, stages_of
from tools.cost.actions import action_costs
from tools.cost.capacity import entry_points
from tools.cost.idle import idle_lines, idle_total
from tools.cost.metrics import in_use_lines
from tools.cost.report import idle_table, quota_lines
from tools.cost.runs import Measured
from tools.cost.scenarios import SCENARIOS
from tools.cost.stage import Stage

ROOT = Path(__file__).resolve().parents[1]


def _measured() -> list[Measured]:
    """Every scenario with one DynamoDB read and a 100 ms duration (the template is what
    these tests vary)."""
    return [
        Measured(s, Counter({("dynamodb", "GetItem"): 1}), 0.5, 0.0, {}, ((20, 200),), 100.0)
        for s in SCENARIOS
    ]


@pytest.fixture(scope="module")
def prod(assembly_dir: Path) -> Stage:
    (found,) = [s for s in stages_of(assembly_dir) if s.name == "Prod"]
    return found


def _changed(stage: Stage, stack: str, kind: str, change: Any) -> Stage:
    templates = copy.deepcopy(stage.templates)
    for resource in templates[stack]["Resources"].values():
        if resource["Type"] == kind:
            change(resource["Properties"])
    return Stage(stage.name, templates, stage.regions)


def _cost(stage: Stage, action: str, service: str) -> float:
    (found,) = [c for c in action_costs(stage, _measured()) if c.action == action]
    return found.lines[service]


def test_a_functions_memory_size_changes_its_lambda_cost(prod: Stage) -> None:
    def double(props: dict[str, Any]) -> None:
        if props.get("Handler") == "products.app.handler":
            props["MemorySize"] = 2 * props["MemorySize"]

    bigger = _changed(prod, "Web", "AWS::Lambda::Function", double)
    before, after = (
        _cost(prod, "product page view", "Lambda"),
        _cost(bigger, "product page view", "Lambda"),
    )
    request = 0.20e-6
    assert after - request == pytest.approx(2 * (before - request))
    assert _cost(bigger, "order placed", "Lambda") == _cost(prod, "order placed", "Lambda")


def test_a_stage_throttle_changes_the_shop_apis_capacity(prod: Stage) -> None:
    def throttle(props: dict[str, Any]) -> None:
        for setting in props.get("MethodSettings", []):
            if setting.get("ResourcePath") == "/*":
                setting["ThrottlingRateLimit"] = 42

    throttled = _changed(prod, "Web", "AWS::ApiGateway::Stage", throttle)
    measured = _measured()
    (shop,) = [
        p
        for p in entry_points(throttled, measured, action_costs(throttled, measured))
        if p.name == "shop API"
    ]
    assert (shop.sustained, shop.first_limit) == (42, "stage throttle")


def test_a_removed_web_acl_lowers_the_idle_cost_by_its_acl_and_rules(prod: Stage) -> None:
    web = prod.templates["Web"]["Resources"]
    acls = [k for k, r in web.items() if r["Type"] == "AWS::WAFv2::WebACL"]
    rules = len(web[acls[0]]["Properties"]["Rules"])
    templates = copy.deepcopy(prod.templates)
    del templates["Web"]["Resources"][acls[0]]
    assert idle_total(prod) - idle_total(Stage("Prod", templates)) == pytest.approx(5.0 + rules)


def test_the_readme_shows_the_generated_tables_and_the_charts_exist() -> None:
    cost_md = (ROOT / "docs" / "cost" / "cost.md").read_text()
    readme = README.read_text()
    start = readme.index("<!-- cost:begin -->\n") + len("<!-- cost:begin -->\n")
    assert readme[start : readme.index("<!-- cost:end -->")] == readme_copy(cost_md)
    for stage in ("dev", "staging", "prod"):
        assert f"](docs/cost/{stage}.svg)" in readme
        assert (ROOT / "docs" / "cost" / f"{stage}.svg").read_text().startswith("<svg")


def test_the_workflow_is_priced_per_transition_of_its_success_path(prod: Stage) -> None:
    standard = _cost(prod, "image processed", "Step Functions")
    # CheckType, Analyse, its two branches' tasks, StoreMetadata, Stored.
    assert standard == pytest.approx(6 * 0.025e-3)

    def express(props: dict[str, Any]) -> None:
        props["StateMachineType"] = "EXPRESS"

    expressed = _changed(prod, "Operations", "AWS::StepFunctions::StateMachine", express)
    assert _cost(expressed, "image processed", "Step Functions") == pytest.approx(1.00e-6)


def test_detailed_api_metrics_are_priced_only_where_a_stage_enables_them(prod: Stage) -> None:
    def api_metrics(stage: Stage) -> float:
        lines = in_use_lines(stage, _measured())
        return sum(line.quantity for line in lines if line.what.startswith("API Gateway"))

    def disable(props: dict[str, Any]) -> None:
        for setting in props.get("MethodSettings", []):
            setting["MetricsEnabled"] = False

    web = prod.templates["Web"]["Resources"].values()
    methods = sum(
        1
        for r in web
        if r["Type"] == "AWS::ApiGateway::Method" and r["Properties"]["HttpMethod"] != "OPTIONS"
    )
    quiet = _changed(prod, "Web", "AWS::ApiGateway::Stage", disable)
    assert api_metrics(prod) - api_metrics(quiet) == 7 * methods


def test_the_stage_throttles_add_up_against_the_accounts_api_quota(prod: Stage) -> None:
    before = prod.account_quotas()["us-east-1"]["api_rate"]

    def throttle(props: dict[str, Any]) -> None:
        for setting in props.get("MethodSettings", []):
            if setting.get("ResourcePath") == "/*":
                setting["ThrottlingRateLimit"] += 1_000

    busier = _changed(prod, "DataLake", "AWS::ApiGateway::Stage", throttle)
    after = busier.account_quotas()["us-east-1"]["api_rate"]
    assert after == before + 1_000
    (line,) = [q for q in quota_lines(busier.account_quotas()) if "us-east-1" in q]
    assert f"API Gateway {after:,} requests/s" in line
    # (Prod's reserved Lambda concurrency may need its own raise: "API Gateway and Lambda".)
    raise_api = re.search(r"raise API Gateway( and Lambda)? before launch\.$", line)
    assert (raise_api is not None) == (after > 10_000)


def test_the_published_idle_costs_are_those_of_the_templates_synthesized_now(
    assembly_dir: Path,
) -> None:
    """``docs/cost/cost.md`` is regenerated (``make cost``) when a template changes what a
    stage costs idle."""
    published = (ROOT / "docs" / "cost" / "cost.md").read_text()
    for stage in stages_of(assembly_dir):
        table = "\n".join(idle_table(idle_lines(stage)))
        assert f"#### {stage.name}: a month at zero traffic" in published
        assert table in published, f"{stage.name}'s idle cost changed: run `make cost`"
