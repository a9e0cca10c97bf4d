"""The cost charts as a browser draws them: legible, nothing on top of anything else."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from tests.support.svg_geometry import MIN_TEXT_PX, README_WIDTH_PX, chromium_page

CHARTS = sorted((Path(__file__).resolve().parents[1] / "docs" / "cost").glob("*.svg"))
_MEASURE = """() => {
  const box = (el) => { const b = el.getBoundingClientRect();
                        return [b.left, b.top, b.right, b.bottom]; };
  const svg = document.querySelector('svg');
  return {
    svg: box(svg),
    texts: [...svg.querySelectorAll('text')].map((t) => [t.textContent, box(t),
             parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a]),
    rects: [...svg.querySelectorAll('rect')].slice(1).map((r) => box(r)),
  };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def test_there_is_a_chart_per_stage() -> None:
    assert [chart.stem for chart in CHARTS] == ["dev", "prod", "staging"]


@pytest.mark.parametrize("chart", CHARTS, ids=[c.stem for c in CHARTS])
def test_the_chart_is_legible_and_no_box_overlaps(chart: Path) -> None:
    with chromium_page() as page:
        page.goto(chart.as_uri())
        drawn = page.evaluate(_MEASURE)
    width = drawn["svg"][2] - drawn["svg"][0]
    assert width <= README_WIDTH_PX
    texts = drawn["texts"]
    for text, box, size in texts:
        assert size >= MIN_TEXT_PX, text
        assert box[0] >= drawn["svg"][0], f"{text!r} overflows on the left"
        assert box[2] <= drawn["svg"][2], f"{text!r} overflows on the right"
    for (one, a, _), (other, b, _) in combinations(texts, 2):
        assert not _overlap(a, b), f"{one!r} overlaps {other!r}"
    for text, box, _ in texts:
        for rect in drawn["rects"]:
            assert not _overlap(box, rect), f"{text!r} overlaps a bar or swatch"
    assert any("as published on" in text for text, _, _ in texts)
