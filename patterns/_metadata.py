"""Marking pattern constructs in the cloud assembly, so tools can find them.

The mark is construct metadata: it lands in the stack's ``*.metadata.json`` of the cloud
assembly (keyed by construct path), not in the CloudFormation template.
"""

from __future__ import annotations

from constructs import Construct

#: Metadata type whose data is the pattern's class name.
PATTERN_METADATA = "serverless-patterns:pattern"


def mark_pattern(construct: Construct) -> None:
    """Record that ``construct`` is an instance of a pattern of this library."""
    construct.node.add_metadata(PATTERN_METADATA, type(construct).__name__)
