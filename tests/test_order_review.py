"""What AWS does with the order review's resources in each stage's templates: who may
call the review route (signed-in callers of the API's user pool, whose ``admin`` group
the handler requires), who may answer the review workflow's tasks (the review and inbox
functions, for that state machine only), what the pipe may read and write, the orders
function's amount from the stage's setting, the Step Functions endpoint in Prod's private
network, and the settings' validation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from stacks.config import StageConfigError
from stacks.stages import DEV, STAGES
from tests.support.api_cache import api_methods
from tests.support.policies import (
    ALLOW,
    IMPLICIT_DENY,
    Request,
    evaluate,
    resources_of,
    role_statements,
)
from tests.support.state_machines import render_definition
from tools.assembly import StackArtifact
from tools.event_filters import passes

STAGE_IDS = ("Dev", "Staging", "Prod")
REVIEW = "POST /orders/{order_id}/review"
ANSWERS = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")


def _function(template: Mapping[str, Any], handler: str) -> dict[str, Any]:
    props: dict[str, Any]
    [props] = [
        f["Properties"]
        for f in resources_of(template, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == handler
    ]
    return props


def _role(template: dict[str, Any], handler: str) -> list[dict[str, Any]]:
    role_id = _function(template, handler)["Role"]["Fn::GetAtt"][0]
    return role_statements(template, role_id)


def _review_machine(template: dict[str, Any]) -> dict[str, str]:
    [logical_id] = [
        k
        for k in resources_of(template, "AWS::StepFunctions::StateMachine")
        if k.startswith("OrderReviewWorkflow")
    ]
    return {"Ref": logical_id}


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_the_review_route_needs_a_signed_in_caller_of_the_shops_user_pool(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    artifact = stack_artifacts[f"{stage}/Web"]
    template = artifact.template()
    [method] = [m for m in api_methods(artifact) if m.key == REVIEW]
    assert method.handler == "order_review.app.handler"
    props = method.properties
    assert props["AuthorizationType"] == "COGNITO_USER_POOLS"
    authorizer = template["Resources"][props["AuthorizerId"]["Ref"]]["Properties"]
    [pool] = authorizer["ProviderARNs"]
    pool_id = pool["Fn::GetAtt"][0]
    # The pool's admin group is the one the handler requires (non-members get 403 from
    # it: tests/handlers/test_order_review.py).
    from shop_common.http import ADMIN_GROUP

    groups = [
        g["Properties"]["GroupName"]
        for g in resources_of(template, "AWS::Cognito::UserPoolGroup").values()
        if g["Properties"]["UserPoolId"] == {"Ref": pool_id}
    ]
    assert groups == [ADMIN_GROUP]
    # API Gateway refuses a body that is not a decision before the function runs.
    assert props["RequestValidatorId"]
    assert "application/json" in props["RequestModels"]


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_only_the_review_functions_answer_the_review_workflow_and_only_it(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    template = stack_artifacts[f"{stage}/Web"].template()
    machine = _review_machine(template)
    other = {"Ref": "SomeOtherStateMachine"}
    for handler in ("order_review.app.handler", "order_review.inbox.handler"):
        statements = _role(template, handler)
        for action in ANSWERS:
            assert evaluate(statements, Request(action, machine)) == ALLOW, (handler, action)
            assert evaluate(statements, Request(action, other)) == IMPLICIT_DENY, action
        for action in ("states:StartExecution", "states:StopExecution"):
            assert evaluate(statements, Request(action, machine)) == IMPLICIT_DENY, action
    # The inbox writes the token onto the order and reads nothing of the table.
    template_tables = {
        **resources_of(template, "AWS::DynamoDB::Table"),
        **resources_of(template, "AWS::DynamoDB::GlobalTable"),
    }
    inbox = _role(template, "order_review.inbox.handler")
    table_refs = [{"Fn::GetAtt": [t, "Arn"]} for t in template_tables]
    assert any(evaluate(inbox, Request("dynamodb:UpdateItem", t)) == ALLOW for t in table_refs)
    for action in ("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:DeleteItem"):
        assert all(evaluate(inbox, Request(action, t)) == IMPLICIT_DENY for t in table_refs)
    # The customer-facing order function answers nothing.
    orders = _role(template, "orders.app.handler")
    assert evaluate(orders, Request("states:SendTaskSuccess", machine)) == IMPLICIT_DENY


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_the_pipe_reads_the_shop_tables_stream_and_writes_the_default_bus_only(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    template = stack_artifacts[f"{stage}/Web"].template()
    [pipe] = resources_of(template, "AWS::Pipes::Pipe").values()
    props = pipe["Properties"]
    stream = props["Source"]
    table_id, attribute = stream["Fn::GetAtt"]
    assert attribute == "StreamArn"
    # The table the order function writes (TABLE_NAME of the orders function).
    table_ref = _function(template, "orders.app.handler")["Environment"]["Variables"]["TABLE_NAME"]
    assert table_ref == {"Ref": table_id}
    statements = role_statements(template, props["RoleArn"]["Fn::GetAtt"][0])
    for action in ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"):
        assert evaluate(statements, Request(action, stream)) == ALLOW, action
    assert evaluate(statements, Request("events:PutEvents", props["Target"])) == ALLOW
    table = {"Fn::GetAtt": [table_id, "Arn"]}
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"):
        assert evaluate(statements, Request(action, table)) == IMPLICIT_DENY, action
    other_bus = {"Fn::GetAtt": ["OtherBus", "Arn"]}
    assert evaluate(statements, Request("events:PutEvents", other_bus)) == IMPLICIT_DENY
    failures = props["SourceParameters"]["DynamoDBStreamParameters"]["DeadLetterConfig"]["Arn"]
    assert template["Resources"][failures["Fn::GetAtt"][0]]["Type"] == "AWS::SQS::Queue"
    assert evaluate(statements, Request("sqs:SendMessage", failures)) == ALLOW


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_orders_above_the_stages_amount_are_held_in_every_region(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    config = STAGES[stage.lower()]
    regions = [
        name for name in (f"{stage}/Web", f"{stage}/WebSecondary") if name in stack_artifacts
    ]
    for name in regions:
        template = stack_artifacts[name].template()
        variables = _function(template, "orders.app.handler")["Environment"]["Variables"]
        assert variables["REVIEW_ABOVE_CENTS"] == str(config.order_review_above_cents)
    if len(regions) == 2:
        # Orders held in the secondary region reach the primary replica's stream, which
        # the pipe reads: the review (and its route) lives in the primary region.
        secondary = stack_artifacts[f"{stage}/WebSecondary"]
        assert [m for m in api_methods(secondary) if m.key == REVIEW] == []
        primary = stack_artifacts[f"{stage}/Web"].template()
        [pipe] = resources_of(primary, "AWS::Pipes::Pipe").values()
        table_id = pipe["Properties"]["Source"]["Fn::GetAtt"][0]
        assert primary["Resources"][table_id]["Type"] == "AWS::DynamoDB::GlobalTable"


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_the_admins_hear_of_each_order_awaiting_review(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    """The pipe's event reaches the operations topic, where the workflow's own failures
    go, with the order's id in the message."""
    template = stack_artifacts[f"{stage}/Web"].template()
    rules = resources_of(template, "AWS::Events::Rule")
    [pipe] = resources_of(template, "AWS::Pipes::Pipe").values()
    sent = pipe["Properties"]["TargetParameters"]["EventBridgeEventBusParameters"]
    event = {"source": sent["Source"], "detail-type": sent["DetailType"], "detail": {}}
    [notice] = [
        r["Properties"] for k, r in rules.items() if k.startswith("OrderReviewRequestedNotice")
    ]
    assert passes(event, [notice["EventPattern"]])
    [failures] = [
        r["Properties"] for k, r in rules.items() if k.startswith("OrderReviewWorkflowFailureRule")
    ]
    [target] = notice["Targets"]
    assert target["Arn"] == failures["Targets"][0]["Arn"]
    transformer = target["InputTransformer"]
    [order_id] = [k for k, v in transformer["InputPathsMap"].items() if v == "$.detail.order_id"]
    assert f"<{order_id}>" in transformer["InputTemplate"]


def _joined(value: Any) -> str:
    """A ``Fn::Join`` of strings and the partition, as CloudFormation resolves it."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join("aws" if p == {"Ref": "AWS::Partition"} else str(p) for p in parts)


@pytest.mark.parametrize("stage", STAGE_IDS)
def test_a_review_that_runs_out_of_time_raises_an_alarm(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    """Such an execution succeeds (the order is cancelled): the alarm counts the review
    task's own timeouts, by the service integration its state names."""
    artifact = stack_artifacts[f"{stage}/Web"]
    definition = render_definition(
        artifact,
        "OrderReviewWorkflow",
        dict.fromkeys(
            ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::SQS::Queue"), "x"
        ),
    )
    task = definition["States"]["AwaitReview"]
    assert {"States.Timeout", "States.HeartbeatTimeout"} <= {
        error for catch in task["Catch"] for error in catch["ErrorEquals"]
    }
    [alarm] = [
        a["Properties"]
        for k, a in resources_of(artifact.template(), "AWS::CloudWatch::Alarm").items()
        if k.startswith("OrderReviewTimedOutAlarm")
    ]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        "AWS/States",
        "ServiceIntegrationsTimedOut",
    )
    [dimension] = alarm["Dimensions"]
    assert dimension["Name"] == "ServiceIntegrationResourceArn"
    assert _joined(dimension["Value"]) == task["Resource"]
    assert alarm["AlarmActions"]


def test_in_the_private_network_step_functions_has_an_interface_endpoint(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    web = stack_artifacts["Prod/Web"].template()
    for handler in ("order_review.app.handler", "order_review.inbox.handler"):
        assert "VpcConfig" in _function(web, handler)
    network = stack_artifacts["Prod/Network"].template()
    services = [
        str(e["Properties"]["ServiceName"])
        for e in resources_of(network, "AWS::EC2::VPCEndpoint").values()
    ]
    assert any(".states" in service for service in services), services


def test_a_stage_without_review_places_every_order(tmp_path: Any) -> None:
    """``order_review_above_cents: null``: no review resources, no amount for orders."""
    import aws_cdk as cdk

    from stacks.stage import ShopStage
    from tests.support.cdk_app import new_app

    app = new_app(tmp_path)
    stage = ShopStage(app, config=DEV.with_overrides({"order_review_above_cents": None}))
    template = cdk.assertions.Template.from_stack(stage.web).to_json()
    assert resources_of(template, "AWS::Pipes::Pipe") == {}
    assert resources_of(template, "AWS::StepFunctions::StateMachine") == {}
    variables = _function(template, "orders.app.handler")["Environment"]["Variables"]
    assert "REVIEW_ABOVE_CENTS" not in variables


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"order_review_above_cents": -1}, "order_review_above_cents: must be null"),
        ({"order_review_above_cents": "100"}, "order_review_above_cents: must be null"),
        ({"order_review_hours": 0}, "order_review_hours: must be an integer 1..8760"),
        ({"order_review_hours": 9000}, "order_review_hours: must be an integer 1..8760"),
        ({"order_review_heartbeat_hours": 72}, "less than order_review_hours .72."),
        ({"order_review_heartbeat_hours": 0}, "order_review_heartbeat_hours"),
    ],
)
def test_review_settings_are_checked(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(StageConfigError, match=message):
        DEV.with_overrides(overrides)
