"""``ImageRecognition``: uploaded product images -> type check, thumbnail, labels, metadata."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct, IConstruct

from patterns import (
    EventWorkflow,
    SecureBucket,
    ServerlessFunction,
    access_logs_bucket,
    retention_from_days,
)
from patterns.acknowledgements import (
    KEY_ENCRYPT_DECRYPT_ACTIONS,
    acknowledge_synchronous_invocation,
)
from stacks.config import StageConfig
from stacks.keys import data_key
from stacks.lambda_code import handler_function, layer_code
from stacks.tables import stage_table

#: Object key patterns the workflow accepts (Choice rules are case-sensitive).
IMAGE_KEY_PATTERNS = ("*.jpg", "*.jpeg", "*.png", "*.JPG", "*.JPEG", "*.PNG")
_KEY = "$.detail.object.key"
_BUCKET = "$.detail.bucket.name"
#: Where the thumbnail function writes (``lambdas/image_thumbnail``): uploads there are
#: not processed, or each thumbnail would start the workflow again.
THUMBNAIL_PREFIX = "thumbnails/"


def retry_transient(task: sfn.TaskStateBase, errors: list[str]) -> None:
    """Retry ``errors`` three times, 2 s then doubling, with full jitter."""
    task.add_retry(
        errors=errors,
        interval=cdk.Duration.seconds(2),
        max_attempts=3,
        backoff_rate=2,
        jitter_strategy=sfn.JitterType.FULL,
    )


def image_definition(
    scope: Construct, *, thumbnail: lambda_.IFunction, table: dynamodb.ITable, topic: sns.ITopic
) -> sfn.IChainable:
    """The workflow: Choice on the type, Parallel thumbnail + labels, putItem, Catch -> notify.

    Its input is the EventBridge "Object Created" event of the upload.
    """
    notify = tasks.SnsPublish(
        scope,
        "NotifyFailure",
        topic=topic,
        subject="Image processing failed",
        message=sfn.TaskInput.from_object(
            {
                "image": sfn.JsonPath.string_at(_KEY),
                "bucket": sfn.JsonPath.string_at(_BUCKET),
                "error": sfn.JsonPath.object_at("$.error"),
            }
        ),
        result_path=sfn.JsonPath.DISCARD,
    ).next(sfn.Fail(scope, "ProcessingFailed", error="ImageProcessingFailed"))

    make_thumbnail = tasks.LambdaInvoke(
        scope,
        "MakeThumbnail",
        lambda_function=thumbnail,
        payload=sfn.TaskInput.from_object(
            {"bucket": sfn.JsonPath.string_at(_BUCKET), "key": sfn.JsonPath.string_at(_KEY)}
        ),
        payload_response_only=True,
        retry_on_service_exceptions=False,
    )
    retry_transient(
        make_thumbnail,
        ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "Lambda.SdkClientException"],
    )
    detect_labels = tasks.CallAwsService(
        scope,
        "DetectLabels",
        service="rekognition",
        action="detectLabels",
        parameters={
            "Image": {
                "S3Object": {
                    "Bucket": sfn.JsonPath.string_at(_BUCKET),
                    "Name": sfn.JsonPath.string_at(_KEY),
                }
            },
            "MaxLabels": 10,
            "MinConfidence": 80,
        },
        # DetectLabels has no resource-level permissions.
        iam_resources=["*"],
        result_selector={"labels": sfn.JsonPath.list_at("$.Labels[*].Name")},
    )
    retry_transient(
        detect_labels,
        ["Rekognition.ThrottlingException", "Rekognition.ProvisionedThroughputExceededException"],
    )
    analyse = sfn.Parallel(scope, "Analyse", result_path="$.analysis")
    analyse.branch(make_thumbnail)
    analyse.branch(detect_labels)
    analyse.add_catch(notify, result_path="$.error")

    store = tasks.DynamoPutItem(
        scope,
        "StoreMetadata",
        table=table,
        item={
            "image_key": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at(_KEY)),
            "bucket": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at(_BUCKET)),
            "uploaded_at": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.time")),
            "image": tasks.DynamoAttributeValue.from_string(
                sfn.JsonPath.json_to_string(sfn.JsonPath.object_at("$.analysis[0]"))
            ),
            "labels": tasks.DynamoAttributeValue.from_string(
                sfn.JsonPath.json_to_string(sfn.JsonPath.object_at("$.analysis[1].labels"))
            ),
        },
        result_path=sfn.JsonPath.DISCARD,
    )
    retry_transient(
        store,
        ["DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException"],
    )
    store.add_catch(notify, result_path="$.error")

    accepted = sfn.Condition.or_(
        *(sfn.Condition.string_matches(_KEY, pattern) for pattern in IMAGE_KEY_PATTERNS)
    )
    return (
        sfn.Choice(scope, "CheckType")
        .when(accepted, analyse.next(store).next(sfn.Succeed(scope, "Stored")))
        .otherwise(
            sfn.Fail(
                scope,
                "UnsupportedType",
                error="UnsupportedImageType",
                cause="Only JPEG and PNG images are processed",
            )
        )
    )


class ImageRecognition(Construct):
    """``Images`` (the upload bucket, events to EventBridge), ``Metadata`` (the table),
    ``Thumbnail`` (the function, with Pillow from the ``Pillow`` layer, writing to
    ``thumbnails/`` in the bucket) and ``Workflow`` (the state machine started per upload
    outside ``thumbnails/``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        topic: sns.ITopic,
        topic_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = access_logs_bucket(
            self,
            "AccessLogs",
            removal_policy=config.cdk_removal_policy,
            auto_delete_objects=config.destroy_on_delete,
            expire_after=cdk.Duration.days(config.log_retention_days),
        ).bucket
        self.bucket = SecureBucket(
            self,
            "Images",
            removal_policy=config.cdk_removal_policy,
            auto_delete_objects=config.destroy_on_delete,
            server_access_logs_bucket=self.access_logs,
            encryption_key=data_key(self, config),
            event_bridge_enabled=True,
        ).bucket
        self.table = stage_table(self, "Metadata", config=config, partition_key="image_key")
        # Built by tools/build_layers.py for Python 3.14 on arm64, the functions' platform.
        self.pillow = lambda_.LayerVersion(
            self,
            "Pillow",
            code=layer_code("pillow"),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_14],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Pillow for the thumbnail function",
            license="MIT-CMU",
            removal_policy=config.cdk_removal_policy,
        )
        self.thumbnail = ServerlessFunction(
            self,
            "Thumbnail",
            **handler_function("image_thumbnail"),
            description="Writes the thumbnail of an uploaded product image to thumbnails/",
            memory_size=1024,
            timeout=cdk.Duration.seconds(30),
            layers=[self.pillow],
            alarm_topic=topic,
        )
        acknowledge_synchronous_invocation(
            self.thumbnail, "The image workflow's Step Functions task"
        )
        self.bucket.grant_read(self.thumbnail.function)
        self.bucket.grant_put(self.thumbnail.function, f"{THUMBNAIL_PREFIX}*")
        self.workflow = EventWorkflow(
            self,
            "Workflow",
            definition=image_definition(
                self, thumbnail=self.thumbnail.alias, table=self.table, topic=topic
            ),
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [self.bucket.bucket_name]},
                    "object": {"key": [{"anything-but": {"prefix": THUMBNAIL_PREFIX}}]},
                },
            ),
            log_level=sfn.LogLevel[config.workflow_log_level],
            include_execution_data=config.workflow_log_execution_data,
            log_retention=retention_from_days(config.log_retention_days),
            timeout=cdk.Duration.minutes(15),
            enabled=config.triggers_enabled,
            topic=topic,
            removal_policy=config.cdk_removal_policy,
        )
        # Rekognition reads the image with the caller's (the state machine's) credentials.
        self.bucket.grant_read(self.workflow.state_machine)
        topic_key.grant(self.workflow.state_machine, "kms:Decrypt", "kms:GenerateDataKey")
        for role in (self.thumbnail.role, self.workflow.state_machine.role):
            acknowledge_bucket_read(role.node.find_child("DefaultPolicy"), self.bucket)
        put_reason = (
            "The put grant of the thumbnail function, limited to the thumbnails/ prefix: "
            "thumbnail keys follow the uploads' keys, and s3:Abort* only aborts its uploads."
        )
        cdk.Validations.of(self.thumbnail.role.node.find_child("DefaultPolicy")).acknowledge(
            *(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=put_reason)
                for finding in (
                    "Action::s3:Abort*",
                    f"Resource::{_bucket_arn(self.bucket)}/{THUMBNAIL_PREFIX}*",
                    # With a customer-managed key, the grant encrypts with that one key.
                    *(f"Action::{action}" for action in KEY_ENCRYPT_DECRYPT_ACTIONS),
                )
            )
        )
        cdk.Validations.of(
            self.workflow.state_machine.role.node.find_child("DefaultPolicy")
        ).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="rekognition:DetectLabels, the X-Ray actions and CloudWatch Logs "
                "log-delivery actions support no resource-level permissions.",
            )
        )


def acknowledge_bucket_read(policy: IConstruct, bucket: s3.IBucket) -> None:
    """Acknowledge the wildcards of ``bucket.grant_read`` on the grantee's ``policy``."""
    objects = f"{_bucket_arn(bucket)}/*"
    reason = (
        "The read grant of the image bucket: its object keys are product uploads not "
        "known in advance, and the action groups are CDK's read-only set."
    )
    for finding in (
        "Action::s3:GetObject*",
        "Action::s3:GetBucket*",
        "Action::s3:List*",
        f"Resource::{objects}",
    ):
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
        )


def _bucket_arn(bucket: s3.IBucket) -> str:
    """``bucket``'s ARN as cdk-nag prints it: ``<Logical1234.Arn>``."""
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    return f"<{cdk.Stack.of(bucket).get_logical_id(cfn_bucket)}.Arn>"
