"""Authorization of a ``ServerlessApi``'s routes: none, IAM, Cognito or a Lambda authorizer."""

from __future__ import annotations

import dataclasses
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from patterns._imported import check_invocable
from patterns._types import check_fields
from patterns._validation import check_choice, check_duration, present
from patterns.api.routes import RouteTarget
from patterns.choices import AuthorizerType, values
from patterns.serverless_function import ServerlessFunction

#: Kinds of Lambda authorizer: ``token`` reads one header, ``request`` sees the request.
AUTHORIZER_TYPES = frozenset(values(AuthorizerType))


def is_function(value: object) -> bool:
    """True for a ``ServerlessFunction`` or a ``lambda_.IFunction``."""
    return isinstance(value, ServerlessFunction) or hasattr(value, "function_arn")


def invoked(target: RouteTarget) -> lambda_.IFunction:
    """What API Gateway invokes: a ``ServerlessFunction``'s ``live`` alias, else the function."""
    return target.alias if isinstance(target, ServerlessFunction) else target


@dataclasses.dataclass(frozen=True, kw_only=True)
class LambdaAuthorizer:
    """A custom authorizer function and how API Gateway calls and caches it.

    :param function: a ``ServerlessFunction`` or ``lambda_.IFunction`` returning an IAM
        policy for the caller.
    :param type: ``token`` (one header, e.g. a bearer token) or ``request`` (headers,
        query string, context). Default: ``"token"``.
    :param identity_sources: where the identity is read from, e.g.
        ``("method.request.header.Authorization",)``; also the cache key.
        Default: the ``Authorization`` header.
    :param results_cache_ttl: how long API Gateway caches a decision, 0..3600 s (0 turns
        caching off). Default: 5 minutes.
    """

    function: RouteTarget
    type: AuthorizerType = "token"
    identity_sources: tuple[str, ...] = ("method.request.header.Authorization",)
    results_cache_ttl: cdk.Duration = dataclasses.field(
        default_factory=lambda: cdk.Duration.minutes(5)
    )

    def __post_init__(self) -> None:
        check_fields(self, "authorizer")
        if not is_function(self.function):
            raise ValueError(
                "authorizer function must be a ServerlessFunction or a lambda_.IFunction, "
                f"got {type(self.function).__name__}"
            )
        check_choice("authorizer type", self.type, AUTHORIZER_TYPES)
        check_duration("results_cache_ttl", self.results_cache_ttl, 0, 3600)
        if isinstance(self.identity_sources, str) or not self.identity_sources:
            raise ValueError("identity_sources must be a non-empty sequence of sources")
        if self.type == "token" and len(self.identity_sources) != 1:
            raise ValueError(
                f"a token authorizer reads one header; got identity_sources "
                f"{list(self.identity_sources)}"
            )
        object.__setattr__(self, "identity_sources", tuple(self.identity_sources))


class Authorization:
    """Builds each route's authorization options, creating authorizers on first use.

    An authorizer that no method uses fails synthesis in CDK, hence the lazy creation.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        user_pool: cognito.IUserPool | None,
        create_user_pool: bool,
        authorizer: LambdaAuthorizer | RouteTarget | None,
        removal_policy: cdk.RemovalPolicy,
        password_sign_in: bool = False,
    ) -> None:
        self._scope = scope
        if authorizer is not None and not isinstance(authorizer, LambdaAuthorizer):
            if not is_function(authorizer):
                raise ValueError(
                    "authorizer must be a LambdaAuthorizer, a ServerlessFunction or a "
                    f"lambda_.IFunction, got {type(authorizer).__name__}"
                )
            authorizer = LambdaAuthorizer(function=authorizer)
        if user_pool is not None and create_user_pool:
            raise ValueError("give user_pool or create_user_pool=True, not both")
        if password_sign_in and not create_user_pool:
            raise ValueError(
                "password_sign_in=True configures the app client of a created user pool: "
                "it needs create_user_pool=True (a given pool's clients are its owner's)"
            )
        self._lambda = authorizer
        self._cognito_authorizer: apigateway.IAuthorizer | None = None
        self._lambda_authorizer: apigateway.IAuthorizer | None = None
        self.user_pool_client: cognito.UserPoolClient | None = None
        self.user_pool = user_pool
        if create_user_pool:
            self.user_pool = _new_user_pool(scope, removal_policy)
            self.user_pool_client = self.user_pool.add_client(
                "UserPoolClient",
                # USER_PASSWORD_AUTH sends the password to Cognito over TLS instead of
                # proving it with SRP: only when asked, for pages without an SRP library.
                auth_flows=cognito.AuthFlow(user_srp=True, user_password=password_sign_in),
                prevent_user_existence_errors=True,
            )

    @property
    def authorizer_function(self) -> RouteTarget | None:
        """The Lambda authorizer's function, if one is configured."""
        return self._lambda.function if isinstance(self._lambda, LambdaAuthorizer) else None

    def check(self, auth: str, where: str) -> None:
        """``ValueError`` when ``auth`` needs something the API was not given."""
        if auth == "cognito" and self.user_pool is None:
            raise ValueError(
                f"{where} uses auth='cognito' but the API has no user pool: pass user_pool "
                "or create_user_pool=True"
            )
        if auth == "lambda" and self._lambda is None:
            raise ValueError(f"{where} uses auth='lambda' but the API has no authorizer function")

    def method_options(self, auth: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        """Keyword arguments of ``add_method`` for ``auth``."""
        if auth == "iam":
            return {"authorization_type": apigateway.AuthorizationType.IAM}
        if auth == "cognito":
            return {
                "authorization_type": apigateway.AuthorizationType.COGNITO,
                "authorizer": self._cognito(),
                "authorization_scopes": list(scopes) or None,
            }
        if auth == "lambda":
            return {
                "authorization_type": apigateway.AuthorizationType.CUSTOM,
                "authorizer": self._custom(),
            }
        return {"authorization_type": apigateway.AuthorizationType.NONE}

    def _cognito(self) -> apigateway.IAuthorizer:
        if self._cognito_authorizer is None:
            pool = present(self.user_pool, "user_pool (for cognito routes)")
            self._cognito_authorizer = apigateway.CognitoUserPoolsAuthorizer(
                self._scope, "CognitoAuthorizer", cognito_user_pools=[pool]
            )
        return self._cognito_authorizer

    def _custom(self) -> apigateway.IAuthorizer:
        if self._lambda_authorizer is None:
            spec = self._lambda
            if not isinstance(spec, LambdaAuthorizer):
                raise TypeError(f"authorizer must be a LambdaAuthorizer, got {spec!r}")
            handler = invoked(spec.function)
            check_invocable(handler, "authorizer.function", "API Gateway")
            if spec.type == "token":
                self._lambda_authorizer = apigateway.TokenAuthorizer(
                    self._scope,
                    "LambdaAuthorizer",
                    handler=handler,
                    identity_source=spec.identity_sources[0],
                    results_cache_ttl=spec.results_cache_ttl,
                )
            else:
                self._lambda_authorizer = apigateway.RequestAuthorizer(
                    self._scope,
                    "LambdaAuthorizer",
                    handler=handler,
                    identity_sources=list(spec.identity_sources),
                    results_cache_ttl=spec.results_cache_ttl,
                )
        return self._lambda_authorizer


def _new_user_pool(scope: Construct, removal_policy: cdk.RemovalPolicy) -> cognito.UserPool:
    pool = cognito.UserPool(
        scope,
        "UserPool",
        self_sign_up_enabled=False,
        sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        password_policy=cognito.PasswordPolicy(
            min_length=12,
            require_digits=True,
            require_lowercase=True,
            require_uppercase=True,
            require_symbols=True,
            temp_password_validity=cdk.Duration.days(3),
        ),
        mfa=cognito.Mfa.REQUIRED,
        mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        removal_policy=removal_policy,
        deletion_protection=removal_policy == cdk.RemovalPolicy.RETAIN,
    )
    for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
        cdk.Validations.of(pool).acknowledge(
            cdk.Acknowledgment(
                id=rule,
                reason="Threat protection needs the paid Plus feature plan; this pool has no "
                "self sign-up and requires TOTP MFA for every user.",
            )
        )
    return pool
