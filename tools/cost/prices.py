"""The price table: AWS's published on-demand prices in us-east-1, dated and cited.

Every stage of the reference app deploys to us-east-1 (Prod's one region in cdk.json;
Dev and Staging are environment-agnostic and priced there too; Prod's secondary region,
us-west-2, has the same prices for every service below). The figures are as published on
AWS's pricing pages on :data:`TAKEN` and were written down from those pages without
access to them on the day of writing (this machine has no internet): they **must be
re-checked** at the pages cited in each entry before anyone decides with them. Free tiers
are left out (they are per account, not per action). A price change is one edit here: every
table, chart and test reads these entries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The date the figures below are as published on; shown in every output.
TAKEN = "2025-06-01"
REGION = "us-east-1"
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
GB = 1024**3

_API = "https://aws.amazon.com/api-gateway/pricing/"
_LAMBDA = "https://aws.amazon.com/lambda/pricing/"
_DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_KINESIS = "https://aws.amazon.com/kinesis/data-streams/pricing/"
_FIREHOSE = "https://aws.amazon.com/firehose/pricing/"
_S3 = "https://aws.amazon.com/s3/pricing/"
_SFN = "https://aws.amazon.com/step-functions/pricing/"
_CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
_XRAY = "https://aws.amazon.com/xray/pricing/"
_KMS = "https://aws.amazon.com/kms/pricing/"
_WAF = "https://aws.amazon.com/waf/pricing/"
_PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/"
_SECRETS = "https://aws.amazon.com/secrets-manager/pricing/"
_COGNITO = "https://aws.amazon.com/cognito/pricing/"
_CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/"
_SQS = "https://aws.amazon.com/sqs/pricing/"
_SNS = "https://aws.amazon.com/sns/pricing/"
_ROUTE53 = "https://aws.amazon.com/route53/pricing/"
_BACKUP = "https://aws.amazon.com/backup/pricing/"
_EVENTBRIDGE = "https://aws.amazon.com/eventbridge/pricing/"
_REKOGNITION = "https://aws.amazon.com/rekognition/pricing/"


@dataclass(frozen=True)
class Price:
    """One price: ``usd`` per ``unit``, from ``source``."""

    usd: float
    unit: str
    source: str


P = Price
PRICES: dict[str, Price] = {
    # API Gateway. REST requests are tiered per account and month (see REST_TIERS).
    "apigw.rest.request": P(3.50e-6, "request (first 333 million a month)", _API),
    "apigw.http.request": P(1.00e-6, "request of up to 512 KB (first 300 million)", _API),
    "apigw.ws.message": P(1.00e-6, "message of up to 32 KB (first billion)", _API),
    "apigw.ws.connection_minute": P(0.25e-6, "connection minute", _API),
    # Lambda, arm64.
    "lambda.request": P(0.20e-6, "invocation", _LAMBDA),
    "lambda.arm64.gb_second": P(0.0000133334, "GB-second on arm64", _LAMBDA),
    # DynamoDB on-demand (standard table class).
    "dynamodb.rru": P(0.125e-6, "read request unit", _DYNAMODB),
    "dynamodb.wru": P(0.625e-6, "write request unit", _DYNAMODB),
    "dynamodb.rwru": P(0.625e-6, "replicated write request unit (global table)", _DYNAMODB),
    "dynamodb.storage": P(0.25, "GB-month", _DYNAMODB),
    "dynamodb.pitr": P(0.20, "GB-month of continuous backup", _DYNAMODB),
    "dynamodb.streams.read": P(0.02e-5, "streams read request unit", _DYNAMODB),
    # Kinesis Data Streams.
    "kinesis.shard_hour": P(0.015, "provisioned shard-hour", _KINESIS),
    "kinesis.put_unit": P(0.014e-6, "PUT payload unit (25 KB)", _KINESIS),
    "kinesis.ondemand.stream_hour": P(0.04, "on-demand stream-hour", _KINESIS),
    "kinesis.ondemand.gb_in": P(0.08, "GB written on-demand (records rounded to 1 KB)", _KINESIS),
    "kinesis.ondemand.gb_out": P(0.04, "GB read on-demand", _KINESIS),
    # Firehose: ingestion, each record rounded up to 5 KB.
    "firehose.gb": P(0.029, "GB ingested (records rounded up to 5 KB)", _FIREHOSE),
    # S3 Standard.
    "s3.put": P(0.005e-3, "PUT, COPY, POST or LIST request", _S3),
    "s3.get": P(0.0004e-3, "GET or other request", _S3),
    "s3.storage": P(0.023, "GB-month (first 50 TB)", _S3),
    # Step Functions.
    "sfn.standard.transition": P(0.025e-3, "state transition (standard)", _SFN),
    "rekognition.image": P(1.00e-3, "image analysed, DetectLabels (first million)", _REKOGNITION),
    "sfn.express.request": P(1.00e-6, "express execution", _SFN),
    "sfn.express.gb_second": P(0.00001667, "express GB-second (first 1,000 h)", _SFN),
    # CloudWatch.
    "logs.ingest": P(0.50, "GB of logs ingested (standard class)", _CLOUDWATCH),
    "logs.storage": P(0.03, "GB-month archived", _CLOUDWATCH),
    "cloudwatch.metric": P(0.30, "custom metric-month (first 10,000)", _CLOUDWATCH),
    "cloudwatch.alarm": P(0.10, "standard-resolution alarm metric-month", _CLOUDWATCH),
    "cloudwatch.dashboard": P(3.00, "dashboard-month (beyond the first 3)", _CLOUDWATCH),
    # X-Ray.
    "xray.trace_recorded": P(5.00e-6, "trace recorded", _XRAY),
    "xray.trace_retrieved": P(0.50e-6, "trace retrieved or scanned", _XRAY),
    # KMS.
    "kms.key_month": P(1.00, "customer-managed key-month", _KMS),
    "kms.request": P(0.03e-4, "API request", _KMS),
    # WAF.
    "waf.web_acl": P(5.00, "web ACL-month", _WAF),
    "waf.rule": P(1.00, "rule-month (a managed rule group counts as one)", _WAF),
    "waf.request": P(0.60e-6, "request inspected", _WAF),
    # Interface VPC endpoints (PrivateLink).
    "vpce.az_hour": P(0.01, "interface endpoint-hour per Availability Zone", _PRIVATELINK),
    "vpce.gb": P(0.01, "GB processed (first PB)", _PRIVATELINK),
    "secrets.secret_month": P(0.40, "secret-month", _SECRETS),
    "secrets.request": P(0.05e-4, "API call", _SECRETS),
    "cognito.mau": P(0.015, "monthly active user, Essentials tier (beyond 10,000)", _COGNITO),
    "cloudfront.request": P(0.01e-4, "HTTPS request (North America)", _CLOUDFRONT),
    "cloudfront.gb": P(0.085, "GB out to the internet (first 10 TB, North America)", _CLOUDFRONT),
    "sqs.request": P(0.40e-6, "standard queue request (64 KB chunk)", _SQS),
    "sns.publish": P(0.50e-6, "publish (64 KB chunk)", _SNS),
    "route53.health_check": P(0.50, "health check-month of an AWS endpoint", _ROUTE53),
    "route53.zone": P(0.50, "hosted zone-month", _ROUTE53),
    "backup.dynamodb": P(0.10, "GB-month of DynamoDB backup (warm)", _BACKUP),
    "events.custom": P(1.00e-6, "custom event published", _EVENTBRIDGE),
    "scheduler.invocation": P(1.00e-6, "EventBridge Scheduler invocation", _EVENTBRIDGE),
}

#: API Gateway REST requests per month: (requests in the tier, USD per request).
REST_TIERS: tuple[tuple[float, float], ...] = (
    (333e6, 3.50e-6),
    (667e6, 2.80e-6),
    (19e9, 2.38e-6),
    (math.inf, 1.51e-6),
)
#: API cache hourly price by cache size in GB (CacheClusterSize).
API_CACHE_HOURLY: dict[str, float] = {
    "0.5": 0.020,
    "1.6": 0.038,
    "6.1": 0.200,
    "13.5": 0.250,
    "28.4": 0.500,
    "58.2": 1.000,
    "118": 1.900,
    "237": 3.800,
}
API_CACHE_SOURCE = _API


def usd(key: str, quantity: float) -> float:
    """``quantity`` units of price ``key`` in USD."""
    return PRICES[key].usd * quantity


def rest_requests_usd(requests: float) -> float:
    """API Gateway REST requests in one month, through the volume tiers."""
    total, left = 0.0, requests
    for size, price in REST_TIERS:
        taken = min(left, size)
        total += taken * price
        left -= taken
        if left <= 0:
            break
    return total


def lambda_gb_seconds(memory_mb: int, duration_ms: float) -> float:
    """GB-seconds of one invocation: memory in GB x duration rounded up to 1 ms."""
    return memory_mb / 1024 * math.ceil(duration_ms) / 1000


def kinesis_put_units(record_bytes: int) -> int:
    """PUT payload units of one record: 25 KB each, rounded up."""
    return max(1, math.ceil(record_bytes / (25 * 1024)))


def firehose_billed_bytes(record_bytes: int) -> int:
    """Bytes Firehose bills for one record: rounded up to the next 5 KB."""
    return max(1, math.ceil(record_bytes / (5 * 1024))) * 5 * 1024


def kinesis_ondemand_billed_bytes(record_bytes: int) -> int:
    """Bytes an on-demand stream bills for one record written: rounded up to 1 KB."""
    return max(1, math.ceil(record_bytes / 1024)) * 1024


def api_cache_month_usd(size_gb: str) -> float:
    """One API cache of ``size_gb`` (``CacheClusterSize``) for a month."""
    if size_gb not in API_CACHE_HOURLY:
        raise ValueError(
            f"size_gb={size_gb!r} is not an API Gateway cache size; allowed: "
            f"{', '.join(API_CACHE_HOURLY)}"
        )
    return API_CACHE_HOURLY[size_gb] * HOURS_PER_MONTH
