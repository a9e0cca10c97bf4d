"""``GraphqlApi``: each constructor branch as AppSync will take it, the resolvers' checks
against the schema, argument validation, and no cdk-nag finding under AwsSolutions,
HIPAA and PCI (imported table, function and user pool included)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import GraphqlApi, GraphqlCache, PipelineStep
from tests.support.cdk_app import cli_context
from tests.support.regulated_nag import lint_only_stack, regulated_findings

HERE = Path(__file__).resolve().parent
SCHEMA, GET_NOTE = HERE / "schema.graphql", HERE / "get_note.js"
ACCOUNT, REGION = "123456789012", "eu-west-1"


def _stack(out: Path | None = None) -> tuple[cdk.App, cdk.Stack]:
    app = cdk.App(context=cli_context(), outdir=str(out) if out else None)
    return app, cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region=REGION))


def _lid(stack: cdk.Stack, construct: Any) -> str:
    """The logical id of ``construct``'s L1 resource."""
    return stack.get_logical_id(construct.node.default_child)


def _table(stack: cdk.Stack) -> dynamodb.Table:
    return dynamodb.Table(
        stack,
        "NotesTable",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )


def _imported(stack: cdk.Stack) -> dict[str, Any]:
    role = iam.Role.from_role_arn(stack, "AuthRole", f"arn:aws:iam::{ACCOUNT}:role/auth")
    return {
        "table": dynamodb.Table.from_table_name(stack, "Imported", "notes"),
        "function": lambda_.Function.from_function_attributes(
            stack,
            "Authorizer",
            function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth",
            role=role,
            same_environment=True,
        ),
        "pool": cognito.UserPool.from_user_pool_id(stack, "Pool", "eu-west-1_abc"),
    }


def _resources(stack: cdk.Stack, kind: str) -> list[dict[str, Any]]:
    found = Template.from_stack(stack).find_resources(kind).values()
    return [r["Properties"] for r in found]


def test_defaults_iam_error_logs_without_request_data_xray_and_a_retained_log_group() -> None:
    _, stack = _stack()
    graphql = GraphqlApi(stack, "Notes", schema=SCHEMA)
    (api,) = _resources(stack, "AWS::AppSync::GraphQLApi")
    assert api["AuthenticationType"] == "AWS_IAM"
    assert "AdditionalAuthenticationProviders" not in api
    assert api["XrayEnabled"] is True
    assert api["LogConfig"]["FieldLogLevel"] == "ERROR"
    assert api["LogConfig"]["ExcludeVerboseContent"] is True
    template = Template.from_stack(stack).to_json()["Resources"]
    group = template[_lid(stack, graphql.log_group)]
    assert group["DeletionPolicy"] == "Retain"
    assert "RetentionInDays" in group["Properties"]
    # AppSync writes to /aws/appsync/apis/<api id>: the group must carry that name.
    name = group["Properties"]["LogGroupName"]["Fn::Join"][1]
    assert name[0] == "/aws/appsync/apis/"
    assert name[1] == {"Fn::GetAtt": [_lid(stack, graphql.api), "ApiId"]}
    # No custom resource (a Lambda function) that would create the same group.
    assert not Template.from_stack(stack).find_resources("Custom::LogRetention")
    (policy,) = [
        p for p in _resources(stack, "AWS::IAM::Policy") if "LogsRole" in json.dumps(p["Roles"])
    ]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Resource"] == {"Fn::GetAtt": [_lid(stack, graphql.log_group), "Arn"]}
    assert sorted(graphql.alarms) == ["client_errors", "latency", "server_errors"]


def test_every_mode_with_imported_resources_and_verbose_logs() -> None:
    _, stack = _stack()
    imported = _imported(stack)
    expires = cdk.Expiration.at_date(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    )
    GraphqlApi(
        stack,
        "Notes",
        schema=SCHEMA,
        default_authorization="user_pool",
        additional_authorization=("iam", "api_key", "lambda"),
        user_pool=imported["pool"],
        authorizer=imported["function"],
        api_key_expires=expires,
        field_log_level="ALL",
        exclude_verbose_content=False,
    )
    (api,) = _resources(stack, "AWS::AppSync::GraphQLApi")
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert api["UserPoolConfig"]["UserPoolId"] == "eu-west-1_abc"
    providers = {p["AuthenticationType"]: p for p in api["AdditionalAuthenticationProviders"]}
    assert set(providers) == {"AWS_IAM", "API_KEY", "AWS_LAMBDA"}
    assert providers["AWS_LAMBDA"]["LambdaAuthorizerConfig"]["AuthorizerResultTtlInSeconds"] == 300
    (key,) = _resources(stack, "AWS::AppSync::ApiKey")
    assert key["Expires"] == expires.to_epoch()
    assert api["LogConfig"] == {
        "CloudWatchLogsRoleArn": api["LogConfig"]["CloudWatchLogsRoleArn"],
        "ExcludeVerboseContent": False,
        "FieldLogLevel": "ALL",
    }
    (permission,) = _resources(stack, "AWS::Lambda::Permission")
    assert permission["Principal"] == "appsync.amazonaws.com"


def test_data_sources_have_their_own_roles_and_read_only_tables_cannot_write() -> None:
    _, stack = _stack()
    table = _table(stack)
    GraphqlApi(
        stack,
        "Notes",
        schema=SCHEMA,
        data_sources={"notes": table, "noteWrites": table},
        read_only_tables=("notes",),
    )
    policies = {
        json.dumps(p["Roles"]): [a for s in p["PolicyDocument"]["Statement"] for a in s["Action"]]
        for p in _resources(stack, "AWS::IAM::Policy")
    }
    reader = next(actions for roles, actions in policies.items() if "notesRole" in roles)
    writer = next(actions for roles, actions in policies.items() if "noteWritesRole" in roles)
    assert "dynamodb:GetItem" in reader
    assert not [a for a in reader if a.endswith(("PutItem", "UpdateItem", "DeleteItem"))]
    assert "dynamodb:UpdateItem" in writer


def test_unit_and_pipeline_resolvers_run_javascript_against_their_data_sources() -> None:
    _, stack = _stack()
    graphql = GraphqlApi(stack, "Notes", schema=SCHEMA, data_sources={"notes": _table(stack)})
    graphql.add_resolver("Query", "note", code=GET_NOTE, data_source="notes")
    graphql.add_pipeline_resolver(
        "Query", "notes", code=GET_NOTE, steps=[PipelineStep("getNote", "notes", GET_NOTE)]
    )
    resolvers = {r["FieldName"]: r for r in _resources(stack, "AWS::AppSync::Resolver")}
    assert resolvers["note"]["Kind"] == "UNIT"
    assert resolvers["note"]["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    assert resolvers["note"]["Code"] == GET_NOTE.read_text()
    assert resolvers["notes"]["Kind"] == "PIPELINE"
    (function,) = _resources(stack, "AWS::AppSync::FunctionConfiguration")
    assert function["Runtime"]["Name"] == "APPSYNC_JS"
    assert "RequestMappingTemplate" not in function  # no VTL
    assert set(graphql.resolvers) == {"Query.note", "Query.notes"}


def test_cache_waf_and_per_resolver_caching() -> None:
    _, stack = _stack()
    graphql = GraphqlApi(
        stack,
        "Notes",
        schema=SCHEMA,
        data_sources={"notes": _table(stack)},
        cache=GraphqlCache(ttl=cdk.Duration.seconds(30)),
        web_acl_arn=f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/shop/1",
        query_depth_limit=5,
    )
    graphql.add_resolver(
        "Query", "note", code=GET_NOTE, data_source="notes", cache_keys=("$context.arguments.id",)
    )
    (cache,) = _resources(stack, "AWS::AppSync::ApiCache")
    assert cache["AtRestEncryptionEnabled"] is True
    assert cache["TransitEncryptionEnabled"] is True
    assert (cache["Ttl"], cache["Type"]) == (30, "SMALL")
    (resolver,) = _resources(stack, "AWS::AppSync::Resolver")
    assert resolver["CachingConfig"] == {"CachingKeys": ["$context.arguments.id"], "Ttl": 30}
    (association,) = _resources(stack, "AWS::WAFv2::WebACLAssociation")
    assert association["ResourceArn"]["Fn::GetAtt"][1] == "Arn"
    (api,) = _resources(stack, "AWS::AppSync::GraphQLApi")
    assert api["QueryDepthLimit"] == 5


def test_alarms_watch_this_api_by_its_id() -> None:
    _, stack = _stack()
    graphql = GraphqlApi(stack, "Notes", schema=SCHEMA, client_errors_alarm=None)
    alarms = _resources(stack, "AWS::CloudWatch::Alarm")
    assert sorted(a["MetricName"] for a in alarms) == ["5XXError", "Latency"]
    api_id = {"Fn::GetAtt": [_lid(stack, graphql.api), "ApiId"]}
    for alarm in alarms:
        assert alarm["Namespace"] == "AWS/AppSync"
        assert alarm["Dimensions"] == [{"Name": "GraphQLAPIId", "Value": api_id}]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has 0 bytes"),
        ("type Mutation { a: Int }", "defines no 'type Query'"),
        ("type Query { a: Int ", "unbalanced braces"),
        (
            'type Query { a: Int }\ntype Subscription { s: Int @aws_subscribe(mutations: ["b"]) }',
            "follows mutation 'b', which is not a field of type Mutation",
        ),
    ],
)
def test_a_file_that_is_not_a_schema_appsync_takes_is_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    _, stack = _stack()
    with pytest.raises(ValueError, match=message):
        GraphqlApi(stack, "Notes", schema=_write(tmp_path, "s.graphql", text))


def test_a_missing_schema_file_is_refused(tmp_path: Path) -> None:
    _, stack = _stack()
    with pytest.raises(ValueError, match="is not a file"):
        GraphqlApi(stack, "Notes", schema=tmp_path / "none.graphql")


def test_resolvers_must_name_a_field_a_data_source_and_a_javascript_file(tmp_path: Path) -> None:
    _, stack = _stack()
    graphql = GraphqlApi(stack, "Notes", schema=SCHEMA, data_sources={"notes": _table(stack)})
    with pytest.raises(ValueError, match=r"Query.nope is not a field .*its fields: note, notes"):
        graphql.add_resolver("Query", "nope", code=GET_NOTE, data_source="notes")
    with pytest.raises(ValueError, match="'other' is not a data source of this API"):
        graphql.add_resolver("Query", "note", code=GET_NOTE, data_source="other")
    no_response = _write(tmp_path, "r.js", "export function request(ctx) { return {}; }\n")
    with pytest.raises(ValueError, match="does not export response"):
        graphql.add_resolver("Query", "note", code=no_response, data_source="notes")
    with pytest.raises(ValueError, match=r"is not a \.js file"):
        graphql.add_resolver("Query", "note", code=SCHEMA, data_source="notes")
    with pytest.raises(ValueError, match="needs cache=GraphqlCache"):
        graphql.add_resolver(
            "Query",
            "note",
            code=GET_NOTE,
            data_source="notes",
            cache_keys=("$context.arguments.id",),
        )
    graphql.add_resolver("Query", "note", code=GET_NOTE, data_source="notes")
    with pytest.raises(ValueError, match=r"Query\.note already has a resolver"):
        graphql.add_resolver("Query", "note", code=GET_NOTE, data_source="notes")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"default_authorization": "cognito"}, ValueError, "default_authorization must be one of"),
        ({"default_authorization": "user_pool"}, ValueError, "'user_pool' needs user_pool"),
        ({"additional_authorization": ("iam",)}, ValueError, "given more than once"),
        ({"additional_authorization": "lambda"}, TypeError, "additional_authorization"),
        ({"default_authorization": "lambda"}, ValueError, "'lambda' needs authorizer"),
        ({"default_authorization": "api_key"}, ValueError, "'api_key' needs api_key_expires"),
        ({"field_log_level": "WARN"}, ValueError, "field_log_level must be one of"),
        ({"query_depth_limit": 76}, ValueError, "query_depth_limit must be between 1 and 75"),
        ({"authorizer_cache_ttl": cdk.Duration.hours(2)}, ValueError, "authorizer_cache_ttl"),
        ({"read_only_tables": ("notes",)}, ValueError, "'notes' is not the name of a table"),
        ({"data_sources": {"no-dash": None}}, TypeError, "data_sources"),
        ({"graphql_api_props": {"xray_enabled": False}}, ValueError, "is refused"),
        ({"latency_p99_alarm": cdk.Duration.minutes(2)}, ValueError, "latency_p99_alarm"),
    ],
)
def test_bad_arguments_are_refused_naming_them(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    _, stack = _stack()
    with pytest.raises(error, match=message):
        GraphqlApi(stack, "Notes", schema=SCHEMA, **arguments)


@pytest.mark.parametrize("days", [0.5, 366])
def test_an_api_key_must_expire_1_to_365_days_from_now(days: float) -> None:
    _, stack = _stack()
    expires = cdk.Expiration.at_date(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
    )
    with pytest.raises(ValueError, match="api_key_expires must be 1 to 365 days from now"):
        GraphqlApi(
            stack, "Notes", schema=SCHEMA, default_authorization="api_key", api_key_expires=expires
        )


def test_a_given_argument_whose_mode_is_not_used_is_refused() -> None:
    _, stack = _stack()
    pool = _imported(stack)["pool"]
    with pytest.raises(ValueError, match="user_pool is given but 'user_pool' is neither"):
        GraphqlApi(stack, "Notes", schema=SCHEMA, user_pool=pool)


def test_no_finding_in_any_pack_and_cfn_lint_clean(tmp_path: Path) -> None:
    app, stack = _stack(tmp_path)
    imported = _imported(stack)
    graphql = GraphqlApi(
        stack,
        "Notes",
        schema=SCHEMA,
        data_sources={
            "notes": _table(stack),
            "old": imported["table"],
            "auth": imported["function"],
        },
        default_authorization="user_pool",
        additional_authorization=("iam", "lambda"),
        user_pool=imported["pool"],
        authorizer=imported["function"],
        cache=GraphqlCache(),
        web_acl_arn=f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/shop/1",
        alarm_topic=sns.Topic.from_topic_arn(
            stack, "Alarms", f"arn:aws:sns:{REGION}:{ACCOUNT}:alarms"
        ),
    )
    graphql.add_resolver("Query", "note", code=GET_NOTE, data_source="notes")
    graphql.add_resolver("Mutation", "putNote", code=GET_NOTE, data_source="auth")
    findings = regulated_findings(app, stack, tmp_path)
    assert [f for f in findings if "Test/NotesTable/" not in f] == []  # the test's own table
    assert lint_only_stack(tmp_path) == []


def test_a_step_shared_by_two_pipelines_is_one_function_and_a_name_clash_is_refused(
    tmp_path: Path,
) -> None:
    _, stack = _stack()
    graphql = GraphqlApi(stack, "Notes", schema=SCHEMA, data_sources={"notes": _table(stack)})
    step = PipelineStep("getNote", "notes", GET_NOTE)
    graphql.add_pipeline_resolver("Query", "note", code=GET_NOTE, steps=[step])
    graphql.add_pipeline_resolver("Query", "notes", code=GET_NOTE, steps=[step])
    assert len(_resources(stack, "AWS::AppSync::FunctionConfiguration")) == 1
    other = _write(tmp_path, "other.js", GET_NOTE.read_text().replace("ctx.result", "null"))
    with pytest.raises(ValueError, match="'getNote' is already a pipeline function"):
        graphql.add_pipeline_resolver(
            "Mutation", "putNote", code=GET_NOTE, steps=[PipelineStep("getNote", "notes", other)]
        )
    with pytest.raises(TypeError, match=r"steps\[0\] must be a patterns.PipelineStep"):
        graphql.add_pipeline_resolver("Mutation", "putNote", code=GET_NOTE, steps=["getNote"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="steps must hold 1 to 10 PipelineStep"):
        graphql.add_pipeline_resolver("Mutation", "putNote", code=GET_NOTE, steps=[])
