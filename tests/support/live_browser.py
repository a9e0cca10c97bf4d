"""Headless Chromium (the system's package) for the dashboard's tests, and the local live
backend they open it against."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.browser import shared_browser

#: Records every value the dashboard's ``#state`` takes, so that a test sees a short-lived
#: state (``reconnecting``) it could miss by polling.
STATE_RECORDER = """
window.__states = [];
document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("state");
  if (!state) return;
  window.__states.push(state.dataset.state);
  new MutationObserver(() => window.__states.push(state.dataset.state))
    .observe(state, { attributes: true, attributeFilter: ["data-state"] });
});
"""


@contextmanager
def browser() -> Iterator[Any]:
    """The test process's headless Chromium (``tests/support/browser.py``)."""
    yield shared_browser()


def signed_in_page(launched: Any, id_token: str | None) -> Any:
    """A new page whose storage holds ``id_token`` in the storefront's sign-in session
    (sessionStorage ``shop.session``, as ``web/storefront/auth.js`` leaves it), recording
    the dashboard's states."""
    context = launched.new_context()
    if id_token is not None:
        session = json.dumps({"idToken": id_token, "expiresAt": int(time.time() + 3600) * 1000})
        context.add_init_script(f"sessionStorage.setItem('shop.session', {json.dumps(session)});")
    context.add_init_script(STATE_RECORDER)
    page = context.new_page()
    page.on("pageerror", lambda error: (_ for _ in ()).throw(AssertionError(error)))
    return page
