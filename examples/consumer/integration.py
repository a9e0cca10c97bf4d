"""Work levelled through a queue, fanned out through a topic, shared code in a layer."""

from __future__ import annotations

from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import QueueProcessor, ServerlessFunction, SharedCodeLayer, Subscriber, TopicFanOut

from .existing import HANDLERS, ExistingResources, arn, import_function


def with_defaults(scope: Construct, topic: sns.ITopic) -> None:
    """A new queue for a new worker, a new topic with two filtered queues, one layer."""
    SharedCodeLayer(scope, "Common", package_path=HANDLERS / "common")
    jobs = ServerlessFunction(scope, "Jobs", code_path=HANDLERS / "worker")
    QueueProcessor(scope, "JobQueue", function=jobs, max_concurrency=5, alarm_topic=topic)
    order = sns.SubscriptionFilter.string_filter(allowlist=["order"])
    TopicFanOut(
        scope,
        "Fan",
        subscribers=[
            Subscriber(name="Orders", filter_policy={"kind": order}),
            Subscriber(name="Audit"),
        ],
        alarm_topic=topic,
    )


def with_existing(scope: Construct, existing: ExistingResources) -> None:
    """The account's ``jobs`` queue for a deployed worker; its ops topic fanned out to an
    existing queue (failed deliveries to ``failures``)."""
    SharedCodeLayer(scope, "Common", package_path=HANDLERS / "common")
    QueueProcessor(
        scope,
        "JobQueue",
        function=import_function(scope, "job-runner"),
        queue=sqs.Queue.from_queue_arn(scope, "Jobs", arn("sqs", "jobs")),
        dead_letter_queue=existing.failures,
        alarm_topic=existing.topic,
    )
    TopicFanOut(
        scope,
        "Fan",
        topic=existing.topic,
        subscribers=[
            Subscriber(
                name="Audit",
                queue=sqs.Queue.from_queue_arn(scope, "Audit", arn("sqs", "audit")),
                dead_letter_queue=existing.failures,
            )
        ],
        alarm_topic=existing.topic,
    )
