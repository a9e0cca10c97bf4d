"""Availability zones without synth-time lookups.

A zone *name* (``us-east-1a``) maps to a different physical zone in every account, and
some accounts cannot use a given name; a zone *id* (``use1-az1``) is the same physical
zone everywhere. Subnets are therefore placed by zone id when a stage names them, and
otherwise in the first zones that ``Fn::GetAZs`` returns for the account at deployment.
Neither needs the CLI's ``availability-zones`` lookup, so synthesis works with no AWS
credentials and no ``cdk.context.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

#: How many zones a stack spreads its subnets over when none are named.
DEFAULT_ZONE_COUNT = 2
_ZONE_ID = re.compile(r"^(?P<prefix>[a-z]+[0-9]+)-az(?P<number>[0-9]{1,2})$")
_COMPASS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_id_prefix(region: str) -> str:
    """The prefix of ``region``'s zone ids: ``use1`` for ``us-east-1``, ``apse2`` for
    ``ap-southeast-2``, ``usgw1`` for ``us-gov-west-1``."""
    parts = region.split("-")
    words = [_COMPASS.get(part, part[:1]) for part in parts[1:-1]]
    return parts[0] + "".join(words) + parts[-1]


def zone_ids_problem(region: str, zone_ids: Sequence[str]) -> str | None:
    """Why ``zone_ids`` cannot place subnets in ``region``, or ``None`` when they can."""
    if isinstance(zone_ids, str) or not isinstance(zone_ids, Sequence):
        return f"must be a list of zone ids, got {zone_ids!r}"
    prefix = zone_id_prefix(region)
    for zone_id in zone_ids:
        match = _ZONE_ID.match(zone_id) if isinstance(zone_id, str) else None
        if match is None or match["prefix"] != prefix:
            return f"{zone_id!r} is not a zone id of {region} (like {prefix}-az1)"
    if len(set(zone_ids)) != len(zone_ids) or len(zone_ids) < DEFAULT_ZONE_COUNT:
        return f"must name at least {DEFAULT_ZONE_COUNT} different zones, got {list(zone_ids)!r}"
    return None


def deployment_time_zones(count: int = DEFAULT_ZONE_COUNT) -> list[str]:
    """The first ``count`` zones the deploying account can use, as ``Fn::GetAZs`` gives
    them in the stack's own region at deployment (no lookup at synthesis)."""
    return [cdk.Fn.select(index, cdk.Fn.get_azs()) for index in range(count)]


def place_subnets_by_zone_id(vpc: ec2.Vpc, zone_ids: Sequence[str]) -> None:
    """Put the ``n``-th subnet of each of ``vpc``'s subnet groups in ``zone_ids[n]``.

    CloudFormation accepts ``AvailabilityZoneId`` in place of ``AvailabilityZone``; the
    VPC must have been built with ``max_azs=len(zone_ids)``.
    """
    groups = (vpc.public_subnets, vpc.private_subnets, vpc.isolated_subnets)
    for subnets in groups:
        if subnets and len(subnets) != len(zone_ids):
            raise ValueError(
                f"zone_ids: {len(zone_ids)} zones for a subnet group of {len(subnets)} subnets"
            )
        for subnet, zone_id in zip(subnets, zone_ids, strict=False):
            resource = subnet.node.default_child
            if not isinstance(resource, ec2.CfnSubnet):
                raise TypeError(f"subnet {subnet.node.path} has no CfnSubnet to place")
            resource.add_property_deletion_override("AvailabilityZone")
            resource.add_property_override("AvailabilityZoneId", zone_id)
