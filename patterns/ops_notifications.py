"""``OpsNotifications``: the encrypted SNS topic that the other patterns notify."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from patterns._metadata import mark_pattern
from patterns._types import checked
from patterns._validation import check_emails

#: AWS services that publish to the operations topic and so must use its key.
PUBLISHING_SERVICES = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
#: Every action an SNS topic policy can name (the SNS developer guide's "Valid Amazon SNS
#: policy actions"). CDK's ``enforce_ssl`` denies only ``sns:Publish`` without TLS, which
#: leaves subscribing, reading and changing the topic open over plain HTTP.
TOPIC_ACTIONS = (
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetDataProtectionPolicy",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "sns:Publish",
    "sns:PutDataProtectionPolicy",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
)


class OpsNotifications(Construct):
    """A KMS-encrypted SNS topic that only accepts TLS, with optional e-mail subscribers.

    The topic policy denies every topic action (:data:`TOPIC_ACTIONS`) to every caller
    whose request does not use TLS, not only ``sns:Publish``.

    CloudWatch alarms and EventBridge rules may publish to it: the key policy lets those
    two services use the key, and the topic policy lets them publish. The topic's id is
    ``Topic``, not ``Resource``: SNS subscriptions are named after the topic's id inside
    the subscriber, where ``Resource`` is already taken.

    :param emails: addresses subscribed by e-mail (each must confirm). Default: none.
    :param master_key: customer-managed KMS key for the topic. Default: a new key with
        yearly rotation.
    :param display_name: topic display name, shown in e-mails. Default: ``"Operations"``.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        emails: Sequence[str] | None = None,
        master_key: kms.IKey | None = None,
        display_name: str = "Operations",
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        addresses = check_emails("emails", emails or ())
        if len(display_name) > 100:
            raise ValueError(f"display_name must be at most 100 characters, got {display_name!r}")
        #: The topic's KMS key.
        self.key: kms.IKey = master_key or kms.Key(
            self,
            "Key",
            enable_key_rotation=True,
            description=f"Encrypts the operations notifications of {self.node.path}",
        )
        for service in PUBLISHING_SERVICES:
            self.key.grant(iam.ServicePrincipal(service), "kms:Decrypt", "kms:GenerateDataKey*")
        #: The operations topic.
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=display_name,
            master_key=self.key,
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyWithoutTls",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(TOPIC_ACTIONS),
                resources=[self.topic.topic_arn],
                conditions={"Bool": {"aws:SecureTransport": "false"}},
            )
        )
        for service in PUBLISHING_SERVICES:
            self.topic.grant_publish(iam.ServicePrincipal(service))
        for address in addresses:
            self.add_email(address)

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        """Publish to the topic (and encrypt with its key)."""
        return self.topic.grant_publish(grantee)

    def metric_notifications_failed(self, **kwargs: Any) -> cloudwatch.Metric:
        """Notifications SNS could not deliver. Default: sum over 5 minutes."""
        return self.topic.metric_number_of_notifications_failed(**kwargs)

    def add_email(self, address: str) -> None:
        """Subscribe ``address`` to the topic by e-mail."""
        check_emails("address", [address])
        self.topic.add_subscription(subscriptions.EmailSubscription(address))
