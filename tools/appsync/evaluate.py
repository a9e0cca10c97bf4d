"""``EvaluateCode``, locally: one exported function of an ``APPSYNC_JS`` resolver file run
on the project's Node with a context (``arguments``, ``identity``, ``source``, ``result``,
``prev``, ``stash``), through ``evaluate.mjs``."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules" / ".bin" / "node"
RUNNER = Path(__file__).resolve().parent / "evaluate.mjs"


@dataclass(frozen=True)
class Evaluation:
    """What ``EvaluateCode`` answers: the function's return value (``result``, from the
    JSON ``evaluationResult``) or its ``error`` (``util.error``'s message and type), the
    stash after it ran, the errors ``util.appendError`` added and the ``console.log``s."""

    result: Any = None
    error: dict[str, Any] | None = None
    stash: dict[str, Any] = field(default_factory=dict)
    appended_errors: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    early_return: bool = False


def evaluate(
    code: Path,
    function: Literal["request", "response"],
    *,
    arguments: dict[str, Any] | None = None,
    identity: dict[str, Any] | None = None,
    source: dict[str, Any] | None = None,
    result: Any = None,
    prev: Any = None,
    stash: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> Evaluation:
    """Run ``function`` of the resolver file ``code`` with that context."""
    context = {
        "arguments": arguments or {},
        "identity": identity,
        "source": source,
        "result": result,
        "prev": {"result": prev},
        "stash": stash or {},
        "error": error,
    }
    completed = subprocess.run(
        [str(NODE), str(RUNNER)],
        input=json.dumps({"code": str(code), "function": function, "context": context}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer = json.loads(completed.stdout)
    raw = answer.get("evaluationResult")
    return Evaluation(
        result=json.loads(raw) if raw is not None else None,
        error=answer.get("error"),
        stash=answer.get("stash") or {},
        appended_errors=answer.get("errors") or [],
        logs=answer.get("logs") or [],
        early_return=bool(answer.get("earlyReturn")),
    )
