"""Dev's Web template, synthesized, and a small catalogue: what ``python -m tools.local_shop``
and the README's screenshot serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: A catalogue with more than one page (the storefront shows 8 a page).
DEMO_PRODUCTS = [
    {"sku": sku, "name": name, "price_cents": cents, "description": description}
    for sku, name, cents, description in [
        ("TEE-BLK", "Classic Tee, black", 1900, "Organic cotton, regular fit."),
        ("TEE-WHT", "Classic Tee, white", 1900, "Organic cotton, regular fit."),
        ("HOOD-GRY", "Zip Hoodie, grey", 5400, "Brushed fleece inside, two pockets."),
        ("CAP-NVY", "Baseball Cap, navy", 2200, "Adjustable strap, embroidered logo."),
        ("MUG-12OZ", "Enamel Mug", 1500, "12 oz, dishwasher safe."),
        ("BOTTLE-750", "Steel Bottle", 2900, "750 ml, keeps drinks cold for 24 hours."),
        ("SOCK-3PK", "Running Socks, 3 pairs", 1800, "Cushioned sole, breathable."),
        ("TOTE-CNV", "Canvas Tote", 1600, "Heavy canvas, long handles."),
        ("BEANIE-RED", "Rib Beanie, red", 2000, "Merino blend."),
        ("JACKET-RN", "Rain Jacket", 11900, "Waterproof, packs into its pocket."),
        ("SHORTS-RUN", "Running Shorts", 3500, "Lightweight, with a zip pocket."),
        ("BAG-DAY", "Daypack, 20 l", 7900, "Padded laptop sleeve."),
    ]
]


def dev_web_template(out: Path) -> dict[str, Any]:
    """The ``Dev/Web`` template, synthesized into ``out``."""
    from app import build_app
    from tests.support.cdk_app import new_app
    from tools.assembly import stacks

    app = new_app(out, stage="dev")
    build_app(app)
    app.synth()
    found = {s.display_name: s for s in stacks(out)}
    web: dict[str, Any] = found["Dev/Web"].template()
    return web
