"""The shop table's orders and the review workflow's tasks, behind one small adapter:
the only module here that talks to AWS."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from order_review.review import EXECUTION_ATTRIBUTE, PENDING, TOKEN_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

#: The order item's key (``lambdas/orders/orders.py``).
ORDER_SORT_KEY = "ORDER"
#: What Step Functions answers for a token whose task is over (answered, timed out, or
#: its execution ended): the review is closed.
CLOSED_TASK_ERRORS = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


class ReviewClosedError(Exception):
    """The token's task no longer waits: the review was decided or ran out of time."""


def _key(order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": ORDER_SORT_KEY}


class ReviewStore:
    """Orders under review in the shop table, and answers to their workflow's tasks."""

    def __init__(self, table_name: str) -> None:
        self._table: Table = boto3.resource("dynamodb").Table(table_name)
        self._states: Any = boto3.client("stepfunctions")

    def order(self, order_id: str) -> dict[str, Any] | None:
        """The order item, or ``None``."""
        return self._table.get_item(Key=_key(order_id), ConsistentRead=True).get("Item")

    def keep_token(self, order_id: str, token: str, execution: str) -> bool:
        """Store the review's token on the pending order; False when the order is not
        pending or already holds another review's token (the same one again is fine)."""
        try:
            self._table.update_item(
                Key=_key(order_id),
                UpdateExpression="SET #token = :token, #execution = :execution",
                ConditionExpression="#status = :pending AND "
                "(attribute_not_exists(#token) OR #token = :token)",
                ExpressionAttributeNames={
                    "#token": TOKEN_ATTRIBUTE,
                    "#execution": EXECUTION_ATTRIBUTE,
                    "#status": "status",
                },
                ExpressionAttributeValues={
                    ":token": token,
                    ":execution": execution,
                    ":pending": PENDING,
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        """Resume the task with ``output``."""
        self._answer(
            lambda: self._states.send_task_success(taskToken=token, output=json.dumps(output))
        )

    def fail(self, token: str, error: str, cause: str) -> None:
        """Fail the task with ``error`` (what the workflow's catch matches) and ``cause``."""
        self._answer(
            lambda: self._states.send_task_failure(taskToken=token, error=error, cause=cause)
        )

    def beat(self, token: str) -> None:
        """The reviewer is still at it: the heartbeat deadline starts again."""
        self._answer(lambda: self._states.send_task_heartbeat(taskToken=token))

    @staticmethod
    def _answer(call: Any) -> None:
        try:
            call()
        except ClientError as error:
            if error.response["Error"]["Code"] in CLOSED_TASK_ERRORS:
                raise ReviewClosedError(error.response["Error"]["Code"]) from None
            raise
