"""Benchmark rows of the web/API pattern: synthesis time and API size by routes.

``rows()`` returns ``(label, measured value)`` pairs for the benchmark table; the handlers'
cold imports are in :mod:`tools.bench_cold`.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUTE_COUNTS = (10, 50, 100, 200)
FUNCTIONS = 5


def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def synthesis_seconds() -> float:
    """Seconds to build and synthesize one stage's ``Web`` stack, cdk-nag included."""
    import aws_cdk as cdk

    from stacks.compliance import add_compliance_checks
    from stacks.function_settings import function_defaults
    from stacks.stages import DEV
    from stacks.web import WebStack

    with tempfile.TemporaryDirectory() as outdir:
        start = time.perf_counter()
        app = cdk.App(outdir=outdir, context=_context())
        stage = cdk.Stage(app, DEV.stage_id)
        function_defaults(DEV).apply_to(stage)
        add_compliance_checks(stage, DEV)
        WebStack(stage, "Web", config=DEV)
        app.synth()
        return time.perf_counter() - start


def api_size(routes: int, code_dir: Path) -> tuple[int, int]:
    """Resources and template bytes of a stack holding one API of ``routes`` routes.

    Routes come four to a collection (``GET``/``POST /rN``, ``GET``/``DELETE /rN/{id}``)
    over :data:`FUNCTIONS` functions.
    """
    import aws_cdk as cdk

    from patterns import ServerlessApi, ServerlessFunction

    app = cdk.App(context=_context())
    stack = cdk.Stack(app, "Bench")
    functions = [
        ServerlessFunction(stack, f"Fn{index}", code_path=code_dir) for index in range(FUNCTIONS)
    ]
    shapes = (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("DELETE", "/{id}"))
    api = ServerlessApi(stack, "Api")
    for index in range(routes):
        method, suffix = shapes[index % len(shapes)]
        api.add_route(method, f"/r{index // len(shapes)}{suffix}", functions[index % FUNCTIONS])
    template = app.synth().get_stack_by_name("Bench").template
    return len(template["Resources"]), len(json.dumps(template, indent=1))


def rows() -> list[tuple[str, str]]:
    """The web pattern's benchmark rows."""
    result = [
        ("Web: synthesis of one stage's Web stack (cdk-nag on)", f"{synthesis_seconds():.1f} s")
    ]
    sizes = {}
    with tempfile.TemporaryDirectory() as folder:
        code_dir = Path(folder)
        (code_dir / "app.py").write_text("def handler(event, context):\n    return event\n")
        for count in ROUTE_COUNTS:
            resources, size = api_size(count, code_dir)
            sizes[count] = resources
            result.append(
                (
                    f"Web: API with {count} routes over {FUNCTIONS} functions",
                    f"{resources} resources, {size / 1024:.0f} KB template",
                )
            )
    low, high = ROUTE_COUNTS[0], ROUTE_COUNTS[-1]
    per_route = (sizes[high] - sizes[low]) / (high - low)
    result.append((f"Web: resources added per route ({low} -> {high} routes)", f"{per_route:.2f}"))
    return result


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
