"""The geometry of a Graphviz SVG as a browser lays it out, and what makes it unreadable.

The boxes are read from the rendered page (``getBoundingClientRect`` of the ``g.cluster``
outlines and ``g.node`` groups Graphviz emits), not computed from the DOT source, so the
check sees what a reader sees.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.browser import new_page

#: The README's column on GitHub is at most about 880 px wide (less in a narrow window);
#: a wider SVG is scaled down to it. Text smaller than this once scaled is unreadable.
README_WIDTH_PX = 880
MIN_TEXT_PX = 9.0
#: Rounding of coordinates in Graphviz's output: touching is not overlapping.
_TOLERANCE = 0.5

_MEASURE = """() => {
  const rect = (el) => { const b = el.getBoundingClientRect();
                         return [b.left, b.top, b.right, b.bottom]; };
  const title = (g) => g.querySelector(':scope > title').textContent;
  const outline = (g) => g.querySelector(':scope > path, :scope > polygon') || g;
  const svg = document.querySelector('svg');
  return {
    width: svg.getBoundingClientRect().width,
    clusters: [...document.querySelectorAll('g.cluster')].map(
      (g) => [title(g).replace(/^cluster_/, ''), rect(outline(g))]),
    nodes: [...document.querySelectorAll('g.node')].map(
      (g) => [title(g), rect(g), g.textContent.replace(/\\s+/g, ' ')]),
    labels: [...document.querySelectorAll('g.edge text')].map((t) => [t.textContent, rect(t)]),
    fonts: [...document.querySelectorAll('text')].map(
      (t) => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a]),
  };
}"""

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Geometry:
    """Rendered boxes, in CSS pixels at the SVG's natural size."""

    width: float
    clusters: dict[str, Box]  # "Dev/Web" (a stack), "Dev/Web/Api" (a pattern in it)
    nodes: dict[str, Box]  # "Dev/Web/Api1234" -> its box
    text: dict[str, str]  # node -> the text drawn in it
    fonts: list[tuple[str, float]]  # every text element and its size in pixels
    labels: list[tuple[str, Box]]  # each edge's label and its box

    @property
    def stacks(self) -> dict[str, Box]:
        """The outermost boxes: those no other box's name is a prefix of."""
        return {
            name: box
            for name, box in self.clusters.items()
            if not any(name.startswith(f"{other}/") for other in self.clusters)
        }


@contextmanager
def chromium_page() -> Iterator[Any]:
    """A page of the system's headless Chromium (the test process's shared browser)."""
    if not _helvetica_metrics():
        raise RuntimeError(
            "no font with Helvetica's metrics (Graphviz sizes its boxes for them, so text "
            "would overflow): `make setup` installs Debian's fonts-liberation package"
        )
    with new_page() as page:
        yield page


def _helvetica_metrics() -> bool:
    """Whether the system draws Helvetica with a metric-compatible font."""
    if shutil.which("fc-match") is None:
        return True  # not fontconfig: the system's own Helvetica or Arial
    found = subprocess.run(["fc-match", "Helvetica"], capture_output=True, text=True, check=False)
    return any(name in found.stdout for name in ("Liberation Sans", "Helvetica", "Arial"))


def measure(page: Any, svg: Path) -> Geometry:
    """Open the SVG in the page and read its rendered geometry."""
    page.goto(svg.resolve().as_uri())
    data = page.evaluate(_MEASURE)
    return Geometry(
        width=float(data["width"]),
        clusters={name: tuple(box) for name, box in data["clusters"]},
        nodes={name: tuple(box) for name, box, _ in data["nodes"]},
        text={name: text for name, _, text in data["nodes"]},
        fonts=[(text, float(size)) for text, size in data["fonts"]],
        labels=[(text, tuple(box)) for text, box in data["labels"]],
    )


def problems(geometry: Geometry) -> list[str]:
    """What makes the picture unreadable: overlapping stacks or nodes, a node outside its
    stack, an arrow's label over a node, or text below MIN_TEXT_PX once the picture is
    scaled to README_WIDTH_PX."""
    found = []
    found += [f"stacks {a} and {b} overlap" for a, b in _overlapping(geometry.stacks)]
    found += [f"nodes {a} and {b} overlap" for a, b in _overlapping(geometry.nodes)]
    for name, box in sorted(geometry.nodes.items()):
        stack = next((s for s in geometry.stacks if name.startswith(f"{s}/")), None)
        if stack is not None and not _inside(box, geometry.stacks[stack]):
            found.append(f"node {name} lies outside its stack {stack}")
    for name, box in sorted(geometry.clusters.items()):
        parent = max((c for c in geometry.clusters if name.startswith(f"{c}/")), default=None)
        if parent is not None and not _inside(box, geometry.clusters[parent]):
            found.append(f"box {name} lies outside {parent}")
    for text, box in geometry.labels:
        covered = [name for name, node in sorted(geometry.nodes.items()) if _intersect(box, node)]
        found += [f"edge label {text!r} covers node {name}" for name in covered]
    scale = min(1.0, README_WIDTH_PX / geometry.width) if geometry.width else 1.0
    smallest = min(geometry.fonts, key=lambda font: font[1], default=None)
    if smallest is not None and smallest[1] * scale < MIN_TEXT_PX:
        found.append(
            f"{geometry.width:.0f} px wide: at the README's {README_WIDTH_PX} px its text "
            f"{smallest[0]!r} is {smallest[1] * scale:.1f} px, under {MIN_TEXT_PX} px"
        )
    return found


def _overlapping(boxes: dict[str, Box]) -> Iterator[tuple[str, str]]:
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if _intersect(boxes[a], boxes[b]):
                yield a, b


def _intersect(a: Box, b: Box) -> bool:
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > _TOLERANCE
        and min(a[3], b[3]) - max(a[1], b[1]) > _TOLERANCE
    )


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - _TOLERANCE
        and inner[1] >= outer[1] - _TOLERANCE
        and inner[2] <= outer[2] + _TOLERANCE
        and inner[3] <= outer[3] + _TOLERANCE
    )
