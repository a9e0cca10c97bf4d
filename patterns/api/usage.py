"""Usage plans: API keys with quotas and throttles for metering third-party callers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from aws_cdk import aws_apigateway as apigateway
from constructs import Construct

from patterns._validation import check_choice
from patterns.api.routes import Throttle

_PERIODS = {
    "DAY": apigateway.Period.DAY,
    "WEEK": apigateway.Period.WEEK,
    "MONTH": apigateway.Period.MONTH,
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")


@dataclasses.dataclass(frozen=True)
class ApiUsagePlan:
    """A usage plan of the API's stage, and the API keys that belong to it.

    :param name: PascalCase name; the plan's construct id is ``<name>UsagePlan``.
    :param throttle: the plan's own rate and burst per key. Default: the stage's.
    :param quota: requests per key per ``quota_period``, >= 0. Default: no quota.
    :param quota_period: ``DAY``, ``WEEK`` or ``MONTH``. Default: ``"MONTH"``.
    :param api_keys: names of the keys created for the plan (API Gateway generates their
        values, so no secret is in the template). Default: one key, ``("Default",)``.
    """

    name: str
    throttle: Throttle | None = None
    quota: int | None = None
    quota_period: str = "MONTH"
    api_keys: tuple[str, ...] = ("Default",)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(
                f"usage plan name must be letters and digits starting with a letter, "
                f"got {self.name!r}"
            )
        if self.quota is not None:
            if isinstance(self.quota, bool) or not isinstance(self.quota, int):
                raise TypeError(f"usage plan {self.name}: quota must be an int, got {self.quota!r}")
            if self.quota < 0:
                raise ValueError(f"usage plan {self.name}: quota must be >= 0, got {self.quota}")
        check_choice(f"usage plan {self.name}: quota_period", self.quota_period, _PERIODS)
        if isinstance(self.api_keys, str):
            raise TypeError(f"usage plan {self.name}: api_keys must be a sequence of names")
        object.__setattr__(self, "api_keys", tuple(self.api_keys))
        for key in self.api_keys:
            if not isinstance(key, str) or not _NAME.match(key):
                raise ValueError(f"usage plan {self.name}: bad API key name {key!r}")
        if len(set(self.api_keys)) != len(self.api_keys):
            raise ValueError(f"usage plan {self.name}: duplicate API key names")

    def quota_settings(self) -> apigateway.QuotaSettings | None:
        """The plan's quota for CDK, or ``None``."""
        if self.quota is None:
            return None
        return apigateway.QuotaSettings(limit=self.quota, period=_PERIODS[self.quota_period])

    def throttle_settings(self) -> apigateway.ThrottleSettings | None:
        """The plan's throttle for CDK, or ``None``."""
        if self.throttle is None:
            return None
        return apigateway.ThrottleSettings(
            rate_limit=self.throttle.rate_limit, burst_limit=self.throttle.burst_limit
        )


def add_usage_plan(
    scope: Construct,
    api: apigateway.RestApi,
    spec: ApiUsagePlan,
    keys: dict[str, apigateway.IApiKey],
) -> apigateway.UsagePlan:
    """Create the plan on ``api``'s stage and its keys (added to ``keys`` as plan/key)."""
    plan = api.add_usage_plan(
        f"{spec.name}UsagePlan",
        description=f"{spec.name} usage plan of {scope.node.path}",
        quota=spec.quota_settings(),
        throttle=spec.throttle_settings(),
    )
    plan.add_api_stage(stage=api.deployment_stage)
    for key_name in spec.api_keys:
        key = apigateway.ApiKey(
            scope, f"{spec.name}{key_name}ApiKey", description=f"{spec.name} {key_name}"
        )
        plan.add_api_key(key)
        keys[f"{spec.name}/{key_name}"] = key
    return plan


def check_plans(plans: Sequence[ApiUsagePlan] | None) -> list[ApiUsagePlan]:
    """The plans as a list; ``TypeError``/``ValueError`` for wrong types or duplicate names."""
    result = list(plans or ())
    for plan in result:
        if not isinstance(plan, ApiUsagePlan):
            raise TypeError(
                f"usage_plans must hold ApiUsagePlan objects, got {type(plan).__name__}"
            )
    names = [plan.name for plan in result]
    if len(set(names)) != len(names):
        raise ValueError(f"usage plan names must be unique, got {names}")
    return result
