"""Acknowledging cdk-nag's wildcard findings one at a time, under the ids nag reports.

cdk-nag names each IAM5 finding after the wildcard it saw, with intrinsic functions
flattened (``<Bucket1234.Arn>/*``, ``arn:<AWS::Partition>:logs:...``). These helpers
render a resource ARN the same way, so a construct can acknowledge exactly the
wildcards it creates and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aws_cdk as cdk
from constructs import IConstruct


def flatten(scope: IConstruct, value: str) -> str:
    """``value`` (an ARN, maybe with tokens) as cdk-nag prints it.

    ``{"Fn::GetAtt": ["Bucket1234", "Arn"]}`` becomes ``<Bucket1234.Arn>``, ``{"Ref": "X"}``
    becomes ``<X>`` and joins are concatenated.
    """
    return _flatten(cdk.Stack.of(scope).resolve(value))


def _flatten(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return f"<{logical_id}.{attribute}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(_flatten(p) for p in parts)
    raise ValueError(f"cannot render {value!r} as cdk-nag does")


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


#: Actions ``IBucket.grant_read`` gives, as nag reports their wildcards.
BUCKET_READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
#: Actions ``IKey.grant_encrypt_decrypt`` gives, as nag reports their wildcards.
KEY_ENCRYPT_DECRYPT_ACTIONS = ("kms:GenerateDataKey*", "kms:ReEncrypt*")
