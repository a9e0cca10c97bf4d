"""Benchmark rows: every handler's cold import beside ``import boto3``, in one run.

Each handler module (``lambdas/<package>/app.py``) and ``boto3`` alone are imported in
fresh interpreters, interleaved, median of seven runs: with the handlers' bytecode cached
and without (as Lambda runs them: the assets ship no ``.pyc`` and ``/var/task`` is
read-only, so each cold start compiles the handler's own modules), in each tracing mode's
environment (``TracingMode.LAMBDA``, which Staging and Prod use,
imports no X-Ray SDK; ``XRAY_SDK``, Dev's, does). The ratio to boto3 is the figure to
compare across machines; the milliseconds depend on this one.
"""

from __future__ import annotations

from tools.measure import LAMBDAS, cold_imports

RUNS = 7
BASELINE = "boto3"
MODES = {"lambda": True, "xray-sdk": False}  # mode -> POWERTOOLS_TRACE_DISABLED


def handler_modules() -> list[str]:
    """``<package>.app`` of every handler package under ``lambdas/``."""
    return sorted(f"{path.parent.name}.app" for path in LAMBDAS.glob("*/app.py"))


def rows() -> list[tuple[str, str]]:
    """(label, value) rows for the benchmark table."""
    modules = [BASELINE, *handler_modules()]
    result = []
    for mode, disabled in MODES.items():
        measured = {
            cached: cold_imports(modules, runs=RUNS, bytecode=cached, tracing_disabled=disabled)
            for cached in (True, False)
        }
        for module in modules:
            cells = []
            for cached, label in ((True, "bytecode cached"), (False, "no bytecode")):
                took, baseline = measured[cached][module], measured[cached][BASELINE]
                ratio = "" if module == BASELINE else f" ({took / baseline:.2f}x boto3)"
                cells.append(f"{label} {took:.0f} ms{ratio}")
            result.append((f"Cold import, {mode} tracing: {module}", "; ".join(cells)))
    return result


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
