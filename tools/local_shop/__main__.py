"""``python -m tools.local_shop``: the storefront and its local backend on 127.0.0.1,
with Dev's templates and a demo catalogue, until Ctrl-C."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tools.local_shop.demo import DEMO_PRODUCTS, dev_web_template
from tools.local_shop.shop import running
from tools.moto_server import local_aws
from tools.until_stopped import wait_until_stopped


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="local-shop-") as scratch:
        web = dev_web_template(Path(scratch) / "cdk.out")
        with (
            local_aws() as endpoint,
            running(web_template=web, endpoint=endpoint, review=True) as shop,
        ):
            shop.add_products(DEMO_PRODUCTS)
            email, password = shop.shopper
            lines = [
                f"Storefront: {shop.url}",
                f"Sign in as {email} / {password}, authenticator code: any 6 digits",
                f"Partner API key (GET {shop.api_url}partner/products): {shop.gateway.api_key}",
                *shop.review_lines(),
                "Ctrl-C stops it.",
            ]
            # Ctrl-C, or SIGTERM to its pid, once it has said what it serves.
            wait_until_stopped(lambda: print("\n".join(lines), flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
