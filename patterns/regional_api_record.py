"""``RegionalApiRecord``: one region's API behind a shared name, with a health check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_route53 as route53
from constructs import Construct

from patterns._aws_limits import check_region
from patterns._metadata import mark_pattern
from patterns._types import checked
from patterns._validation import check_choice, check_range, is_token, present
from patterns.api_domain import check_domain_name
from patterns.choices import FailoverRole, RoutingPolicy, values

#: Routing policies: ``latency`` (nearest healthy region) or ``failover`` (primary first).
ROUTING_POLICIES = values(RoutingPolicy)
#: Roles of a record in a failover pair.
FAILOVER_ROLES = {"primary": route53.Failover.PRIMARY, "secondary": route53.Failover.SECONDARY}
#: Seconds between two checks of one Route 53 health checker (the two values it accepts).
REQUEST_INTERVALS = (10, 30)

__all__ = ["FAILOVER_ROLES", "ROUTING_POLICIES", "RegionalApiRecord"]


@jsii.implements(route53.IAliasRecordTarget)
class _DomainAlias:
    """An alias to an API Gateway domain that evaluates target health (CDK's
    ``ApiGatewayDomain`` target does not; Route 53 requires it of failover aliases)."""

    def __init__(self, domain: apigateway.IDomainName) -> None:
        self._domain = domain

    def bind(
        self, record: route53.IRecordSet, zone: route53.IHostedZone | None = None
    ) -> route53.AliasRecordTargetConfig:
        del record, zone
        return route53.AliasRecordTargetConfig(
            dns_name=self._domain.domain_name_alias_domain_name,
            hosted_zone_id=self._domain.domain_name_alias_hosted_zone_id,
            evaluate_target_health=True,
        )


class RegionalApiRecord(Construct):
    """Puts one region's API behind a name shared by all regions.

    A Route 53 alias A record named ``domain``'s name points at that region's API Gateway
    domain name, with a ``latency`` routing policy (the record's region and a set
    identifier; callers reach the region nearest to them) or a ``failover`` one (role
    ``primary`` or ``secondary``: the secondary answers only while the primary's health
    check fails). An HTTPS health check calls ``GET /<stage><health_path>`` on the regional
    ``execute-api`` endpoint of ``stage`` (not the shared name, so each region is checked
    on its own); Route 53 stops answering with a region whose check fails. Create one per
    region, in the stack of that region, all with the same domain name and zone.

    Children: ``HealthCheck``, ``Resource`` (the ``ARecord``).

    :param domain: the region's custom domain (``ApiCustomDomain.domain`` or an imported
        ``apigateway.DomainName.from_domain_name_attributes``).
    :param hosted_zone: the public zone holding the shared name.
    :param stage: the region's API stage that the health check calls.
    :param routing: ``latency`` or ``failover``. Default: ``"latency"``.
    :param failover_role: ``primary`` or ``secondary``; required with ``failover`` and not
        allowed with ``latency``. Default: none.
    :param region: the region of the API (the latency record's region). Default: the
        stack's region, which must then be explicit.
    :param set_identifier: tells this region's record from the others. Default: the region
        (latency) or the failover role.
    :param health_path: path of the health route, under the stage; on a ``ServerlessApi``
        serve it with ``Route(..., health_check=True)``, so that no stage cache answers
        the check for a region that has broken since. Default: ``"/health"``.
    :param failure_threshold: consecutive failed (or passed) checks that change the status,
        1..10. Default: 3.
    :param request_interval: seconds between checks of each checker, 10 or 30. Default: 30.
    :param record_props: escape hatch merged last into ``route53.ARecord``. Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: apigateway.IDomainName,
        hosted_zone: route53.IHostedZone,
        stage: apigateway.IStage,
        routing: RoutingPolicy = "latency",
        failover_role: FailoverRole | None = None,
        region: str | None = None,
        set_identifier: str | None = None,
        health_path: str = "/health",
        failure_threshold: int = 3,
        request_interval: int = 30,
        record_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        check_region("region", region)
        region = region or cdk.Stack.of(self).region
        check_choice("routing", routing, ROUTING_POLICIES)
        if routing == "failover":
            if failover_role is None:
                raise ValueError("routing='failover' needs failover_role 'primary' or 'secondary'")
            check_choice("failover_role", failover_role, FAILOVER_ROLES)
        elif failover_role is not None:
            raise ValueError(
                f"failover_role is only for routing='failover', got {failover_role!r} "
                f"with routing={routing!r}"
            )
        if routing == "latency" and is_token(region):
            raise ValueError(
                "a latency record needs a known region: give region or put the stack in an "
                "explicit environment"
            )
        check_domain_name("domain", domain.domain_name, hosted_zone)
        if not isinstance(health_path, str) or not health_path.startswith("/"):
            raise ValueError(f"health_path must start with '/', got {health_path!r}")
        check_range("failure_threshold", failure_threshold, 1, 10)
        if request_interval not in REQUEST_INTERVALS:
            raise ValueError(
                f"request_interval must be 10 or 30 (seconds), got {request_interval!r}"
            )

        #: The HTTPS health check of this region's API.
        self.health_check = route53.HealthCheck(
            self,
            "HealthCheck",
            type=route53.HealthCheckType.HTTPS,
            fqdn=f"{stage.rest_api.rest_api_id}.execute-api.{region}.{cdk.Aws.URL_SUFFIX}",
            resource_path=f"/{stage.stage_name}{health_path}",
            failure_threshold=failure_threshold,
            request_interval=cdk.Duration.seconds(request_interval),
        )
        props: dict[str, Any] = {
            "zone": hosted_zone,
            # Fully qualified (trailing dot): the name may be a token CDK cannot compare
            # with the zone's name, and would otherwise suffix with it once more.
            "record_name": f"{domain.domain_name}.",
            "target": route53.RecordTarget.from_alias(_DomainAlias(domain)),
            "health_check": self.health_check,
            "set_identifier": set_identifier or (failover_role or region),
        }
        if routing == "latency":
            props["region"] = region
        else:
            props["failover"] = FAILOVER_ROLES[present(failover_role, "failover_role")]
        props.update(record_props or {})
        #: The alias record of this region.
        self.record = route53.ARecord(self, "Resource", **props)
