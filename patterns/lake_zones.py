"""Storage tiers and prefixes of the data lake's zones."""

from __future__ import annotations

import dataclasses
import itertools
import re

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from patterns._types import check_fields
from patterns._validation import check_range

# S3 key prefixes the lake accepts: path segments of safe characters, ending in "/".
_PREFIX = re.compile(r"^([A-Za-z0-9!_.*'()=-]+/)+$")


def check_prefix(name: str, prefix: str) -> None:
    """Raise ``ValueError`` unless ``prefix`` is a usable S3 key prefix like ``events/``."""
    if not isinstance(prefix, str) or not _PREFIX.match(prefix) or ".." in prefix:
        raise ValueError(
            f"{name} must be an S3 key prefix of letters, digits and !_.*'()=- segments "
            f"ending in '/', like 'events/'; got {prefix!r}"
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class LifecycleTiers:
    """When a zone's objects move to cheaper storage classes, and when they expire.

    Each value is days after creation; ``None`` skips that step. The days must increase
    from one step to the next (S3 also needs 30 days in Standard before Standard-IA).

    :param infrequent_access_after_days: to S3 Standard-IA. Default: 30.
    :param archive_after_days: to S3 Glacier Instant Retrieval. Default: 90.
    :param expire_after_days: delete current versions. Default: never.
    :param noncurrent_expire_after_days: delete noncurrent versions. Default: 90.
    """

    infrequent_access_after_days: int | None = 30
    archive_after_days: int | None = 90
    expire_after_days: int | None = None
    noncurrent_expire_after_days: int | None = 90

    def __post_init__(self) -> None:
        check_fields(self)
        if all(getattr(self, f.name) is None for f in dataclasses.fields(self)):
            raise ValueError(
                "LifecycleTiers with every step None (infrequent_access_after_days, "
                "archive_after_days, expire_after_days, noncurrent_expire_after_days) makes "
                "an empty lifecycle rule, which S3 refuses; give at least one step"
            )
        check_range("infrequent_access_after_days", self.infrequent_access_after_days, 30, 36_500)
        check_range("archive_after_days", self.archive_after_days, 1, 36_500)
        check_range("expire_after_days", self.expire_after_days, 1, 36_500)
        check_range("noncurrent_expire_after_days", self.noncurrent_expire_after_days, 1, 36_500)
        steps = [
            (name, days)
            for name, days in (
                ("infrequent_access_after_days", self.infrequent_access_after_days),
                ("archive_after_days", self.archive_after_days),
                ("expire_after_days", self.expire_after_days),
            )
            if days is not None
        ]
        for (before, earlier), (after, later) in itertools.pairwise(steps):
            if later <= earlier:
                raise ValueError(
                    f"lifecycle days must increase: {after}={later} is not after {before}={earlier}"
                )

    def rule(self, rule_id: str) -> s3.LifecycleRule:
        """The S3 lifecycle rule for these tiers."""
        transitions = []
        if self.infrequent_access_after_days is not None:
            transitions.append(
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=cdk.Duration.days(self.infrequent_access_after_days),
                )
            )
        if self.archive_after_days is not None:
            transitions.append(
                s3.Transition(
                    storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transition_after=cdk.Duration.days(self.archive_after_days),
                )
            )
        return s3.LifecycleRule(
            id=rule_id,
            transitions=transitions or None,
            expiration=_days(self.expire_after_days),
            noncurrent_version_expiration=_days(self.noncurrent_expire_after_days),
        )


def _days(days: int | None) -> cdk.Duration | None:
    return None if days is None else cdk.Duration.days(days)
