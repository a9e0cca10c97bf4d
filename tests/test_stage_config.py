"""The stage model: configs, overrides from context, and errors that name the field."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import aws_cdk as cdk
import pytest

from stacks import DEV, PROD, STAGES, STAGING, StageConfig, StageConfigError, resolve_stages
from stacks.zones import zone_id_prefix
from tests.support.cdk_app import ROOT, cli_context


def test_three_stages_in_deployment_order() -> None:
    assert list(STAGES) == ["dev", "staging", "prod"]
    assert [c.stage_id for c in STAGES.values()] == ["Dev", "Staging", "Prod"]


def test_stage_differences_live_in_the_config() -> None:
    assert DEV.cdk_removal_policy == cdk.RemovalPolicy.DESTROY
    assert DEV.destroy_on_delete
    assert PROD.cdk_removal_policy == cdk.RemovalPolicy.RETAIN
    assert not PROD.destroy_on_delete
    assert (DEV.point_in_time_recovery, PROD.point_in_time_recovery) == (False, True)
    assert DEV.log_retention_days < STAGING.log_retention_days < PROD.log_retention_days
    assert [c.flag("log_event_payloads") for c in (DEV, STAGING, PROD)] == [True, True, False]
    assert [c.deployment_preference for c in (DEV, STAGING, PROD)] == [
        "AllAtOnce",
        "Linear10PercentEvery1Minute",
        "Canary10Percent5Minutes",
    ]
    assert PROD.termination_protection
    assert not DEV.termination_protection


def test_environment_agnostic_without_account_and_region() -> None:
    assert DEV.environment is None
    env = DEV.with_overrides({"account": "123456789012", "region": "eu-west-1"}).environment
    assert env is not None
    assert (env.account, env.region) == ("123456789012", "eu-west-1")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"account": "12345"}, "account"),
        ({"region": "Europe"}, "region"),
        ({"log_retention_days": -1}, "log_retention_days"),
        ({"log_retention_days": 10}, "log_retention_days"),
        ({"lambda_memory_mb": 64}, "lambda_memory_mb"),
        ({"lambda_timeout_seconds": 901}, "lambda_timeout_seconds"),
        ({"removal_policy": "snapshot"}, "removal_policy"),
        ({"deployment_preference": "Canary50Percent"}, "deployment_preference"),
        ({"feature_flags": {"dark_mode": True}}, "feature_flags"),
        ({"feature_flags": {"debug_logging": "yes"}}, "feature_flags"),
        ({"alarm_email": "not-an-address"}, "alarm_email"),
        ({"triggers_enabled": "off"}, "triggers_enabled"),
        ({"table_backups": "yes"}, "table_backups"),
        ({"stream_shards": 0}, "stream_shards"),
        ({"stream_shards": "2"}, "stream_shards"),
        ({"stream_batch_size": 10_001}, "stream_batch_size"),
        ({"stream_batching_window_seconds": -1}, "stream_batching_window_seconds"),
        # The aggregator keeps its last 5 s for its answer: 5 s would leave it none to count.
        ({"stream_consumer_timeout_seconds": 5}, "stream_consumer_timeout_seconds"),
        ({"ingest_rate_limit": "12000"}, "ingest_rate_limit"),
        ({"ingest_burst_limit": 0}, "ingest_burst_limit"),
        ({"ingest_batch_rate_limit": 0}, "ingest_batch_rate_limit"),
        ({"counts_warm_writes_per_second": 1_000}, "counts_warm_writes_per_second"),
        ({"stream_consumer_memory_mb": 64}, "stream_consumer_memory_mb"),
        ({"colour": "blue"}, "colour"),
        ({"compliance_packs": ["NIST"]}, "compliance_packs"),
        ({"compliance_packs": ["HIPAA.Security"]}, "compliance_packs"),
        ({"compliance_packs": "AwsSolutions"}, "compliance_packs"),
        ({"customer_managed_keys": "yes"}, "customer_managed_keys"),
        ({"reserved_concurrency": 0}, "reserved_concurrency"),
        ({"reserved_concurrency": True}, "reserved_concurrency"),
        ({"api_cache_ttl_seconds": 3601}, "api_cache_ttl_seconds"),
        ({"private_network": "yes"}, "private_network"),
        ({"workflow_log_level": "DEBUG"}, "workflow_log_level"),
        ({"tracing": "opentelemetry"}, "tracing"),
        ({"tracing": "ACTIVE"}, "tracing"),
        ({"workflow_log_execution_data": "no"}, "workflow_log_execution_data"),
        # The stricter packs come with what they need, or the stage is refused.
        ({"compliance_packs": ["AwsSolutions", "PCI.DSS.321"]}, "compliance_packs"),
    ],
)
def test_invalid_setting_names_stage_and_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(StageConfigError, match=rf"stage 'staging': {field}: "):
        STAGING.with_overrides(overrides)


def test_unknown_stage_name_is_rejected() -> None:
    with pytest.raises(StageConfigError, match="unknown stage 'qa'; stages: dev, staging, prod"):
        resolve_stages({"qa": {}})
    with pytest.raises(StageConfigError, match="unknown stage 'test'"):
        resolve_stages(None, only="test")


def test_overrides_merge_feature_flags_and_select_a_stage() -> None:
    [prod] = resolve_stages({"prod": {"feature_flags": {"debug_logging": True}}}, only="prod")
    assert prod.flag("debug_logging") is True
    assert prod.flag("log_event_payloads") is False
    assert prod.name == "prod"


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        DEV.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEV.feature_flags["debug_logging"] = False  # type: ignore[index]


def test_bad_stage_name() -> None:
    with pytest.raises(StageConfigError, match="stage name must be lower-case"):
        StageConfig(name="Prod!")


def test_app_fails_synthesis_with_one_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**os.environ, "CDK_CONTEXT_JSON": '{"stages": {"prod": {"account": "42"}}}'},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Invalid stage configuration: stage 'prod': account: "
        "must be a 12-digit AWS account id, got '42'"
    )


MULTI_REGION = {
    "account": "111111111111",
    "region": "us-east-1",
    "secondary_region": "us-west-2",
    "witness_region": "us-east-2",
    "api_domain_name": "api.shop.example.com",
    "hosted_zone_id": "Z0123456789EXAMPLE",
    "hosted_zone_name": "shop.example.com",
}


def test_a_secondary_region_with_domain_and_zone() -> None:
    config = STAGING.with_overrides(MULTI_REGION)
    assert config.api_routing == "latency"
    env = config.secondary_environment
    assert env is not None
    assert (env.account, env.region) == ("111111111111", "us-west-2")
    assert STAGING.secondary_environment is None
    assert config.with_overrides({"api_routing": "failover"}).api_routing == "failover"


def test_prod_gets_example_regions_from_cdk_json_only() -> None:
    # The code holds no account id: prod's constant is environment-agnostic.
    assert (PROD.account, PROD.region, PROD.secondary_region) == (None, None, None)
    [prod] = resolve_stages(cli_context()["stages"], only="prod")
    assert (prod.account, prod.region, prod.secondary_region) == MULTI_REGION_ENV
    assert prod.api_domain_name == "api.shop.example.com"
    for name in ("dev", "staging"):
        [config] = resolve_stages(cli_context()["stages"], only=name)
        assert (config.environment, config.secondary_region) == (None, None)


MULTI_REGION_ENV = ("111111111111", "us-east-1", "us-west-2")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"secondary_region": "Oregon"}, "secondary_region", "must be an AWS region"),
        ({"account": None}, "secondary_region", "needs an explicit account and region"),
        ({"region": None}, "secondary_region", "needs an explicit account and region"),
        ({"secondary_region": "us-east-1"}, "secondary_region", "must differ from the primary"),
        ({"api_domain_name": None}, "api_domain_name", "is required with a secondary_region"),
        ({"hosted_zone_id": None}, "hosted_zone_id", "is required with a secondary_region"),
        ({"hosted_zone_name": None}, "hosted_zone_name", "is required with a secondary_region"),
        (
            {"api_domain_name": "API.shop.example.com"},
            "api_domain_name",
            "must be a lower-case DNS",
        ),
        ({"hosted_zone_name": "shop"}, "hosted_zone_name", "must be a lower-case DNS name"),
        (
            {"api_domain_name": "api.other.example"},
            "api_domain_name",
            "must be a name inside the zone",
        ),
        ({"hosted_zone_id": "zone-1"}, "hosted_zone_id", "must be a Route 53 zone id"),
        ({"api_routing": "weighted"}, "api_routing", "must be one of latency, failover"),
        (
            {"secondary_region": None},
            "api_domain_name",
            "is only used with a secondary_region",
        ),
        (
            {"storefront_domain_name": "www.other.example"},
            "storefront_domain_name",
            "must be a name inside the zone",
        ),
        (
            {
                "storefront_domain_name": "www.shop.example.com",
                "region": "eu-west-1",
                "secondary_region": "eu-west-2",
                "witness_region": "eu-west-3",
            },
            "storefront_domain_name",
            "needs region 'us-east-1'",
        ),
        ({"witness_region": None}, "witness_region", "is required with a secondary_region"),
        ({"witness_region": "us-west-2"}, "witness_region", "must differ from the table's"),
        ({"witness_region": "eu-west-1"}, "witness_region", "the two regions and the witness must"),
        (
            {"secondary_region": "eu-west-1"},
            "witness_region",
            r"the two regions and the witness must come from one Region set, "
            r"got us-east-1 \(US\), eu-west-1 \(EU\), us-east-2 \(US\)",
        ),
        (
            {"secondary_region": "sa-east-1"},
            "witness_region",
            "region.s. sa-east-1 are in no Region set",
        ),
        (
            {"secondary_region": None, "api_domain_name": None},
            "witness_region",
            "is only used with a secondary_region",
        ),
        (
            {
                "secondary_region": None,
                "witness_region": None,
                "api_domain_name": None,
                "hosted_zone_name": None,
            },
            "hosted_zone_id",
            "is only used with a secondary_region or storefront_domain_name",
        ),
    ],
)
def test_invalid_multi_region_setting_names_stage_and_field(
    overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(StageConfigError, match=rf"stage 'staging': {field}: {message}"):
        STAGING.with_overrides({**MULTI_REGION, **overrides})


def test_a_storefront_domain_needs_a_zone_and_us_east_1() -> None:
    site = {"storefront_domain_name": "www.shop.example.com", "region": "us-east-1"}
    with pytest.raises(StageConfigError, match="hosted_zone_id: is required with a storefront"):
        STAGING.with_overrides(site)
    zone = {"hosted_zone_id": "Z0123456789EXAMPLE", "hosted_zone_name": "shop.example.com"}
    assert (
        STAGING.with_overrides({**site, **zone}).storefront_domain_name
        == site["storefront_domain_name"]
    )


def test_regulated_stages_need_keys_and_reserved_concurrency() -> None:
    regulated = STAGING.with_overrides(
        {
            "compliance_packs": ["AwsSolutions", "HIPAA.Security"],
            "customer_managed_keys": True,
            "reserved_concurrency": 20,
            "private_network": True,
        }
    )
    assert regulated.regulated
    assert not STAGING.regulated
    assert regulated.compliance_packs == ("AwsSolutions", "HIPAA.Security")
    for setting, off in (
        ("customer_managed_keys", False),
        ("reserved_concurrency", None),
        ("private_network", False),
    ):
        with pytest.raises(StageConfigError, match=setting):
            regulated.with_overrides({setting: off})


ZONES = {"us-east-1": ["use1-az1", "use1-az4"], "us-west-2": ["usw2-az1", "usw2-az2"]}


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        ({"eu-west-1": ["euw1-az1", "euw1-az2"]}, "names region 'eu-west-1', which the stage"),
        ({"us-east-1": ["usw2-az1", "usw2-az2"]}, "'usw2-az1' is not a zone id of us-east-1"),
        ({"us-east-1": ["us-east-1a", "us-east-1b"]}, "is not a zone id of us-east-1"),
        ({"us-east-1": ["use1-az1"]}, "must name at least 2 different zones"),
        ({"us-east-1": ["use1-az1", "use1-az1"]}, "must name at least 2 different zones"),
        ({"us-east-1": "use1-az1"}, "must be a list of zone ids"),
        (["use1-az1"], "must be an object"),
    ],
)
def test_invalid_zone_ids_name_stage_and_field(zones: Any, message: str) -> None:
    with pytest.raises(StageConfigError, match=rf"availability_zone_ids: .*{message}"):
        STAGING.with_overrides({**MULTI_REGION, "availability_zone_ids": zones})


def test_zone_ids_of_both_regions_are_accepted_and_the_prefix_follows_the_region() -> None:
    config = STAGING.with_overrides({**MULTI_REGION, "availability_zone_ids": ZONES})
    assert config.zone_ids("us-west-2") == ("usw2-az1", "usw2-az2")
    assert config.zone_ids("eu-west-1") is None
    prefixes = {r: zone_id_prefix(r) for r in ("ap-southeast-2", "us-gov-west-1", "eu-central-1")}
    assert prefixes == {"ap-southeast-2": "apse2", "us-gov-west-1": "usgw1", "eu-central-1": "euc1"}
