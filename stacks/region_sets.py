"""Where DynamoDB's multi-Region strong consistency (MRSC) can run.

An MRSC global table has exactly three Regions from one Region set: three replicas, or
(as here) two replicas and a witness, which holds no readable table and only takes part
in the quorum. Region sets as the ``AWS::DynamoDB::GlobalTable`` reference lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: The Region sets an MRSC global table's Regions (replicas and witness) come from.
MRSC_REGION_SETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "US": ("us-east-1", "us-east-2", "us-west-2"),
        "EU": ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"),
        "AP": ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
    }
)


def region_set(region: str) -> str | None:
    """The name of the MRSC Region set holding ``region``, or ``None``."""
    return next((name for name, regions in MRSC_REGION_SETS.items() if region in regions), None)


def witness_problem(primary: str, secondary: str, witness: str) -> str | None:
    """Why ``witness`` cannot be the witness of a table in ``primary`` and ``secondary``,
    or ``None`` when it can."""
    if witness in (primary, secondary):
        return f"must differ from the table's regions {primary!r} and {secondary!r}"
    sets = {region: region_set(region) for region in (primary, secondary, witness)}
    outside = sorted(region for region, name in sets.items() if name is None)
    if outside:
        listed = "; ".join(f"{n}: {', '.join(r)}" for n, r in MRSC_REGION_SETS.items())
        return (
            f"region(s) {', '.join(outside)} are in no Region set of multi-Region strong "
            f"consistency ({listed})"
        )
    if len(set(sets.values())) > 1:
        return "the two regions and the witness must come from one Region set, got " + ", ".join(
            f"{region} ({name})" for region, name in sets.items()
        )
    return None
