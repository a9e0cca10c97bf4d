"""Which events this function owns and which ingress rules break the policy: no AWS calls."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OPEN_IPV4 = "0.0.0.0/0"
OPEN_IPV6 = "::/0"
#: CloudTrail events that can open a security group to the world.
INGRESS_EVENTS = frozenset({"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"})
#: CloudTrail events that can make a bucket public.
BUCKET_EVENTS = frozenset(
    {
        "PutBucketPolicy",
        "PutBucketAcl",
        "DeleteBucketPublicAccessBlock",
        "PutBucketPublicAccessBlock",
    }
)


@dataclass(frozen=True)
class Target:
    """What an event asks this function to check: ``kind`` is ``security-group`` or ``bucket``."""

    kind: str
    resource: str
    event_name: str
    caller: str


def target_of(event: Mapping[str, Any]) -> Target | None:
    """The resource to check, or ``None`` for an event this function does not own."""
    detail = event.get("detail")
    if not isinstance(detail, Mapping) or event.get("detail-type") != "AWS API Call via CloudTrail":
        return None
    name = detail.get("eventName")
    source = detail.get("eventSource")
    parameters = detail.get("requestParameters") or {}
    caller = str((detail.get("userIdentity") or {}).get("arn", "unknown"))
    if source == "ec2.amazonaws.com" and name in INGRESS_EVENTS and parameters.get("groupId"):
        return Target("security-group", str(parameters["groupId"]), name, caller)
    if source == "s3.amazonaws.com" and name in BUCKET_EVENTS and parameters.get("bucketName"):
        return Target("bucket", str(parameters["bucketName"]), name, caller)
    return None


def offending_permissions(
    permissions: Sequence[Mapping[str, Any]], allowed_ports: Collection[int]
) -> list[dict[str, Any]]:
    """The parts of ``permissions`` open to the world on a port outside ``allowed_ports``.

    Each result keeps only the world-open ranges of its permission, so revoking it
    leaves the permission's other sources (another CIDR, a security group) in place.
    A permission is allowed only when every port it opens is in ``allowed_ports``;
    all protocols (``-1``) is never allowed.
    """
    offending: list[dict[str, Any]] = []
    for permission in permissions:
        if _ports_allowed(permission, allowed_ports):
            continue
        ipv4 = [r for r in permission.get("IpRanges", []) if r.get("CidrIp") == OPEN_IPV4]
        ipv6 = [r for r in permission.get("Ipv6Ranges", []) if r.get("CidrIpv6") == OPEN_IPV6]
        if not ipv4 and not ipv6:
            continue
        revoke: dict[str, Any] = {"IpProtocol": permission["IpProtocol"]}
        for key in ("FromPort", "ToPort"):
            if key in permission:
                revoke[key] = permission[key]
        if ipv4:
            revoke["IpRanges"] = [{"CidrIp": OPEN_IPV4}]
        if ipv6:
            revoke["Ipv6Ranges"] = [{"CidrIpv6": OPEN_IPV6}]
        offending.append(revoke)
    return offending


def _ports_allowed(permission: Mapping[str, Any], allowed_ports: Collection[int]) -> bool:
    if str(permission.get("IpProtocol")) not in {"tcp", "udp", "6", "17"}:
        return False
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if low is None or high is None or high - low + 1 > len(allowed_ports):
        return False
    return all(port in allowed_ports for port in range(low, high + 1))


def parse_ports(text: str) -> frozenset[int]:
    """``"443, 80"`` -> ``{80, 443}``; ``ValueError`` on anything that is not a port."""
    ports = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        port = int(part)
        if not 0 <= port <= 65535:
            raise ValueError(f"{port} is not a TCP/UDP port")
        ports.add(port)
    return frozenset(ports)
