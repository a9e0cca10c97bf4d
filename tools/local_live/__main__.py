"""``python -m tools.local_live``: synthesize Dev, run the local live backend on moto,
print the dashboard's URL and how to sign in to it; Ctrl-C stops."""

from __future__ import annotations

import contextlib
import sys
import threading

from tools.local_live.backend import LocalLive
from tools.local_live.http_api import local_id_token
from tools.local_live.settings import synthesized_template
from tools.moto_server import local_aws


def main() -> int:
    template = synthesized_template("dev")
    with local_aws(), LocalLive(template) as live:
        print(f"dashboard: {live.page_url}")
        print("sign in (browser console, this origin):")
        print(f"  localStorage.setItem('shop.idToken', '{local_id_token('local-person')}')")
        print(f"put events: aws kinesis put-records --stream-name {live.stream_name} ...")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
