"""CodeDeploy's nine predefined Lambda traffic-shifting configurations, by name."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import aws_codedeploy as codedeploy

_Config = codedeploy.LambdaDeploymentConfig

#: SAM ``DeploymentPreference.Type`` names -> CodeDeploy configurations.
DEPLOYMENT_CONFIGS: Mapping[str, codedeploy.ILambdaDeploymentConfig] = MappingProxyType(
    {
        "AllAtOnce": _Config.ALL_AT_ONCE,
        "Canary10Percent5Minutes": _Config.CANARY_10_PERCENT_5_MINUTES,
        "Canary10Percent10Minutes": _Config.CANARY_10_PERCENT_10_MINUTES,
        "Canary10Percent15Minutes": _Config.CANARY_10_PERCENT_15_MINUTES,
        "Canary10Percent30Minutes": _Config.CANARY_10_PERCENT_30_MINUTES,
        "Linear10PercentEvery1Minute": _Config.LINEAR_10_PERCENT_EVERY_1_MINUTE,
        "Linear10PercentEvery2Minutes": _Config.LINEAR_10_PERCENT_EVERY_2_MINUTES,
        "Linear10PercentEvery3Minutes": _Config.LINEAR_10_PERCENT_EVERY_3_MINUTES,
        "Linear10PercentEvery10Minutes": _Config.LINEAR_10_PERCENT_EVERY_10_MINUTES,
    }
)


def deployment_config(name: str) -> codedeploy.ILambdaDeploymentConfig:
    """The predefined configuration called ``name`` (SAM's spelling), else ``ValueError``."""
    try:
        return DEPLOYMENT_CONFIGS[name]
    except KeyError:
        raise ValueError(
            f"deployment preference must be one of {', '.join(DEPLOYMENT_CONFIGS)}; got {name!r}"
        ) from None
