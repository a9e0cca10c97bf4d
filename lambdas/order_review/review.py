"""Order review: decisions and the order's review fields. Plain functions, no AWS calls.

An order above the stage's amount is stored ``PENDING_REVIEW``; the review workflow
(``stacks/order_review.py``) sends its task token to the review queue, whose consumer
(:mod:`order_review.inbox`) stores it on the order under :data:`TOKEN_ATTRIBUTE`. An
admin's decision (:mod:`order_review.app`) answers that token: ``approve`` and
``reject`` resume the workflow with the decision (it places or rejects the order;
a rejection is an answer, not a failed task, so its reason reaches the order) and
``hold`` sends a heartbeat (the reviewer is still looking, so the heartbeat deadline
starts again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

#: Where the order item keeps its review's task token and the execution that sent it.
TOKEN_ATTRIBUTE = "review_token"
EXECUTION_ATTRIBUTE = "review_execution"
PENDING = "PENDING_REVIEW"
#: The reason a rejection without one gives the customer.
DEFAULT_REJECTION = "rejected by a reviewer"
#: The task failure of a review request the order does not need (a second request for an
#: order that has one, or an order no longer pending); the workflow ends quietly on it.
NOT_NEEDED = "ReviewNotNeeded"
DECISIONS = ("approve", "reject", "hold")
MAX_REASON = 500

Decision = Literal["approve", "reject", "hold"]


class InvalidDecisionError(ValueError):
    """A request body that is not a decision (answered with 400)."""


@dataclass(frozen=True)
class Review:
    """An admin's decision on an order, with the reason given to the customer."""

    decision: Decision
    reason: str | None = None


def parse_review(body: Mapping[str, Any]) -> Review:
    """``{"decision": "approve"|"reject"|"hold", "reason"?: str}``."""
    decision = body.get("decision")
    if decision not in DECISIONS:
        raise InvalidDecisionError(f"decision must be one of {', '.join(DECISIONS)}")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or not 1 <= len(reason) <= MAX_REASON):
        raise InvalidDecisionError(f"reason must be a string of 1 to {MAX_REASON} characters")
    return Review(decision=decision, reason=reason)


@dataclass(frozen=True)
class ReviewRequest:
    """The review workflow's message: which order, and the token that answers it."""

    order_id: str
    task_token: str
    execution: str


def parse_request(body: Mapping[str, Any]) -> ReviewRequest:
    """The review queue's message (``stacks/order_review.py`` defines its fields)."""
    fields = [body.get(name) for name in ("order_id", "task_token", "execution")]
    if not all(isinstance(value, str) and value for value in fields):
        raise ValueError("a review request needs order_id, task_token and execution")
    order_id, token, execution = (str(value) for value in fields)
    return ReviewRequest(order_id=order_id, task_token=token, execution=execution)
