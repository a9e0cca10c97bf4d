"""Acknowledging cdk-nag and cfn-lint findings the way this library does, in your own app.

The library acknowledges what its constructs create. What your app adds beside them (a
policy of its own, a function another service calls synchronously, CDK's own handlers)
is yours to acknowledge: these are the same helpers the library and its reference app use,
and they hold whatever your app's feature flags, bootstrap qualifier and stack layout.

- :func:`acknowledge_wildcards`: ``AwsSolutions-IAM5`` for exactly the wildcard actions and
  resources given, under the ids cdk-nag reports (cross-stack references rendered as the
  app's ``@aws-cdk/core:defaultCrossStackReferences`` makes them).
- :func:`acknowledge_stream_listing`: the same, for the ``*`` of ``dynamodb:ListStreams``
  in a table's stream-read grant.
- :func:`acknowledge_packs`: one rule of each stricter pack (HIPAA, PCI) on a construct.
- :func:`flatten` / :func:`render_resolved`: a value as cdk-nag prints it.
- :func:`acknowledge_synchronous_invocation`: the HIPAA dead-letter-queue rule on a function
  that is only ever invoked synchronously.
- :func:`quiet_redundant_dependencies`: cfn-lint's W3005 on the handlers CDK adds to a
  stack (auto-delete, bucket deployment, default security group).
- :data:`BUCKET_READ_ACTIONS`, :data:`KEY_ENCRYPT_DECRYPT_ACTIONS`: the wildcard actions of
  ``grant_read`` on a bucket and ``grant_encrypt_decrypt`` on a key, as cdk-nag reports them.
"""

from __future__ import annotations

from patterns._cdk_singletons import quiet_redundant_dependencies
from patterns._nag import (
    BUCKET_READ_ACTIONS,
    KEY_ENCRYPT_DECRYPT_ACTIONS,
    REGULATED_PACKS,
    acknowledge_packs,
    acknowledge_stream_listing,
    acknowledge_wildcards,
    flatten,
    render_resolved,
)
from patterns._targets import acknowledge_synchronous_invocation

__all__ = [
    "BUCKET_READ_ACTIONS",
    "KEY_ENCRYPT_DECRYPT_ACTIONS",
    "REGULATED_PACKS",
    "acknowledge_packs",
    "acknowledge_stream_listing",
    "acknowledge_synchronous_invocation",
    "acknowledge_wildcards",
    "flatten",
    "quiet_redundant_dependencies",
    "render_resolved",
]
