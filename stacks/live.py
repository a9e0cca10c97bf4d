"""The Streaming stack's live updates: the counts table's changes pushed to dashboards."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import FunctionDefaults, LiveUpdates, ServerlessFunction
from patterns.acknowledgements import acknowledge_packs
from stacks.config import StageConfig
from stacks.keys import data_key
from stacks.lambda_code import handler_function
from stacks.tables import acknowledge_no_pitr

_NO_ROTATION = (
    "The token-signing secret is rotated by replacing it (a new deployment): tokens live "
    "at most an hour, so a rotation only makes open dashboards fetch a new token."
)


class LiveAccess:
    """What a client of the live updates needs: the WebSocket URL, and the secret that
    signs the tokens of its ``$connect`` (read by the token issuer, ``GET /live-token``)."""

    def __init__(
        self, live: LiveUpdates, token_secret: secretsmanager.ISecret, key: kms.IKey | None
    ) -> None:
        self.live = live
        self.url = live.url
        self.token_secret = token_secret
        #: The customer-managed key encrypting the secret, if any.
        self.key = key


def add_live_updates(
    scope: Construct,
    *,
    config: StageConfig,
    counts: dynamodb.ITable,
    log_retention: logs.RetentionDays,
    alarm_topic: sns.ITopic | None,
) -> LiveAccess:
    """``Live``: a WebSocket API whose clients subscribe to products, event types or
    ``all`` and receive each counter's new value (``lambdas/live_updates/messages.py``
    documents the messages). ``$connect`` needs ``?token=``, an HMAC token signed with
    ``LiveTokenSecret`` (``lambdas/live_updates/tokens.py``)."""
    key = data_key(scope, config)
    secret = secretsmanager.Secret(
        scope,
        "LiveTokenSecret",
        description="Signs the tokens that open live-update WebSocket connections",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=48, exclude_punctuation=True
        ),
        encryption_key=key,
        removal_policy=config.cdk_removal_policy,
    )
    cdk.Validations.of(secret).acknowledge(
        cdk.Acknowledgment(id="AwsSolutions-SMG4", reason=_NO_ROTATION)
    )
    acknowledge_packs(secret, "SecretsManagerRotationEnabled", _NO_ROTATION)
    authorizer = ServerlessFunction(
        scope,
        "LiveAuthorizer",
        **handler_function("live_updates", "authorizer"),
        description="Checks the token of each live-updates connect",
        environment={"TOKEN_SECRET_ARN": secret.secret_arn},
        alarm_topic=alarm_topic,
    )
    secret.grant_read(authorizer.function)
    broadcaster = ServerlessFunction(
        scope,
        "LiveBroadcaster",
        **handler_function("live_updates", "broadcaster"),
        description="Pushes each counter change to its subscribed connections",
        timeout=cdk.Duration.seconds(30),
        alarm_topic=alarm_topic,
        # The WebSocket API's @connections endpoint has no VPC endpoint: in a private
        # network without a way out, PostToConnection could never be reached.
        defaults=FunctionDefaults.of(scope).replace(
            vpc=None, vpc_subnets=None, security_groups=None
        ),
    )
    acknowledge_packs(
        broadcaster.function,
        "LambdaInsideVPC",
        "The broadcaster calls the WebSocket API's @connections endpoint, which no VPC "
        "endpoint serves; it reads only the counts table's stream and the connections "
        "table (counters and connection ids, no personal or card data).",
    )
    routes = ServerlessFunction(
        scope,
        "LiveRoutes",
        **handler_function("live_updates"),
        description="Records live-updates connections and their subscriptions",
        # A dashboard that connects asks for the counters' current values (a snapshot).
        environment={"COUNTS_TABLE": counts.table_name},
        alarm_topic=alarm_topic,
    )
    counts.grant(routes.function, "dynamodb:Scan")
    if counts.encryption_key is not None:
        counts.encryption_key.grant_decrypt(routes.function)
    live = LiveUpdates(
        scope,
        "Live",
        handler=routes,
        broadcaster=broadcaster,
        source_table=counts,
        authorizer=authorizer,
        point_in_time_recovery=config.point_in_time_recovery,
        deletion_protection=config.termination_protection,
        removal_policy=config.cdk_removal_policy,
        log_retention=log_retention,
        alarm_topic=alarm_topic,
    )
    acknowledge_no_pitr(
        live.connections_table,
        config,
        "; open connections cannot be restored anyway (clients reconnect).",
    )
    cdk.CfnOutput(scope, "LiveUrl", value=live.url)
    return LiveAccess(live, secret, key)


def add_token_issuer(
    scope: Construct,
    *,
    access: LiveAccess,
    allowed_origin: str,
    alarm_topic: sns.ITopic | None,
) -> ServerlessFunction:
    """``LiveTokens``: the function of the shop API's ``GET /live-token`` (Cognito), which
    signs a 15-minute token for the caller with ``access.token_secret`` and may read
    nothing else (``secretsmanager:GetSecretValue`` on that secret, and decrypt with its
    key through Secrets Manager only)."""
    issuer = ServerlessFunction(
        scope,
        "LiveTokens",
        **handler_function("live_updates", "issuer"),
        description="Issues the short-lived tokens that open live-updates connections",
        environment={
            "TOKEN_SECRET_ARN": access.token_secret.secret_arn,
            "ALLOWED_ORIGIN": allowed_origin,
        },
        alarm_topic=alarm_topic,
    )
    # Granted on the issuer's role only: ``secret.grant_read`` would also add the role to
    # the key's policy, making the Streaming stack depend on this one (a cycle, since this
    # stack reads the secret's ARN from it). The key's policy lets the account's IAM
    # policies grant its use, so the role's policy suffices.
    iam.Grant.add_to_principal(
        grantee=issuer.function,
        actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resource_arns=[access.token_secret.secret_arn],
    )
    if access.key is not None:
        issuer.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[access.key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"secretsmanager.{cdk.Stack.of(scope).region}."
                        f"{cdk.Aws.URL_SUFFIX}"
                    }
                },
            )
        )
    return issuer
