"""Run one handler of ``lambdas/`` on one event, as Lambda would; used in a subprocess.

``python run_handler.py <module.function> <result file>`` with the event as JSON on
stdin, ``PYTHONPATH=lambdas`` and the deployed function's environment. The handler's own
output (logs, metrics) stays on stdout; its return value is written to the result file.
Only the standard library is imported here, so the handler sees a fresh interpreter.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import uuid
from pathlib import Path


class LambdaContext:
    """The attributes of a Lambda context that handlers and Powertools read."""

    def __init__(self) -> None:
        self.function_name = os.environ.get("SANDBOX_FUNCTION_NAME", "sandbox")
        self.invoked_function_arn = os.environ.get("SANDBOX_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(os.environ.get("SANDBOX_FUNCTION_MEMORY", "128"))
        self.function_version = "$LATEST"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main(argv: list[str]) -> int:
    handler_path, result_path = argv
    # Python put this file's folder first on the path; the handler must not see tools/.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    module_name, _, function_name = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)
    result = handler(json.load(sys.stdin), LambdaContext())
    with open(result_path, "w") as result_file:
        json.dump(result, result_file, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
