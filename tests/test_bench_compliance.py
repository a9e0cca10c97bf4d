"""The compliance benchmark compares the same Prod stage with and without HIPAA/PCI."""

from __future__ import annotations

from typing import Any

from stacks import resolve_stages
from tools import bench_compliance


def _prod(context: dict[str, Any]) -> Any:
    [config] = resolve_stages(overrides=context["stages"], only=context["stage"])
    return config


def test_both_runs_synthesize_prod_and_differ_only_in_packs() -> None:
    full = _prod(bench_compliance._prod_context(None))
    lean = _prod(bench_compliance._prod_context(["AwsSolutions"]))
    assert full.name == lean.name == "prod"
    assert full.compliance_packs == ("AwsSolutions", "HIPAA.Security", "PCI.DSS.321")
    assert lean.compliance_packs == ("AwsSolutions",)
    assert full.secondary_region == lean.secondary_region is not None
    assert full.reserved_concurrency == lean.reserved_concurrency
