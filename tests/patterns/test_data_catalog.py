from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import QueueProcessor, ServerlessFunction
from patterns.data_catalog import DataCatalog


@pytest.fixture
def zones(stack: cdk.Stack) -> dict[str, s3.IBucket]:
    return {
        "raw": s3.Bucket.from_bucket_name(stack, "Raw", "lake-raw"),
        "curated": s3.Bucket.from_bucket_name(stack, "Curated", "lake-curated"),
    }


def test_defaults(stack: cdk.Stack, code_dir: Path, zones: dict[str, s3.IBucket]) -> None:
    indexer = ServerlessFunction(stack, "Indexer", code_path=code_dir)
    search = ServerlessFunction(stack, "Search", code_path=code_dir)
    topic = sns.Topic(stack, "Topic")
    catalog = DataCatalog(
        stack, "Catalog", zones=zones, indexer=indexer, search_function=search, alarm_topic=topic
    )
    template = Template.from_stack(stack)
    [table] = [r["Properties"] for r in template.find_resources("AWS::DynamoDB::Table").values()]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"by_dataset", "by_tag"}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    [rule] = [r["Properties"] for r in template.find_resources("AWS::Events::Rule").values()]
    assert rule["State"] == "ENABLED"
    assert rule["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created", "Object Deleted"],
        "detail": {"bucket": {"name": ["lake-raw", "lake-curated"]}},
    }
    target = rule["Targets"][0]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 8}
    assert "DeadLetterConfig" in target
    assert catalog.indexer is indexer.alias
    methods = [m["Properties"] for m in template.find_resources("AWS::ApiGateway::Method").values()]
    searches = [m for m in methods if m["HttpMethod"] == "GET"]
    assert len(searches) == 2
    assert {m["AuthorizationType"] for m in searches} == {"AWS_IAM"}
    paths = {
        r["Properties"]["PathPart"]
        for r in template.find_resources("AWS::ApiGateway::Resource").values()
    }
    assert paths == {"datasets", "{dataset}", "objects"}
    assert catalog.api is not None
    functions = template.find_resources("AWS::Lambda::Function")
    # (CDK's handler that turns on the imported zones' EventBridge events has no variables.)
    variables = {
        k: f["Properties"]["Environment"]["Variables"]
        for k, f in functions.items()
        if "Environment" in f["Properties"]
    }
    indexer_env = next(v for k, v in variables.items() if k.startswith("Indexer"))
    search_env = next(v for k, v in variables.items() if k.startswith("Search"))
    assert {"LAKE_ZONES", "CATALOG_TABLE"} <= set(indexer_env)
    assert "CATALOG_TABLE" in search_env
    assert "LAKE_ZONES" not in search_env
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in template.find_resources("AWS::IAM::Policy").values()
    ]
    actions = {str(s["Action"]) for statements in policies for s in statements}
    assert any("s3:GetObjectTagging" in a for a in actions)
    assert not any("s3:GetObject*" in a for a in actions), "indexer reads tags only"
    alarm = next(
        iter(
            template.find_resources(
                "AWS::CloudWatch::Alarm",
                {"Properties": {"MetricName": "ApproximateNumberOfMessagesVisible"}},
            ).values()
        )
    )
    assert "AlarmActions" in alarm["Properties"]


def test_existing_table_imported_function_disabled(
    stack: cdk.Stack, zones: dict[str, s3.IBucket]
) -> None:
    table = dynamodb.Table.from_table_name(stack, "Existing", "catalog")
    fn = lambda_.Function.from_function_attributes(
        stack,
        "Fn",
        function_arn="arn:aws:lambda:eu-west-1:123456789012:function:indexer",
        role=iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/indexer"),
        same_environment=True,
    )
    catalog = DataCatalog(stack, "Catalog", zones=zones, indexer=fn, table=table, enabled=False)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.has_resource_properties("AWS::Events::Rule", {"State": "DISABLED"})
    assert catalog.table is table
    assert catalog.indexer is fn


def test_search_routes_join_a_given_api(
    stack: cdk.Stack, code_dir: Path, zones: dict[str, s3.IBucket]
) -> None:
    from patterns import ServerlessApi

    api = ServerlessApi(stack, "Shared", default_auth="iam")
    indexer = ServerlessFunction(stack, "Indexer", code_path=code_dir)
    search = ServerlessFunction(stack, "Search", code_path=code_dir)
    catalog = DataCatalog(
        stack, "Catalog", zones=zones, indexer=indexer, search_function=search, search_api=api
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    assert catalog.api is api


def test_search_api_without_function_is_rejected(
    stack: cdk.Stack, code_dir: Path, zones: dict[str, s3.IBucket]
) -> None:
    from patterns import ServerlessApi

    api = ServerlessApi(stack, "Shared")
    indexer = ServerlessFunction(stack, "Indexer", code_path=code_dir)
    with pytest.raises(ValueError, match="search_api needs a search_function"):
        DataCatalog(stack, "Catalog", zones=zones, indexer=indexer, search_api=api)


def test_imported_function_needs_its_role(stack: cdk.Stack, zones: dict[str, s3.IBucket]) -> None:
    fn = lambda_.Function.from_function_arn(
        stack, "Fn", "arn:aws:lambda:eu-west-1:123456789012:function:indexer"
    )
    with pytest.raises(
        ValueError, match=r"indexer .* was imported without its execution role.*role="
    ):
        DataCatalog(stack, "Catalog", zones=zones, indexer=fn)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"zones": {}}, "zones must name at least one bucket"),
        ({"zones": {"raw zone": None}}, "zones key 'raw zone' must be an S3 key prefix"),
        ({"retry_attempts": 186}, "retry_attempts must be between 0 and 185"),
    ],
)
def test_bad_arguments(
    stack: cdk.Stack,
    code_dir: Path,
    zones: dict[str, s3.IBucket],
    kwargs: dict[str, Any],
    message: str,
) -> None:
    indexer = ServerlessFunction(stack, "Indexer", code_path=code_dir)
    arguments: dict[str, Any] = {"zones": zones, "indexer": indexer, **kwargs}
    arguments["zones"] = {k: v or zones["raw"] for k, v in arguments["zones"].items()}
    with pytest.raises(ValueError, match=message):
        DataCatalog(stack, "Catalog", **arguments)


def test_a_public_cached_search_keys_on_its_query_strings(
    stack: cdk.Stack, code_dir: Path, zones: dict[str, s3.IBucket]
) -> None:
    DataCatalog(
        stack,
        "Catalog",
        zones=zones,
        indexer=ServerlessFunction(stack, "Indexer", code_path=code_dir),
        search_function=ServerlessFunction(stack, "Search", code_path=code_dir),
        search_auth="none",
        search_api_props={"cache_ttl": cdk.Duration.minutes(1)},
    )
    template = Template.from_stack(stack)
    methods = {
        tuple(sorted(m["Properties"]["RequestParameters"])): m["Properties"]
        for m in template.find_resources("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "GET"
    }
    by_tag = methods[tuple(f"method.request.querystring.{n}" for n in ("limit", "next", "tag"))]
    assert by_tag["RequestParameters"]["method.request.querystring.tag"] is True
    assert sorted(by_tag["Integration"]["CacheKeyParameters"]) == sorted(
        by_tag["RequestParameters"]
    )
    [objects] = [m for key, m in methods.items() if "method.request.path.dataset" in key]
    assert set(objects["Integration"]["CacheKeyParameters"]) == {
        "method.request.path.dataset",
        *(f"method.request.querystring.{n}" for n in ("from", "to", "limit", "next")),
    }


def test_an_indexer_queue_takes_the_events_instead_of_the_indexer(
    stack: cdk.Stack, code_dir: Path, zones: dict[str, s3.IBucket]
) -> None:
    """With ``indexer_queue`` (a ``QueueProcessor``'s), the rule sends each event to the
    queue and nothing invokes the indexer per event: no permission for EventBridge and no
    asynchronous dead-letter queue on the function; the rule keeps its own for events it
    cannot deliver to the queue."""
    indexer = ServerlessFunction(stack, "Indexer", code_path=code_dir)
    processor = QueueProcessor(stack, "IndexQueue", function=indexer)
    catalog = DataCatalog(
        stack, "Catalog", zones=zones, indexer=indexer, indexer_queue=processor.queue
    )
    template = Template.from_stack(stack)
    (rule,) = template.find_resources("AWS::Events::Rule").values()
    (target,) = rule["Properties"]["Targets"]
    queue_id = stack.get_logical_id(processor.queue.node.default_child)  # type: ignore[arg-type]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    dead_id = stack.get_logical_id(catalog.dead_letter_queue.node.default_child)  # type: ignore[arg-type]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dead_id, "Arn"]}}
    template.resource_count_is("AWS::Lambda::Permission", 0)
    (function,) = [
        f
        for f in template.find_resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "app.handler"
    ]
    assert "DeadLetterConfig" not in function["Properties"]
