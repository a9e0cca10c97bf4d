"""Settling cdk-nag and cfn-lint on the functions CDK itself adds to a stack.

``BucketDeployment``, ``autoDeleteObjects`` and an imported bucket's EventBridge
notifications each add one shared handler per stack,
outside the construct that asked for it, with a role, policy and runtime CDK controls.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from patterns._nag import KEY_ENCRYPT_DECRYPT_ACTIONS, flatten


def acknowledge_deployment_handler(scope: Construct, bucket: s3.IBucket) -> None:
    """Acknowledge what cdk-nag finds on CDK's shared BucketDeployment handler.

    ``BucketDeployment`` creates one singleton function per stack (outside this construct)
    whose role, policy and runtime CDK controls.
    """
    stack = cdk.Stack.of(scope)
    bucket_objects = flatten(scope, bucket.arn_for_objects("*"))
    copying = (
        "CDK's BucketDeployment handler copies the asset objects into the site bucket; "
        "CDK's grant uses these object-level wildcards."
    )
    rules = {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]": "CDK's BucketDeployment handler role; the managed "
        "policy only lets it write its own logs.",
        "AwsSolutions-L1": "CDK pins the BucketDeployment handler's runtime together with its "
        "bundled AWS CLI layer; it is not ours to change.",
        "AwsSolutions-IAM5[Resource::*]": "CDK writes the handler's cloudfront:CreateInvalidation "
        "and GetInvalidation on '*'; it only invalidates after an upload.",
        f"AwsSolutions-IAM5[Resource::{bucket_objects}]": copying,
    }
    deploy_time = (
        "CDK's BucketDeployment handler runs only while CloudFormation deploys the stack, "
        "called synchronously by the custom resource, which reports its errors"
    )
    rules["HIPAA.Security-LambdaDLQ"] = f"{deploy_time}; a dead-letter queue would stay empty."
    rules["HIPAA.Security-LambdaConcurrency"] = (
        f"{deploy_time}; reserving capacity for it would take it from the shop's functions."
    )
    for pack in ("HIPAA.Security", "PCI.DSS.321"):
        rules[f"{pack}-LambdaInsideVPC"] = (
            f"{deploy_time}; it copies from the CDK assets bucket with CDK's own settings."
        )
    actions = ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*", "s3:DeleteObject*")
    # With an SSE-KMS site bucket, the grant also encrypts and decrypts with its one key.
    for action in (*actions, *KEY_ENCRYPT_DECRYPT_ACTIONS):
        rules[f"AwsSolutions-IAM5[Action::{action}]"] = copying
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            # The asset bucket is whatever the stack's synthesizer names (its bootstrap
            # qualifier, or legacy synthesis's parameters): read it from the handler's policy.
            for assets in _object_wildcards(scope, child) - {bucket_objects}:
                rules[f"AwsSolutions-IAM5[Resource::{assets}]"] = (
                    "Reads the uploaded asset zip from the stack's CDK assets bucket, whose "
                    "keys are content hashes."
                )
            for rule, reason in rules.items():
                cdk.Validations.of(child).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def acknowledge_notifications_handler(scope: IConstruct) -> None:
    """Acknowledge what cdk-nag finds on CDK's shared bucket-notifications handler, which
    turns on an imported bucket's EventBridge events (one per stack, outside ``scope``)."""
    deploy_time = (
        "CDK's bucket-notifications handler runs only while CloudFormation deploys the "
        "stack, called synchronously by the custom resource, which reports its errors"
    )
    rules = {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]": "CDK's bucket-notifications handler role; the managed "
        "policy only lets it write its own logs.",
        "HIPAA.Security-LambdaDLQ": f"{deploy_time}; a dead-letter queue would stay empty.",
        "HIPAA.Security-LambdaConcurrency": f"{deploy_time}; reserving capacity for it would "
        "take it from the application's functions.",
    }
    for pack in ("HIPAA.Security", "PCI.DSS.321"):
        rules[f"{pack}-LambdaInsideVPC"] = f"{deploy_time}; it only calls the S3 API."
    for child in cdk.Stack.of(scope).node.children:
        if child.node.id.startswith("BucketNotificationsHandler"):
            for rule, reason in rules.items():
                cdk.Validations.of(child).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def _object_wildcards(scope: Construct, handler: IConstruct) -> set[str]:
    """The ``<bucket>/*`` resources of ``handler``'s role policy, as cdk-nag prints them."""
    role = handler.node.try_find_child("ServiceRole")
    policy = role.node.try_find_child("DefaultPolicy") if role is not None else None
    if not isinstance(policy, iam.Policy):
        return set()
    found = set()
    for statement in policy.document.to_json().get("Statement", []):
        resources = statement.get("Resource", [])
        for resource in [resources] if isinstance(resources, str) else resources:
            if isinstance(resource, str) and resource.endswith("/*"):
                found.add(flatten(scope, resource))
    return found


def quiet_redundant_dependencies(stack: cdk.Stack) -> None:
    """Silence cfn-lint W3005 on the handlers CDK adds for auto-delete, deployment and
    closing a VPC's default security group.

    CDK gives those functions a DependsOn on their role that the Role property's GetAtt
    already implies; cfn-lint reports the redundancy and nothing else is hidden.
    """
    for child in stack.node.children:
        name = child.node.id
        if name.startswith("Custom::CDKBucketDeployment"):
            target = child.node.default_child
        elif name.startswith(
            (
                "Custom::S3AutoDeleteObjectsCustomResourceProvider",
                "Custom::VpcRestrictDefaultSGCustomResourceProvider",
            )
        ):
            target = child.node.try_find_child("Handler")
        else:
            continue
        if isinstance(target, cdk.CfnResource):
            target.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
