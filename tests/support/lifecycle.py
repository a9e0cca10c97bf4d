"""What S3 lifecycle rules of a synthesized bucket do to an object, read as S3 reads them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.assembly import StackArtifact

#: A key that no prefix of the app names, beside a sample key under each prefix a rule names.
UNLISTED_KEY = "not/under/any/rule/object.bin"


def _rule_applies(rule: Mapping[str, Any], key: str, size: int) -> bool:
    """Whether S3 applies ``rule`` to an object ``key`` of ``size`` bytes (tags: none)."""
    if rule.get("Status") != "Enabled" or rule.get("TagFilters"):
        return False
    if not key.startswith(rule.get("Prefix", "")):
        return False
    if size <= int(rule.get("ObjectSizeGreaterThan", -1)):
        return False
    return size < int(rule.get("ObjectSizeLessThan", 2**63))


def noncurrent_fate(rules: Sequence[Mapping[str, Any]], key: str, size: int = 1) -> list[str]:
    """What lifecycle does to a noncurrent version of ``key``: expiry and transitions."""
    fate = []
    for rule in rules:
        if not _rule_applies(rule, key, size):
            continue
        expiration = rule.get("NoncurrentVersionExpiration") or (
            {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
            if "NoncurrentVersionExpirationInDays" in rule
            else None
        )
        if expiration:
            fate.append(f"expire after {expiration['NoncurrentDays']} days")
        for transition in rule.get("NoncurrentVersionTransitions", []):
            fate.append(f"{transition['StorageClass']} after {transition['TransitionInDays']} days")
    return fate


def versioned_buckets(
    artifacts: Mapping[str, StackArtifact],
) -> list[tuple[str, list[dict[str, Any]]]]:
    """``("<stack>/<logical id>", lifecycle rules)`` of every versioned bucket."""
    found = []
    for name, stack in sorted(artifacts.items()):
        for logical_id, bucket in stack.template().get("Resources", {}).items():
            if bucket["Type"] != "AWS::S3::Bucket":
                continue
            props = bucket.get("Properties", {})
            if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
                rules = props.get("LifecycleConfiguration", {}).get("Rules", [])
                found.append((f"{name}/{logical_id}", rules))
    return found


def objects_kept_forever(artifacts: Mapping[str, StackArtifact]) -> list[str]:
    """Objects (a key under each prefix the rules name, and one under none, small and
    large) whose old versions no lifecycle rule of their versioned bucket expires or
    moves to a cheaper tier."""
    kept = []
    for where, rules in versioned_buckets(artifacts):
        keys = {
            UNLISTED_KEY,
            *(f"{rule['Prefix']}object.bin" for rule in rules if "Prefix" in rule),
        }
        for key in sorted(keys):
            for size in (1, 10 * 2**20):
                if not noncurrent_fate(rules, key, size):
                    kept.append(f"{where}: {key} ({size} bytes)")
    return kept
