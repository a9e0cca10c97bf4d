"""The catalogue's GraphQL API: its schema as a GraphQL server reads it, the JavaScript
resolvers evaluated as AppSync's ``EvaluateCode`` runs them, and their data paths: the
DynamoDB request each resolver builds, executed against moto's tables (created as the
Dev stage defines them), and the result fed back into its ``response``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from graphql import GraphQLObjectType, GraphQLSchema, build_schema, get_named_type

from stacks.catalog_graphql import GRAPHQL_DIR, SCHEMA
from stacks.shop_api import ADMIN_GROUP
from tests.support.tables import create_table_like
from tools.appsync.dynamodb import ConditionalCheckFailed, execute
from tools.appsync.evaluate import Evaluation, evaluate
from tools.assembly import StackArtifact

#: AppSync's own scalars and directives, which its servers know without a definition.
APPSYNC_PRELUDE = """
scalar AWSDate scalar AWSTime scalar AWSDateTime scalar AWSTimestamp scalar AWSEmail
scalar AWSJSON scalar AWSURL scalar AWSPhone scalar AWSIPAddress
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
"""
PRODUCTS, COUNTS = "shop", "counts"
#: The file of each resolver (by field) and pipeline function (by name).
FILES = {
    "products": "products",
    "product": "product",
    "updateProduct": "update_product",
    "getProduct": "get_product",
    "productCounts": "product_counts",
}
ADMIN = {"sub": "admin-1", "groups": ["admin"], "username": "admin"}


def graphql_schema() -> GraphQLSchema:
    return build_schema(APPSYNC_PRELUDE + SCHEMA.read_text())


def code(name: str) -> Path:
    return GRAPHQL_DIR / f"{name}.js"


def test_the_schema_builds_and_every_resolver_and_data_source_of_the_stack_exists(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    schema = graphql_schema()
    resources = stack_artifacts["Dev/Web"].template()["Resources"].values()
    resolvers = [r["Properties"] for r in resources if r["Type"] == "AWS::AppSync::Resolver"]
    sources = {
        r["Properties"]["Name"] for r in resources if r["Type"] == "AWS::AppSync::DataSource"
    }
    assert {f"{r['TypeName']}.{r['FieldName']}" for r in resolvers} == {
        "Query.products",
        "Query.product",
        "Mutation.updateProduct",
    }
    for resolver in resolvers:
        owner = schema.get_type(resolver["TypeName"])
        assert isinstance(owner, GraphQLObjectType)
        assert resolver["FieldName"] in owner.fields
        assert resolver["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        # What is deployed is what these tests evaluate.
        assert resolver["Code"] == code(FILES[resolver["FieldName"]]).read_text()
        if "DataSourceName" in resolver:
            assert resolver["DataSourceName"] in sources or "Fn::GetAtt" in str(
                resolver["DataSourceName"]
            )
    steps = [
        r["Properties"] for r in resources if r["Type"] == "AWS::AppSync::FunctionConfiguration"
    ]
    assert {s["Name"]: s["Code"] for s in steps} == {
        name: code(FILES[name]).read_text() for name in ("getProduct", "productCounts")
    }


def test_the_subscription_follows_the_mutation_and_can_filter_on_its_argument() -> None:
    schema = graphql_schema()
    assert schema.subscription_type is not None
    assert schema.mutation_type is not None
    field = schema.subscription_type.fields["onProductChanged"]
    (directive,) = [d for d in field.ast_node.directives if d.name.value == "aws_subscribe"]
    mutations = [v.value for v in directive.arguments[0].value.values]
    assert mutations == ["updateProduct"]
    mutation = schema.mutation_type.fields["updateProduct"]
    # AppSync sends the mutation's result to the subscribers: same type, and each
    # subscription argument must be a field of it to filter on.
    assert get_named_type(mutation.type) is get_named_type(field.type)
    result_type = get_named_type(field.type)
    assert isinstance(result_type, GraphQLObjectType)
    assert set(field.args) <= set(result_type.fields)


@pytest.fixture
def tables(aws: str, stack_artifacts: dict[str, StackArtifact]) -> Any:
    create_table_like(stack_artifacts["Dev/Web"], "ApiTable", PRODUCTS)
    create_table_like(stack_artifacts["Dev/Streaming"], "CountsTable", COUNTS)
    return boto3.client("dynamodb")


def run(client: Any, table: str, name: str, **context: Any) -> Evaluation:
    """``request``, executed on ``table``, then ``response`` with its result or error."""
    request = evaluate(code(name), "request", **context)
    assert request.error is None, request.error
    try:
        result, error = execute(client, table, request.result), None
    except ConditionalCheckFailed as failed:
        result = None
        error = {"message": str(failed), "type": "DynamoDB:ConditionalCheckFailedException"}
    context = {**context, "stash": request.stash}
    return evaluate(code(name), "response", result=result, error=error, **context)


def add_products(client: Any, *skus: str) -> None:
    for index, sku in enumerate(skus):
        client.put_item(
            TableName=PRODUCTS,
            Item={
                "pk": {"S": "PRODUCT"},
                "sk": {"S": sku},
                "name": {"S": f"Product {sku}"},
                "price_cents": {"N": str(1000 + index)},
            },
        )
    # An order in the same table is never listed as a product.
    client.put_item(TableName=PRODUCTS, Item={"pk": {"S": "ORDER#1"}, "sk": {"S": "ORDER"}})


def test_products_pages_through_the_catalogue_in_sku_order(tables: Any) -> None:
    add_products(tables, "C-3", "A-1", "B-2")
    first = run(tables, PRODUCTS, "products", arguments={"limit": 2})
    assert first.error is None
    assert [p["sku"] for p in first.result["items"]] == ["A-1", "B-2"]
    assert first.result["items"][0]["price_cents"] == 1001
    token = first.result["nextToken"]
    assert token
    second = run(tables, PRODUCTS, "products", arguments={"limit": 2, "nextToken": token})
    assert [p["sku"] for p in second.result["items"]] == ["C-3"]
    assert second.result["nextToken"] is None


@pytest.mark.parametrize("limit", [0, 101])
def test_products_refuses_a_limit_outside_1_to_100(limit: int) -> None:
    evaluation = evaluate(code("products"), "request", arguments={"limit": limit})
    assert evaluation.error is not None
    assert evaluation.error["type"] == "BadRequest"
    assert "limit must be 1 to 100" in evaluation.error["message"]


def test_products_asks_for_20_without_a_limit() -> None:
    request = evaluate(code("products"), "request").result
    assert request["limit"] == 20
    assert request["nextToken"] is None


def product_pipeline(client: Any, sku: str) -> Any:
    """``Query.product`` as AppSync runs the pipeline: before, each step, after."""
    before = evaluate(code("product"), "request", arguments={"sku": sku})
    stash = before.stash
    prev: Any = before.result
    for step, table in (("get_product", PRODUCTS), ("product_counts", COUNTS)):
        request = evaluate(code(step), "request", arguments={"sku": sku}, stash=stash, prev=prev)
        assert request.error is None, request.error
        if request.early_return:
            # AppSync skips the step's data source and response, and goes on.
            stash, prev = request.stash, request.result
            continue
        result = execute(client, table, request.result)
        response = evaluate(
            code(step), "response", arguments={"sku": sku}, stash=stash, prev=prev, result=result
        )
        assert response.error is None, response.error
        stash, prev = response.stash, response.result
    return evaluate(code("product"), "response", stash=stash, prev=prev).result


def test_product_comes_with_its_view_and_purchase_counts_in_one_request(tables: Any) -> None:
    add_products(tables, "LAMP-1", "DESK-2")
    for sku, event_type, count in (
        ("LAMP-1", "view", 42),
        ("LAMP-1", "purchase", 3),
        ("LAMP-1", "add_to_cart", 7),
        ("DESK-2", "view", 1000),
    ):
        tables.put_item(
            TableName=COUNTS,
            Item={
                "product_id": {"S": sku},
                "event_type": {"S": event_type},
                "event_count": {"N": str(count)},
            },
        )
    product = product_pipeline(tables, "LAMP-1")
    assert product["sku"] == "LAMP-1"
    assert product["name"] == "Product LAMP-1"
    assert product["counts"] == {"views": 42, "purchases": 3}
    assert "pk" not in product


def test_a_product_nobody_has_seen_has_zero_counts_and_an_unknown_one_is_null(
    tables: Any,
) -> None:
    add_products(tables, "NEW-1")
    assert product_pipeline(tables, "NEW-1")["counts"] == {"views": 0, "purchases": 0}
    assert product_pipeline(tables, "GONE-9") is None


def test_update_product_changes_price_and_stock_and_returns_what_subscribers_get(
    tables: Any,
) -> None:
    add_products(tables, "LAMP-1")
    updated = run(
        tables,
        PRODUCTS,
        "update_product",
        arguments={"sku": "LAMP-1", "price_cents": 2499, "stock": 12},
        identity=ADMIN,
    )
    assert updated.error is None
    assert updated.result["sku"] == "LAMP-1"  # what onProductChanged(sku:) filters on
    assert (updated.result["price_cents"], updated.result["stock"]) == (2499, 12)
    assert updated.result["name"] == "Product LAMP-1"  # the other fields are kept
    stored = tables.get_item(
        TableName=PRODUCTS, Key={"pk": {"S": "PRODUCT"}, "sk": {"S": "LAMP-1"}}
    )
    assert stored["Item"]["price_cents"] == {"N": "2499"}
    only_stock = run(
        tables, PRODUCTS, "update_product", arguments={"sku": "LAMP-1", "stock": 0}, identity=ADMIN
    )
    assert (only_stock.result["price_cents"], only_stock.result["stock"]) == (2499, 0)


def test_update_product_of_an_unknown_sku_is_not_found_and_creates_nothing(tables: Any) -> None:
    answer = run(
        tables,
        PRODUCTS,
        "update_product",
        arguments={"sku": "GHOST-1", "price_cents": 100},
        identity=ADMIN,
    )
    assert answer.error == {"message": "no product GHOST-1", "type": "NotFound", "data": None}
    assert tables.scan(TableName=PRODUCTS)["Items"] == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sku": "A-1"}, "give price_cents or stock"),
        ({"sku": "A-1", "price_cents": 0}, "price_cents must be 1 to 10000000"),
        ({"sku": "A-1", "stock": -1}, "stock must be 0 or more"),
    ],
)
def test_update_product_refuses_what_the_rest_api_would(
    arguments: dict[str, Any], message: str
) -> None:
    evaluation = evaluate(code("update_product"), "request", arguments=arguments)
    assert evaluation.error is not None
    assert evaluation.error["type"] == "BadRequest"
    assert message in evaluation.error["message"]


def test_the_runner_refuses_what_appsync_js_does_not_run(tmp_path: Path) -> None:
    resolver = tmp_path / "bad.js"
    resolver.write_text(
        "export function request(ctx) { try { return {}; } catch (e) { return {}; } }\n"
        "export function response(ctx) { return ctx.result; }\n"
    )
    evaluation = evaluate(resolver, "request")
    assert evaluation.error == {
        "message": "unsupported in APPSYNC_JS: try/catch",
        "type": "CodeError",
    }


def _directives(node: Any) -> dict[str, Any]:
    return {d.name.value: d for d in (node.ast_node.directives if node.ast_node else [])}


def test_only_the_shops_admin_group_may_update_and_iam_callers_can_read_everything(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    schema = graphql_schema()
    assert schema.mutation_type is not None
    assert schema.query_type is not None
    update = _directives(schema.mutation_type.fields["updateProduct"])
    assert set(update) == {"aws_cognito_user_pools"}  # no IAM, no other mode
    (groups,) = update["aws_cognito_user_pools"].arguments
    allowed = [v.value for v in groups.value.values]
    resources = stack_artifacts["Dev/Web"].template()["Resources"].values()
    pool_groups = [
        r["Properties"]["GroupName"]
        for r in resources
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    ]
    assert allowed == [ADMIN_GROUP]
    assert ADMIN_GROUP in pool_groups
    # With several modes AppSync lets a caller through only where the field and the type it
    # returns both allow its mode: IAM (the additional mode) must be on each of them.
    for name, field in schema.query_type.fields.items():
        assert "aws_iam" in _directives(field), name
        returned = get_named_type(field.type)
        assert isinstance(returned, GraphQLObjectType)
        assert "aws_iam" in _directives(returned), returned.name
        for inner in returned.fields.values():
            nested = get_named_type(inner.type)
            if isinstance(nested, GraphQLObjectType):
                assert "aws_iam" in _directives(nested), nested.name
