"""The reference app: a shop composed from the patterns, one ``ShopStage`` per stage."""

from stacks.config import FEATURE_FLAGS, StageConfig, StageConfigError
from stacks.stage import ShopStage
from stacks.stages import DEV, PROD, STAGES, STAGING, resolve_stages

__all__ = [
    "DEV",
    "FEATURE_FLAGS",
    "PROD",
    "STAGES",
    "STAGING",
    "ShopStage",
    "StageConfig",
    "StageConfigError",
    "resolve_stages",
]
