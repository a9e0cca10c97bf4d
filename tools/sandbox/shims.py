"""Small, documented patches of moto 5.2's CloudFormation, Lambda and KMS backends.

The moto server runs in the sandbox's own process, so these monkeypatches apply to it.
Each :class:`Shim` says which moto bug or gap it works around and what it changes; the
sandbox prints them. :func:`install` applies them all and returns the undo.

Four shims live in one wrapper of moto's ``parse_and_create_resource`` (the function that
creates one template resource); the wrapper also records each resource in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from moto.apigateway.models import Method as ApiGatewayMethod
from moto.awslambda.models import LambdaBackend, LambdaVersion, lambda_backends
from moto.cloudformation import parsing
from moto.cloudformation.models import cloudformation_backends
from moto.kms.models import KmsBackend

from tools.sandbox.ledger import Ledger, Outcome, ResourceRecord


@dataclass(frozen=True)
class Shim:
    """One workaround: its name, the moto behaviour it works around, what it changes."""

    name: str
    moto_bug: str
    change: str


SHIMS = (
    Shim(
        "cfn-depends-on",
        "moto creates a change set's new resources in template order and ignores DependsOn, "
        "so an API Gateway Deployment comes before its Methods ('The REST API doesn't "
        "contain any methods')",
        "a resource's DependsOn targets are created before it",
    ),
    Shim(
        "cfn-lambda-alias",
        "moto has no CloudFormation model of AWS::Lambda::Alias: a Ref to an alias is "
        "empty, so the Permissions, event source mappings and rule targets that invoke it "
        "crash (KeyError 'FunctionName', KeyError 'Arn')",
        "the alias is created with moto's Lambda CreateAlias; its Ref is the alias ARN",
    ),
    Shim(
        "lambda-version-getatt",
        "moto's AWS::Lambda::Version model has no attributes, so an alias's FunctionVersion "
        "(Fn::GetAtt Version.Version) raises AttributeError",
        "GetAtt Version returns the published version number",
    ),
    Shim(
        "cfn-placeholders",
        "moto drops resource types it has no model for, and custom resources need their "
        "Lambda code run in Docker; a GetAtt of a dropped resource aborts the stack "
        "('Fn::GetAtt references undefined resource')",
        "a placeholder stands in (Ref: '<stack>-<logical id>'; GetAtt: an ARN of the "
        "'sandbox' service for *Arn attributes, else '<name>.<attribute>') and the resource "
        "is reported as skipped",
    ),
    Shim(
        "cfn-isolate-failures",
        "moto has no rollback: an exception in one resource aborts ExecuteChangeSet half "
        "way while the stack says CREATE_COMPLETE, and the rest crash later when read",
        "the failing resource becomes a placeholder and is reported as failed; the rest deploy",
    ),
    Shim(
        "cfn-get-stack-output",
        "moto does not know Fn::GetStackOutput (CDK's cross-stack references), so the "
        "intrinsic stays in the properties as a dict ('Syntax errors in policy')",
        "the value of the named output of the named stack, read from its template",
    ),
    Shim(
        "apigateway-mock-integration",
        "moto's AWS::ApiGateway::Method model reads Integration.IntegrationHttpMethod and "
        "Uri, which a MOCK integration (the CORS preflight OPTIONS methods) does not have "
        "(KeyError 'IntegrationHttpMethod')",
        "a missing IntegrationHttpMethod or Uri is passed on as empty",
    ),
    Shim(
        "kinesis-esm-delivery",
        "moto's Kinesis PutRecords runs each mapped function at once, in Docker; without "
        "Docker the request fails with HTTP 500",
        "PutRecords only stores the records; the smoke flow reads them back and hands "
        "them to the handler as the event source mapping would",
    ),
    Shim(
        "dynamodb-stream-esm-delivery",
        "moto hands each change of a table with a mapped stream to the mapped function at "
        "once, in Docker, and then empties the stream: without Docker nothing runs and "
        "every record is lost, so no reader of the stream sees a change",
        "the table's stream only keeps its records; the serve mode's pollers read them as "
        "the event source mapping would",
    ),
    Shim(
        "kms-cfn-tags",
        "moto's AWS::KMS::Key model hands CloudFormation's Key/Value tags to a tagger that "
        "expects TagKey/TagValue (KeyError 'TagKey', raised when the tags are read)",
        "CreateKey renames Key/Value tags to TagKey/TagValue",
    ),
)

#: The account and region of the emulator (moto's defaults).
ACCOUNT, REGION = "123456789012", "us-east-1"
#: Types whose model needs Lambda code to run (moto does that only in Docker).
_CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"
_ALIAS = "AWS::Lambda::Alias"


#: Types whose ``Ref`` is their ARN in CloudFormation (policies naming them need one).
_REF_IS_ARN = {"AWS::SecretsManager::Secret": "secretsmanager:{region}:{account}:secret:{name}"}


class Placeholder:
    """Stands in for a resource moto skipped or failed to create."""

    def __init__(self, stack: str, logical_id: str, resource_type: str) -> None:
        self.logical_resource_id = logical_id
        self.cf_resource_type = resource_type
        name = f"{stack}-{logical_id}"
        arn = _REF_IS_ARN.get(resource_type)
        self.physical_resource_id = (
            f"arn:aws:{arn.format(region=REGION, account=ACCOUNT, name=name)}" if arn else name
        )

    def get_cfn_attribute(self, attribute: str) -> str:
        if attribute.endswith("Arn"):  # policies and targets check the ARN's shape
            return f"arn:aws:sandbox:{REGION}:{ACCOUNT}:placeholder/{self.physical_resource_id}"
        return f"{self.physical_resource_id}.{attribute}"


class AliasResource:
    """An alias created through moto's Lambda backend, as CloudFormation sees it."""

    def __init__(self, logical_id: str, arn: str) -> None:
        self.logical_resource_id = logical_id
        self.cf_resource_type = _ALIAS
        self.physical_resource_id = arn

    def get_cfn_attribute(self, _attribute: str) -> str:
        return self.physical_resource_id  # AliasArn, the only attribute


def is_skipped_type(resource_type: str) -> bool:
    """Whether moto's CloudFormation cannot create ``resource_type`` itself."""
    if resource_type == _ALIAS:
        return False
    if resource_type.startswith("Custom::") or resource_type == _CUSTOM_RESOURCE:
        return True
    return resource_type not in parsing.get_model_map()


def kms_tags(tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """CloudFormation's ``Key``/``Value`` tags as KMS's ``TagKey``/``TagValue``."""
    return [
        {
            "TagKey": t.get("TagKey", t.get("Key", "")),
            "TagValue": t.get("TagValue", t.get("Value", "")),
        }
        for t in tags or []
    ]


def _create_alias(
    logical_id: str, resource_json: dict[str, Any], resources_map: Any, account: str, region: str
) -> AliasResource:
    properties = parsing.clean_json(resource_json.get("Properties", {}), resources_map)
    alias = lambda_backends[account][region].create_alias(
        name=properties["Name"],
        function_name=properties["FunctionName"],
        function_version=str(properties["FunctionVersion"]),
        description=properties.get("Description", ""),
        routing_config=properties.get("RoutingConfig"),
    )
    return AliasResource(logical_id, alias.arn)


def _version_attribute(self: Any, attribute: str) -> str:
    if attribute == "Version":
        return str(self.version)
    raise NotImplementedError(f"{attribute} of {{0}} is not emulated")


def _resolving_stack_outputs(original: Callable[..., Any]) -> Callable[..., Any]:
    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
            spec = original(resource_json["Fn::GetStackOutput"], resources_map)
            account = resources_map["AWS::AccountId"]
            backend = cloudformation_backends[account][spec.get("Region", REGION)]
            stack = backend.get_stack(spec["StackName"])
            output = stack.resource_map._template["Outputs"][spec["OutputName"]]
            return original(output["Value"], stack.resource_map)
        return original(resource_json, resources_map)

    return clean_json


def _no_delivery(*_args: Any, **_kwargs: Any) -> None:
    return None


def _depends_on(resource_json: dict[str, Any]) -> list[str]:
    depends = resource_json.get("DependsOn", [])
    return [depends] if isinstance(depends, str) else list(depends)


def _recording_creator(ledger: Ledger, original: Callable[..., Any]) -> Callable[..., Any]:
    def create(
        logical_id: str,
        resource_json: dict[str, Any],
        resources_map: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        condition = resource_json.get("Condition")
        if condition and not resources_map.lazy_condition_map[condition]:
            return None
        stack = str(resources_map["AWS::StackName"])
        resource_type = resource_json["Type"]
        outcome, detail = Outcome.DEPLOYED, ""
        resource: Any
        try:
            for dependency in _depends_on(resource_json):
                resources_map[dependency]  # cfn-depends-on
            if resource_type == _ALIAS:
                resource = _create_alias(
                    logical_id, resource_json, resources_map, account_id, region_name
                )
            elif is_skipped_type(resource_type):
                resource = Placeholder(stack, logical_id, resource_type)
                outcome = Outcome.SKIPPED
            else:
                resource = original(
                    logical_id, resource_json, resources_map, account_id, region_name
                )
        except Exception as error:  # cfn-isolate-failures: any model error, reported
            resource = Placeholder(stack, logical_id, resource_type)
            outcome, detail = Outcome.FAILED, f"{type(error).__name__}: {error}"
        ledger.record(ResourceRecord(stack, logical_id, resource_type, outcome, detail))
        return resource

    return create


def _kms_creator(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_key(  # the original's signature (the KMS API passes tags positionally)
        self: KmsBackend,
        policy: Any,
        key_usage: Any,
        key_spec: Any,
        description: Any,
        tags: Any,
        multi_region: bool = False,
        origin: str = "AWS_KMS",
    ) -> Any:
        return original(
            self, policy, key_usage, key_spec, description, kms_tags(tags), multi_region, origin
        )

    return create_key


def mock_integration_defaults(properties: dict[str, Any]) -> None:
    """Give an integration without ``IntegrationHttpMethod``/``Uri`` (MOCK) empty ones."""
    integration = properties.get("Integration")
    if isinstance(integration, dict):
        integration.setdefault("IntegrationHttpMethod", None)
        integration.setdefault("Uri", None)


def _method_creator(original: Any) -> Any:
    def create(cls: Any, name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        mock_integration_defaults(cloudformation_json["Properties"])
        return original.__func__(cls, name, cloudformation_json, *args, **kwargs)

    return classmethod(create)


@contextmanager
def installed(ledger: Ledger) -> Iterator[tuple[Shim, ...]]:
    """Every shim applied while the block runs; resources are recorded in ``ledger``."""
    patches = (
        (
            parsing,
            "parse_and_create_resource",
            _recording_creator(ledger, parsing.parse_and_create_resource),
        ),
        (parsing, "clean_json", _resolving_stack_outputs(parsing.clean_json)),
        (KmsBackend, "create_key", _kms_creator(KmsBackend.create_key)),
        (LambdaVersion, "get_cfn_attribute", _version_attribute),
        (LambdaBackend, "send_kinesis_message", _no_delivery),
        (LambdaBackend, "send_dynamodb_items", _no_delivery),
        (
            ApiGatewayMethod,
            "create_from_cloudformation_json",
            _method_creator(ApiGatewayMethod.__dict__["create_from_cloudformation_json"]),
        ),
    )
    with ExitStack() as stack:
        for target, name, replacement in patches:
            stack.enter_context(mock.patch.object(target, name, replacement, create=True))
        yield SHIMS
