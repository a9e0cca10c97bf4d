"""``make docs``: render the ``patterns`` API reference with pdoc.

python -m tools.docs docs/reference
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools.cdk_context import ROOT


def render(output: Path) -> None:
    """Write the HTML reference of ``patterns`` into ``output``."""
    env = {
        **os.environ,
        # aws_cdk starts a Node process on import; pdoc blocks subprocesses unless told.
        "PDOC_ALLOW_EXEC": "1",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pdoc",
            "patterns",
            "--docformat",
            "restructuredtext",
            "--output-directory",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


if __name__ == "__main__":
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "reference")
