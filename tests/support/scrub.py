"""Removing machine- and code-dependent values from templates before snapshotting."""

from __future__ import annotations

import json
import re
from typing import Any

#: Asset hashes (S3 keys, asset paths) change with every edit of handler code.
_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
#: ``<Fn>CurrentVersion<8 hex path hash><32 hex config+code hash>``: keep the stable part.
_VERSION_ID = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}")
#: ``cdk-assets publish "<hash>:<account>-<region>-<8 hex>"`` (a pipeline's asset steps):
#: the last part changes with the asset's contents too.
_DESTINATION = re.compile(
    r"(<asset-hash>:(?:current_account-current_region|\d{12}-[a-z]{2}(?:-[a-z]+)+-\d))"
    r"-[0-9a-f]{8}\b"
)


def scrub(template: dict[str, Any]) -> dict[str, Any]:
    """The template with asset hashes and code-derived version ids replaced by markers."""
    text = json.dumps(template, sort_keys=True)
    text = _ASSET_HASH.sub("<asset-hash>", text)
    text = _VERSION_ID.sub(r"\1<code-hash>", text)
    text = _DESTINATION.sub(r"\1-<destination-hash>", text)
    scrubbed: dict[str, Any] = json.loads(text)
    return scrubbed
