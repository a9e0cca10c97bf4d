"""``python -m tools.screenshots``: the README's screenshot of the storefront (the product
list, 1200x800), taken in headless Chromium from the local backend with Dev's templates."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.support.browser import chromium
from tools.cdk_context import ROOT
from tools.local_shop.demo import DEMO_PRODUCTS, dev_web_template
from tools.local_shop.shop import running
from tools.moto_server import local_aws

SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1200, "height": 800}


def storefront(path: Path) -> None:
    """The storefront's first page of products, signed out, with an empty cart."""
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        web = dev_web_template(Path(scratch) / "cdk.out")
        with (
            local_aws() as endpoint,
            running(web_template=web, endpoint=endpoint) as shop,
            chromium() as browser,
        ):
            shop.add_products(DEMO_PRODUCTS)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(shop.url)
            page.wait_for_selector("#products li")
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))


def main() -> int:
    target = SCREENSHOTS / "storefront.png"
    storefront(target)
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
