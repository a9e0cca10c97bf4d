"""The price table's arithmetic on fixed inputs, and DynamoDB's units from item sizes."""

from __future__ import annotations

import re

import pytest

from tools.cost import prices
from tools.cost.calls import attribute_size, item_size, read_units, write_units


def test_every_price_is_positive_with_a_unit_and_an_aws_pricing_page() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prices.TAKEN)
    for key, price in prices.PRICES.items():
        assert price.usd > 0, key
        assert price.unit, key
        assert re.fullmatch(
            r"https://aws\.amazon\.com/[a-z0-9/-]+/pricing/[a-z-/]*", price.source
        ), key


@pytest.mark.parametrize(
    ("record_bytes", "billed"),
    [(1, 5120), (140, 5120), (5120, 5120), (5121, 10240), (12_000, 15360)],
)
def test_firehose_rounds_each_record_up_to_5_kb(record_bytes: int, billed: int) -> None:
    assert prices.firehose_billed_bytes(record_bytes) == billed


@pytest.mark.parametrize(
    ("record_bytes", "units"), [(140, 1), (25 * 1024, 1), (25 * 1024 + 1, 2), (1024 * 1024, 41)]
)
def test_kinesis_put_payload_units_are_25_kb(record_bytes: int, units: int) -> None:
    assert prices.kinesis_put_units(record_bytes) == units


def test_lambda_gb_seconds_at_128_mb_for_100_ms_and_rounding_to_1_ms() -> None:
    assert prices.lambda_gb_seconds(128, 100) == pytest.approx(0.0125)
    assert prices.lambda_gb_seconds(128, 99.2) == pytest.approx(0.0125)
    one = prices.usd("lambda.arm64.gb_second", prices.lambda_gb_seconds(1024, 1000))
    assert one == prices.PRICES["lambda.arm64.gb_second"].usd


def test_api_cache_month_is_its_hourly_price_over_730_hours() -> None:
    assert prices.api_cache_month_usd("0.5") == pytest.approx(0.02 * 730)
    assert prices.api_cache_month_usd("237") == pytest.approx(3.8 * 730)
    with pytest.raises(ValueError, match=r"size_gb='0\.7'.*0\.5, 1\.6"):
        prices.api_cache_month_usd("0.7")


def test_rest_requests_go_through_the_volume_tiers() -> None:
    assert prices.rest_requests_usd(1e6) == pytest.approx(3.50)
    first_billion = 333e6 * 3.50e-6 + 667e6 * 2.80e-6
    assert prices.rest_requests_usd(1e9) == pytest.approx(first_billion)
    assert prices.rest_requests_usd(25e9) == pytest.approx(
        first_billion + 19e9 * 2.38e-6 + 5e9 * 1.51e-6
    )


def test_dynamodb_item_sizes_and_units() -> None:
    assert attribute_size({"S": "héllo"}) == 6
    assert attribute_size({"N": "12345"}) == 4
    assert item_size({"pk": {"S": "PRODUCT"}, "sk": {"S": "SKU-1"}}) == 2 + 7 + 2 + 5
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert read_units(4096, consistent=False) == 0.5
    assert read_units(4097, consistent=True) == 2
    assert read_units(0, consistent=False) == 0.5  # a miss still costs a read
