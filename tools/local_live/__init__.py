"""A local live backend: everything after the ingest API, on the emulator, reached the way
AWS would reach it, for the dashboard's browser test, its benchmark and a person's try-out.

- the usage-events stream (moto Kinesis) read by a poller that invokes the real
  ``usage_aggregator`` handler in this process with Lambda's Kinesis event, batched as the
  template's mapping says (``BatchSize``, ``MaximumBatchingWindowInSeconds``, starting
  position, retries, partial batch responses);
- the counts table's DynamoDB stream (moto) read by a poller that invokes the real
  broadcaster with Lambda's DynamoDB Streams event, batched likewise;
- a real WebSocket server on 127.0.0.1 (``websockets``) that runs the real authorizer and
  ``$connect``/``$disconnect``/``$default`` handler with API Gateway's WebSocket events;
- an HTTP server that takes ``POST /<stage>/@connections/<id>`` from the broadcaster's
  normal boto3 ``apigatewaymanagementapi`` client and sends the message on the open socket
  (410 ``GoneException`` for a closed one), and serves the dashboard, its ``config.json``
  and ``GET /live-token`` (the real issuer).

Names, keys, streams, shard count, batching and each function's environment come from the
synthesized ``Streaming`` template (``settings``), so the local run cannot drift from it.

What it does not emulate: API Gateway's idle timeout (10 minutes) and 2-hour connection
limit, its throttling (stage or account), message size limits (128 KB frames, 32 KB
``PostToConnection`` per frame) and access logs; the Cognito authorizer of
``GET /live-token`` (the JWT's claims are read, its signature is not checked); Lambda's
scaling (each function runs one invocation at a time, each mapping is one thread reading
shards in turn, with no parallelization factor, bisecting or on-failure destination),
cold starts, timeouts and reserved concurrency; stream shards splitting or rotating; the
WAF and the ingest API itself (events are put straight into the stream).

    python -m tools.local_live      # synthesizes Dev, runs this on moto, prints the URL
"""

from tools.local_live.backend import LocalLive

__all__ = ["LocalLive"]
