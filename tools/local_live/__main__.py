"""``python -m tools.local_live``: synthesize Dev, run the local live backend on moto,
print the dashboard's URL and how to sign in to it; Ctrl-C stops.

``--screenshot PATH`` instead puts a few sample events into the stream, opens the
dashboard in headless Chromium, waits for their counts and saves a picture of it.

``--template T --existing E --ready R`` is how ``make sandbox``'s serve mode runs it, in
its own process (the shop's handlers set other values of the same variables): on the
emulator this process's AWS settings point at, with the Streaming template ``T`` and the
deployed stream and tables named in ``E`` (JSON: logical id -> name); once serving it
writes ``R`` (JSON: ``liveUrl``, ``tokenSecretArn``) and runs until SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

from tools.local_live.backend import LocalLive
from tools.local_live.http_api import local_id_token
from tools.local_live.settings import synthesized_template
from tools.moto_server import local_aws
from tools.until_stopped import wait_until_stopped

QUIET = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_LOGGER_LOG_EVENT": "false"}
SAMPLE_KINDS = ("view", "view", "view", "click", "add_to_cart", "remove_from_cart", "purchase")


def sample_events(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` plausible usage events over a few products (the same for a seed)."""
    chance = random.Random(seed)
    return [
        {
            "event_id": f"sample-{n}",
            "product_id": chance.choice(("ITEM-1", "ITEM-2", "ITEM-3", "ITEM-4")),
            "event_type": chance.choice(SAMPLE_KINDS),
            "occurred_at": "2026-12-01T10:00:00Z",
        }
        for n in range(count)
    ]


def screenshot(live: LocalLive, path: Path) -> None:
    """The dashboard after sample events, as a PNG at ``path``."""
    from playwright.sync_api import sync_playwright

    session = json.dumps({"idToken": local_id_token("demo"), "expiresAt": 4_102_444_800_000})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(viewport={"width": 960, "height": 540})
        page.add_init_script(f"sessionStorage.setItem('shop.session', {json.dumps(session)});")
        page.goto(live.page_url)
        page.locator('#state[data-state="live"]').wait_for(timeout=20_000)
        events = sample_events(60)
        live.put_events(events)
        views = sum(1 for e in events if e["event_type"] == "view")
        total = page.locator('#totals [data-event-type="view"] .value')
        total.filter(has_text=f"{views:,}").wait_for(timeout=30_000)
        time.sleep(1)  # the last cell's highlight fades
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        browser.close()


def serve_deployed(template: Path, existing: Path, ready: Path) -> int:
    """The serve mode of ``make sandbox`` (see the module docstring)."""
    names = json.loads(existing.read_text())
    with LocalLive(json.loads(template.read_text()), environment=QUIET, existing=names) as live:
        assert live.websocket is not None
        written = {"liveUrl": live.websocket.url, "tokenSecretArn": live.token_secret_arn}
        # Written once SIGTERM stops it normally: whoever reads it may stop it at once.
        wait_until_stopped(lambda: ready.write_text(json.dumps(written)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, help="save a picture of the dashboard")
    parser.add_argument("--template", type=Path, help="the Streaming template (JSON)")
    parser.add_argument("--existing", type=Path, help="deployed resources (JSON)")
    parser.add_argument("--ready", type=Path, help="written once serving (JSON)")
    args = parser.parse_args(argv)
    if args.template or args.existing or args.ready:
        if not (args.template and args.existing and args.ready):
            parser.error("--template, --existing and --ready go together")
        return serve_deployed(args.template, args.existing, args.ready)
    template = synthesized_template("dev")
    with local_aws(), LocalLive(template, environment=QUIET) as live:
        if args.screenshot:
            screenshot(live, args.screenshot)
            print(f"saved {args.screenshot}")
            return 0
        lines = [
            f"dashboard: {live.page_url}",
            "sign in (browser console, this origin):",
            f"  localStorage.setItem('shop.idToken', '{local_id_token('local-person')}')",
            f"put events: aws kinesis put-records --stream-name {live.stream_name} ...",
        ]
        wait_until_stopped(lambda: print("\n".join(lines), flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
