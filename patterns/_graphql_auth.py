"""Authorization modes of a ``GraphqlApi``: the checks of the arguments that configure them
and the ``AuthorizationConfig`` AppSync gets."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from patterns._validation import check_duration
from patterns.choices import GraphqlAuth, values

_TYPES = {
    "user_pool": appsync.AuthorizationType.USER_POOL,
    "iam": appsync.AuthorizationType.IAM,
    "api_key": appsync.AuthorizationType.API_KEY,
    "lambda": appsync.AuthorizationType.LAMBDA,
}
#: AppSync accepts an API key that expires 1 to 365 days after it is created or updated.
API_KEY_MIN_DAYS, API_KEY_MAX_DAYS = 1, 365
#: AppSync caches a Lambda authorizer's answer for at most an hour.
MAX_AUTHORIZER_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class AuthModes:
    """``GraphqlApi``'s authorization arguments: the default mode, the additional ones and
    what each needs."""

    default: str
    additional: Sequence[str]
    user_pool: cognito.IUserPool | None
    authorizer: lambda_.IFunction | None
    api_key_expires: cdk.Expiration | None
    authorizer_cache_ttl: cdk.Duration

    def check(self, now: datetime.datetime | None = None) -> None:
        """``ValueError`` naming the argument when the modes and what they need disagree."""
        _check_modes(self, now or datetime.datetime.now(datetime.UTC))

    def config(self) -> appsync.AuthorizationConfig:
        """The default mode and the additional ones, as ``GraphqlApi`` takes them."""
        return appsync.AuthorizationConfig(
            default_authorization=self._mode(self.default),
            additional_authorization_modes=[self._mode(name) for name in self.additional],
        )

    def _mode(self, name: str) -> appsync.AuthorizationMode:
        user_pool, authorizer = self.user_pool, self.authorizer
        return appsync.AuthorizationMode(
            authorization_type=_TYPES[name],
            user_pool_config=(
                appsync.UserPoolConfig(user_pool=user_pool)
                if name == "user_pool" and user_pool is not None
                else None
            ),
            lambda_authorizer_config=(
                appsync.LambdaAuthorizerConfig(
                    handler=authorizer, results_cache_ttl=self.authorizer_cache_ttl
                )
                if name == "lambda" and authorizer is not None
                else None
            ),
            api_key_config=(
                appsync.ApiKeyConfig(expires=self.api_key_expires) if name == "api_key" else None
            ),
        )


def _check_modes(modes_given: AuthModes, now: datetime.datetime) -> None:
    default, additional = modes_given.default, modes_given.additional
    allowed = values(GraphqlAuth)
    if isinstance(additional, str):
        raise TypeError(
            f"additional_authorization must be a sequence of modes, not the string {additional!r}"
        )
    for name, mode in (
        ("default_authorization", default),
        *((f"additional_authorization[{i}]", m) for i, m in enumerate(additional)),
    ):
        if mode not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {mode!r}")
    modes = [default, *additional]
    repeated = sorted({mode for mode in modes if modes.count(mode) > 1})
    if repeated:
        raise ValueError(
            f"authorization mode(s) {', '.join(repeated)} given more than once (default "
            f"{default!r}, additional {list(additional)!r}): AppSync takes each mode once"
        )
    for mode, given, argument in (
        ("user_pool", modes_given.user_pool, "user_pool"),
        ("lambda", modes_given.authorizer, "authorizer"),
        ("api_key", modes_given.api_key_expires, "api_key_expires"),
    ):
        if mode in modes and given is None:
            raise ValueError(f"authorization mode {mode!r} needs {argument}, which is None")
        if mode not in modes and given is not None:
            raise ValueError(
                f"{argument} is given but {mode!r} is neither default_authorization nor in "
                "additional_authorization: add the mode or drop the argument"
            )
    check_duration(
        "authorizer_cache_ttl", modes_given.authorizer_cache_ttl, 0, MAX_AUTHORIZER_CACHE_SECONDS
    )
    if modes_given.api_key_expires is not None:
        check_api_key_expiry(modes_given.api_key_expires, now)


def check_api_key_expiry(expires: cdk.Expiration, now: datetime.datetime) -> None:
    """``ValueError`` unless ``expires`` lies 1 to 365 days after ``now`` (AppSync refuses
    any other key, at deployment)."""
    if not isinstance(expires, cdk.Expiration):
        raise TypeError(
            f"api_key_expires must be an aws_cdk.Expiration, got {expires!r} "
            f"({type(expires).__name__})"
        )
    days = (expires.to_epoch() - now.timestamp()) / 86400
    if not API_KEY_MIN_DAYS <= days <= API_KEY_MAX_DAYS:
        when = datetime.datetime.fromtimestamp(expires.to_epoch(), datetime.UTC)
        raise ValueError(
            f"api_key_expires must be {API_KEY_MIN_DAYS} to {API_KEY_MAX_DAYS} days from now "
            f"(AppSync's limits), got {when.isoformat()} ({days:.1f} days from now); give a "
            "fixed date (cdk.Expiration.at_date) and renew it, so synthesis stays repeatable"
        )
