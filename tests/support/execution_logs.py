"""What Step Functions writes to a state machine's execution log, from its logging settings.

Step Functions logs history events by level (the Step Functions developer guide, "Log
levels"): ``ALL`` every event, ``ERROR`` the failure events, ``FATAL`` only the
execution's own failure, ``OFF`` nothing; ``IncludeExecutionData: false`` leaves out the
states' inputs and outputs (and the error cause, which can quote them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The execution's own end in failure: logged at FATAL and above.
FATAL_EVENTS = frozenset({"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"})
#: Every failure event: logged at ERROR and above.
ERROR_EVENTS = FATAL_EVENTS | {
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "MapIterationFailed",
    "MapRunFailed",
    "ParallelStateFailed",
}
#: Fields of an event that carry the execution's data.
DATA_FIELDS = ("input", "output", "cause")


def logged_events(
    logging: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The log records an execution with ``history`` (events with a ``type``) produces
    under ``logging`` (a state machine's ``LoggingConfiguration``)."""
    level = logging.get("Level", "OFF")
    if not logging.get("Destinations"):
        return []
    if level == "ALL":
        kept = list(history)
    elif level == "ERROR":
        kept = [e for e in history if e["type"] in ERROR_EVENTS]
    elif level == "FATAL":
        kept = [e for e in history if e["type"] in FATAL_EVENTS]
    else:
        kept = []
    with_data = logging.get("IncludeExecutionData", False)
    return [{k: v for k, v in event.items() if with_data or k not in DATA_FIELDS} for event in kept]
