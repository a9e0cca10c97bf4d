"""Acknowledging cdk-nag's wildcard findings one at a time, under the ids nag reports.

cdk-nag names each IAM5 finding after the wildcard it saw, with intrinsic functions
flattened (``<Bucket1234.Arn>/*``, ``arn:<AWS::Partition>:logs:...``). These helpers
render a resource ARN the same way, so a construct can acknowledge exactly the
wildcards it creates and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


def flatten(scope: IConstruct, value: str) -> str:
    """``value`` (an ARN, maybe with tokens) as cdk-nag prints it.

    ``{"Fn::GetAtt": ["Bucket1234", "Arn"]}`` becomes ``<Bucket1234.Arn>``, ``{"Ref": "X"}``
    becomes ``<X>`` and joins are concatenated. A reference to another stack of the app is
    rendered as CDK will render it under the app's ``@aws-cdk/core:defaultCrossStackReferences``:
    the ``Fn::ImportValue`` of an export (the default, printed as the export's name) or,
    with ``weak``, the ``Fn::GetStackOutput`` of an output.
    """
    stack = cdk.Stack.of(scope)
    weak = stack.node.try_get_context(_CROSS_STACK_FLAG) == "weak"
    return _flatten(stack.resolve(value), _foreign_references(stack, value, weak=weak))


def render_resolved(value: Any) -> str:
    """An already-resolved value (from a synthesized template, no cross-stack references)
    as cdk-nag prints it: ``{"Fn::GetAtt": ["Bucket1234", "Arn"]}`` is ``<Bucket1234.Arn>``."""
    return _flatten(value, {})


_CROSS_STACK_FLAG = "@aws-cdk/core:defaultCrossStackReferences"


def _unique_id(*components: str) -> str:
    """CDK's ``makeUniqueId``: the components' letters and digits, then a hash of their
    path."""
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False)
    human = "".join(re.sub(r"[^A-Za-z0-9]", "", c) for c in components)[:240]
    return human + digest.hexdigest()[:8].upper()


def _foreign_references(stack: cdk.Stack, value: str, *, weak: bool) -> dict[str, dict[str, Any]]:
    """Resolved reference (as JSON) -> the ``Fn::GetStackOutput`` (``weak``) or the
    ``Fn::ImportValue`` CDK will put there."""
    found: dict[str, dict[str, Any]] = {}
    for token in cdk.Tokenization.reverse_string(value).tokens:
        if not isinstance(token, cdk.Reference):
            continue
        producer = cdk.Stack.of(token.target)
        if producer is stack:
            continue
        resolved = json.dumps(producer.resolve(token), separators=(",", ":"))
        output_id = f"Output{resolved}"
        if not weak:
            # generateExportName: "<stack name>:" and the unique id of Exports/<output id>.
            export = f"{producer.stack_name}:{_unique_id('Exports', output_id)}"
            found[resolved] = {"Fn::ImportValue": export}
            continue
        region: Any = (
            {"Ref": "AWS::Region"} if cdk.Token.is_unresolved(producer.region) else producer.region
        )
        found[resolved] = {
            "Fn::GetStackOutput": {
                "StackName": producer.stack_name,
                "Region": region,
                "OutputName": _unique_id("Publish", output_id),
            }
        }
    return found


def _flatten(value: Any, foreign: dict[str, dict[str, Any]]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        replaced = foreign.get(json.dumps(value, separators=(",", ":")))
        if replaced is not None:
            return _flatten(replaced, {})
        if isinstance(value.get("Fn::ImportValue"), str):
            return str(value["Fn::ImportValue"])  # cdk-nag prints an import as its name
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return f"<{logical_id}.{attribute}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(_flatten(p, foreign) for p in parts)
        if isinstance(value.get("Fn::Sub"), str):
            # cdk-nag prints a substitution's ${Name} as <Name>.
            return re.sub(r"\$\{([^}]+)\}", r"<\1>", value["Fn::Sub"])
    # Any other intrinsic (Fn::GetStackOutput, Fn::ImportValue, ...) cdk-nag prints as
    # compact JSON, like JavaScript's JSON.stringify.
    return json.dumps(value, separators=(",", ":"))


def acknowledge_wildcards(
    construct: IConstruct,
    *,
    reason: str,
    actions: Iterable[str] = (),
    resources: Iterable[str] = (),
) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for each wildcard action and resource given."""
    acknowledgements = [
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Action::{action}]", reason=reason)
        for action in actions
    ] + [
        cdk.Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::{flatten(construct, resource)}]", reason=reason
        )
        for resource in resources
    ]
    if acknowledgements:
        cdk.Validations.of(construct).acknowledge(*acknowledgements)


def acknowledge_stream_listing(construct: IConstruct, *, reader: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5`` for the ``*`` resource of ``dynamodb:ListStreams``
    that ``ITable.grant_stream_read`` gives ``reader`` (an event source mapping, a pipe):
    the action takes no resource ARN, and the stream is read through its own."""
    acknowledge_wildcards(
        construct,
        reason=f"dynamodb:ListStreams takes no resource ARN ({reader} needs it); the "
        "table's stream itself is read through a grant on its own ARN.",
        resources=["*"],
    )


#: Actions ``IBucket.grant_read`` gives, as nag reports their wildcards.
BUCKET_READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
#: Actions ``IKey.grant_encrypt_decrypt`` gives, as nag reports their wildcards.
KEY_ENCRYPT_DECRYPT_ACTIONS = ("kms:GenerateDataKey*", "kms:ReEncrypt*")


#: The stricter cdk-nag packs whose rules this library acknowledges where they cannot apply.
REGULATED_PACKS = ("HIPAA.Security", "PCI.DSS.321")


def acknowledge_packs(
    construct: IConstruct, rule: str, reason: str, packs: Iterable[str] = REGULATED_PACKS
) -> None:
    """Acknowledge ``rule`` (``S3BucketReplicationEnabled``) of each pack on ``construct``."""
    cdk.Validations.of(construct).acknowledge(
        *(cdk.Acknowledgment(id=f"{pack}-{rule}", reason=reason) for pack in packs)
    )
