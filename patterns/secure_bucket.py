"""``SecureBucket``: an S3 bucket with the settings every bucket should have."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns._aws_limits import check_lifecycle_rules, check_whole_days
from patterns._cdk_singletons import quiet_redundant_dependencies
from patterns._grants import acknowledged
from patterns._metadata import mark_pattern
from patterns._nag import acknowledge_packs
from patterns._override_guards import BUCKET_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import cfn_child, check_duration

#: CDK feature flag: access-log delivery granted by bucket policy instead of an ACL.
LOG_DELIVERY_BY_POLICY = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"
#: How long a versioned bucket keeps an overwritten or deleted object's old version.
DEFAULT_NONCURRENT_VERSION_EXPIRATION = 90


class SecureBucket(Construct):
    """A private, encrypted, versioned S3 bucket that refuses plain HTTP.

    Public access is blocked, TLS is enforced by the bucket policy (and TLS 1.2 at least),
    objects are owned by the bucket owner (ACLs off), and versioning is on, with old
    versions expiring (see ``noncurrent_version_expiration``). The primary child is
    ``Resource`` (the bucket).

    :param encryption_key: customer-managed KMS key for SSE-KMS (with S3 bucket keys, which
        cut KMS requests). Default: SSE-S3 (S3-managed keys).
    :param versioned: keep object versions. Default: True.
    :param removal_policy: what deleting the stack does to the bucket. Default: ``RETAIN``.
    :param auto_delete_objects: empty the bucket when the stack deletes it; only with
        ``removal_policy=DESTROY``. Default: False.
    :param server_access_logs_bucket: where S3 writes server access logs. Default: no
        access logs.
    :param server_access_logs_prefix: key prefix of those logs. Default: ``"<construct id>/"``
        when a logs bucket is given.
    :param lifecycle_rules: lifecycle rules (tiers, expiry). Default: none, except that
        incomplete multipart uploads are aborted after 7 days (and old versions expire, below).
    :param noncurrent_version_expiration: how long a versioned bucket keeps the old
        (noncurrent) versions of every object before S3 deletes them, 1 day or more in whole
        days. Default: 90 days, unless a given lifecycle rule for the whole bucket (no
        prefix, tag or size filter) already expires or tiers noncurrent versions, which
        then decides alone. Versioning without such a rule keeps, and bills, every
        overwritten or deleted object forever.
    :param event_bridge_enabled: send object events to EventBridge (set on the bucket
        itself, without CDK's notifications custom resource). Default: False.
    :param acl_log_delivery: turn ACLs on (object owner preferred) for a service that still
        delivers logs with ACLs, as CloudFront's standard logs do. Only for a log bucket.
        Default: False (ACLs off, the bucket owner owns every object).
    :param bucket_props: escape hatch: keyword arguments merged last into ``s3.Bucket``.
        It may not weaken what makes the bucket secure (public access blocked, TLS-only,
        TLS 1.2, ACLs off, encryption) nor set what an argument above sets (``ValueError``).
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey | None = None,
        versioned: bool = True,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
        server_access_logs_bucket: s3.IBucket | None = None,
        server_access_logs_prefix: str | None = None,
        lifecycle_rules: Sequence[s3.LifecycleRule] | None = None,
        event_bridge_enabled: bool = False,
        noncurrent_version_expiration: cdk.Duration | None = None,
        acl_log_delivery: bool = False,
        bucket_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        # Grant S3 log delivery with a bucket policy, not the legacy LogDeliveryWrite ACL
        # (which needs ACLs on the log bucket), whatever the consuming app's feature flags.
        self.node.set_context(LOG_DELIVERY_BY_POLICY, True)
        if auto_delete_objects and removal_policy != cdk.RemovalPolicy.DESTROY:
            raise ValueError(
                "auto_delete_objects=True needs removal_policy=RemovalPolicy.DESTROY, "
                f"got {removal_policy}"
            )
        if server_access_logs_prefix is not None and server_access_logs_bucket is None:
            raise ValueError("server_access_logs_prefix needs a server_access_logs_bucket")
        check_lifecycle_rules("lifecycle_rules", lifecycle_rules)
        if server_access_logs_bucket is not None and server_access_logs_bucket.encryption_key:
            raise ValueError(
                f"server_access_logs_bucket {server_access_logs_bucket.node.path} is encrypted "
                "with a KMS key; S3 server access logs can only be delivered to a bucket "
                "with SSE-S3 (S3-managed) encryption"
            )
        rules = list(lifecycle_rules or ())
        rules.extend(_noncurrent_rule(versioned, rules, noncurrent_version_expiration))
        rules.append(
            s3.LifecycleRule(
                id="AbortIncompleteMultipartUploads",
                abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
            )
        )
        props: dict[str, Any] = {
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "enforce_ssl": True,
            "minimum_tls_version": 1.2,
            "object_ownership": (
                s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
                if acl_log_delivery
                else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
            ),
            "versioned": versioned,
            "removal_policy": removal_policy,
            "auto_delete_objects": auto_delete_objects,
            "lifecycle_rules": rules,
        }
        if encryption_key is not None:
            props.update(
                encryption=s3.BucketEncryption.KMS,
                encryption_key=encryption_key,
                bucket_key_enabled=True,
            )
        else:
            props["encryption"] = s3.BucketEncryption.S3_MANAGED
        if server_access_logs_bucket is not None:
            props.update(
                server_access_logs_bucket=server_access_logs_bucket,
                server_access_logs_prefix=server_access_logs_prefix or f"{construct_id}/",
            )
        #: The bucket.
        self.bucket = s3.Bucket(
            self, "Resource", **merged("bucket_props", props, bucket_props, BUCKET_GUARDS)
        )
        if auto_delete_objects:
            quiet_redundant_dependencies(cdk.Stack.of(self))
        if event_bridge_enabled:
            # Set natively on the bucket: CDK's event_bridge_enabled adds a custom-resource
            # Lambda (with a managed-policy role) just to make this one API call.
            cfn_bucket = cfn_child(self.bucket, s3.CfnBucket)
            cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
                event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(
                    event_bridge_enabled=True
                )
            )

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Read objects (and decrypt them with the bucket's key, if it has one)."""
        return acknowledged(
            lambda: self.bucket.grant_read(grantee, objects_key_pattern),
            grantee,
            f"read of {self.node.path}",
        )

    def grant_write(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Write and delete objects (and encrypt them with the bucket's key)."""
        return acknowledged(
            lambda: self.bucket.grant_write(grantee, objects_key_pattern),
            grantee,
            f"write of {self.node.path}",
        )

    def grant_put(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Put objects only (and encrypt them with the bucket's key)."""
        return acknowledged(
            lambda: self.bucket.grant_put(grantee, objects_key_pattern),
            grantee,
            f"put to {self.node.path}",
        )

    def grant_read_write(
        self, grantee: iam.IGrantable, objects_key_pattern: str = "*"
    ) -> iam.Grant:
        """Read, write and delete objects (and use the bucket's key both ways)."""
        return acknowledged(
            lambda: self.bucket.grant_read_write(grantee, objects_key_pattern),
            grantee,
            f"read and write of {self.node.path}",
        )


def _noncurrent_rule(
    versioned: bool, rules: list[s3.LifecycleRule], expiration: cdk.Duration | None
) -> list[s3.LifecycleRule]:
    """The rule that expires old versions, when the bucket needs one (see the class)."""
    if expiration is not None:
        if not versioned:
            raise ValueError(
                "noncurrent_version_expiration needs versioned=True: an unversioned "
                "bucket keeps no old versions"
            )
        check_duration("noncurrent_version_expiration", expiration, 86_400, float("inf"))
        if not expiration.is_unresolved() and expiration.to_seconds() % 86_400:
            raise ValueError(
                "noncurrent_version_expiration must be whole days (S3 counts days), "
                f"got {expiration.to_seconds():g} seconds"
            )
    elif not versioned or any(_covers_noncurrent_versions(rule) for rule in rules):
        return []
    days = expiration or cdk.Duration.days(DEFAULT_NONCURRENT_VERSION_EXPIRATION)
    return [s3.LifecycleRule(id="ExpireNoncurrentVersions", noncurrent_version_expiration=days)]


def _covers_noncurrent_versions(rule: s3.LifecycleRule) -> bool:
    """True when ``rule`` expires or tiers the old versions of every object."""
    whole_bucket = not (
        rule.prefix
        or rule.tag_filters
        or rule.object_size_greater_than
        or rule.object_size_less_than
    )
    acts = rule.noncurrent_version_expiration is not None or bool(
        rule.noncurrent_version_transitions
    )
    return rule.enabled is not False and whole_bucket and acts


_LOGS_SSE_S3 = (
    "S3 server access logs (and CloudFront's standard logs) are delivered only to buckets "
    "encrypted with S3-managed keys; SSE-KMS here would stop the delivery."
)
_LOGS_LOCAL = (
    "Access logs describe requests to this region's buckets and expire; the data they "
    "describe is what is replicated, and the logs are not needed to recover it."
)


@checked
def access_logs_bucket(
    scope: Construct,
    construct_id: str,
    *,
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    auto_delete_objects: bool = False,
    expire_after: cdk.Duration | None = None,
    acl_delivery: bool = False,
) -> SecureBucket:
    """A ``SecureBucket`` that receives other buckets' (or CloudFront's) access logs.

    Logs expire after ``expire_after`` (default 365 days; noncurrent versions after 30).
    ``acl_delivery=True`` enables ACLs (object owner preferred), which CloudFront's standard
    logs need. Acknowledged on it: cdk-nag's S1 (logging the log bucket would need another
    one, and so on) and the HIPAA/PCI rules asking for SSE-KMS (log delivery needs SSE-S3)
    and replication (the logs are not needed to recover the data).
    """
    check_whole_days("expire_after", expire_after)
    logs = SecureBucket(
        scope,
        construct_id,
        removal_policy=removal_policy,
        auto_delete_objects=auto_delete_objects,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=expire_after or cdk.Duration.days(365),
                noncurrent_version_expiration=cdk.Duration.days(30),
            )
        ],
        acl_log_delivery=acl_delivery,
    )
    cdk.Validations.of(logs.bucket).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-S1",
            reason="This bucket is the access-log target of other buckets; logging it too "
            "would need yet another bucket, and so on.",
        ),
    )
    acknowledge_packs(logs.bucket, "S3DefaultEncryptionKMS", _LOGS_SSE_S3)
    acknowledge_packs(logs.bucket, "S3BucketReplicationEnabled", _LOGS_LOCAL)
    return logs
