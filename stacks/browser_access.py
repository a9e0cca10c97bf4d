"""``ShopperIdentity``: the AWS credentials shoppers' browsers write usage events with.

The workshop's design: a signed-in shopper's page trades its user-pool ID token for
temporary credentials of the identity pool (``GetId``, ``GetCredentialsForIdentity``) and
puts its view and cart events straight into the stage's Kinesis stream, signed with
SigV4 in the page (``web/storefront/sigv4.js``). No API Gateway in the path: the events
take none of the region's API Gateway request quota (10,000 requests/s shared by every
API of the account) and no ingest API's throttle, only the stream's own capacity.

Who may do what:

* every signed-in user (of no group, or of ``admin``): ``PutRecord(s)`` on the stream;
* ``admin`` (``stacks.shop_api.ADMIN_GROUP``) also reads the counts table;
* visitors who have not signed in: nothing, unless the stage sets ``guest_events``; then
  ``PutRecord(s)`` on the stream and nothing else.
"""

from __future__ import annotations

from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from constructs import Construct

from patterns import BrowserIdentity
from stacks.config import StageConfig
from stacks.shop_api import ADMIN_GROUP


def shopper_identity(
    scope: Construct,
    *,
    config: StageConfig,
    user_pool: cognito.IUserPool,
    user_pool_client: cognito.IUserPoolClient,
    events: kinesis.IStream,
    counts: dynamodb.ITable | None,
) -> BrowserIdentity:
    """The identity pool (``ShopperIdentity``) and its roles' grants."""
    identity = BrowserIdentity(
        scope,
        "ShopperIdentity",
        user_pool=user_pool,
        user_pool_client=user_pool_client,
        groups=[ADMIN_GROUP],
        allow_guests=config.guest_events,
        # Shoppers are in no group: they get the authenticated role.
        unmatched_users="authenticated-role",
    )
    identity.grant_put_records(events)
    if counts is not None:
        identity.grant_read_data(counts, group=ADMIN_GROUP)
    if config.guest_events:
        identity.grant_put_records(events, guests=True)
    return identity
