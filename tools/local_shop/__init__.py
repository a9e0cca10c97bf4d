"""A local backend for the storefront: its files, the shop API and an ingest stand-in.

One HTTP server on 127.0.0.1 (see :mod:`tools.local_shop.server`) serves

* the storefront (``web/storefront``) with a ``config.json`` pointing at this server and
  at moto's Cognito, under the deployed Content-Security-Policy (its ``connect-src``
  naming the local hosts instead of AWS's);
* the shop API's routes, read from the synthesized ``Web`` stack's template (methods,
  paths, auth, API keys, request models, CORS preflight headers, the functions'
  environment and tables), each call running the real handler from ``lambdas/`` in this
  process with API Gateway's REST proxy event (path parameters, query strings, headers,
  ``requestContext.authorizer.claims`` from a verified ID token);
* ``GET /live-token`` too when it is given the live token's signing secret (the
  Streaming stack's: ``overrides={"TOKEN_SECRET_ARN": ...}``, as ``make sandbox SERVE=1``
  does), and ``liveUrl`` in ``config.json`` when given ``live_url``;
* ``POST /records`` of the stack's ingest API (``StorefrontEvents``: its request model,
  Cognito auth and CORS from the template), putting each record into a moto Kinesis
  stream with the partition key the deployed mapping template reads (``product_id``).

Against DynamoDB tables, a Cognito user pool (with the template's MFA and sign-in flows,
and a shopper with an authenticator app) and a Kinesis stream in moto, in server mode.

What it does NOT do, unlike AWS:

* ID tokens are moto's: their signature (RS256, moto's published keys), issuer, audience,
  use and expiry are checked as API Gateway's Cognito authorizer checks them, but moto
  accepts any six digits as the authenticator code, and IAM (SigV4) and Lambda
  authorizers are not emulated (no shop route uses them);
* no throttling, usage plan quotas or per-key limits (an API key is only compared), no
  WAF, no stage cache (every GET reaches the handler), no request size limits;
* the handlers run in this process, one call at a time (one warm container): no cold
  starts, timeouts or memory limits, no X-Ray; Powertools' settings this process has
  already (tests set theirs) win over the functions' ``POWERTOOLS_*`` variables;
* the ingest stand-in calls Kinesis' ``PutRecords`` itself: API Gateway's mapping
  templates (VTL) are not run, only the partition key field is read from them.
"""

from __future__ import annotations

from tools.local_shop.shop import LocalShop

__all__ = ["LocalShop"]
