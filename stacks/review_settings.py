"""The order-review settings of a ``StageConfig`` and their checks (the workflow that
applies them is ``stacks/order_review.py``)."""

from __future__ import annotations

from collections.abc import Callable

from stacks.stage_fields import StageConfigError, StageFields

#: A standard workflow's longest execution, which bounds a review's wait.
MAX_REVIEW_HOURS = 365 * 24


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_review_settings(
    config: StageFields, fail: Callable[[StageFields, str, str], StageConfigError]
) -> None:
    """Raise ``fail(config, field, message)`` for the first invalid order-review setting."""
    above = config.order_review_above_cents
    if above is not None and (not _is_int(above) or above < 0):
        raise fail(
            config,
            "order_review_above_cents",
            f"must be null (no review) or a whole number of cents >= 0, got {above!r}",
        )
    hours = config.order_review_hours
    if not _is_int(hours) or not 1 <= hours <= MAX_REVIEW_HOURS:
        raise fail(
            config,
            "order_review_hours",
            f"must be an integer 1..{MAX_REVIEW_HOURS} (a standard workflow's year), got {hours!r}",
        )
    beat = config.order_review_heartbeat_hours
    if beat is not None and (not _is_int(beat) or not 1 <= beat < hours):
        raise fail(
            config,
            "order_review_heartbeat_hours",
            f"must be null or an integer from 1 to less than order_review_hours ({hours}), "
            f"got {beat!r}",
        )
