"""A stage's cost per action as a stacked horizontal bar chart, in plain SVG."""

from __future__ import annotations

from xml.sax.saxutils import escape

from tools.cost import prices
from tools.cost.actions import ActionCost
from tools.cost.report import services_used

WIDTH, LABEL, RIGHT, ROW, BAR, TOP = 820, 170, 110, 34, 20, 58
LEGEND_ITEM, LEGEND_ROW = 132, 22
FONT = 'font-family="Liberation Sans, Helvetica, Arial, sans-serif"'
COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#e7ba52",
    "#843c39",
)


def _scale(costs: list[ActionCost]) -> float:
    """USD a full-width bar stands for: the largest total, or the second largest when the
    largest is over three times it (that bar is then drawn cut)."""
    totals = sorted((c.total for c in costs), reverse=True) or [1.0]
    if len(totals) > 1 and totals[0] > 3 * totals[1] > 0:
        return totals[1]
    return totals[0] or 1.0


def svg(stage: str, costs: list[ActionCost]) -> str:
    """The chart: one bar per action (USD per million), one colour per service."""
    used = services_used(costs)
    colour = {service: COLOURS[i % len(COLOURS)] for i, service in enumerate(used)}
    scale_max = _scale(costs)
    span = WIDTH - LABEL - RIGHT
    per_row = max(1, (WIDTH - 20) // LEGEND_ITEM)
    legend_rows = -(-len(used) // per_row)
    height = TOP + ROW * len(costs) + 20 + LEGEND_ROW * legend_rows + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="15" font-weight="bold" {FONT}>'
        f"{escape(stage)}: cost per user action, USD per million actions</text>",
        f'<text x="10" y="42" font-size="12" {FONT}>AWS on-demand prices, {prices.REGION}, '
        f"as published on {prices.TAKEN}</text>",
    ]
    for row, cost in enumerate(costs):
        y = TOP + row * ROW
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + BAR - 6}" font-size="12" text-anchor="end" {FONT}>'
            f"{escape(cost.action)}</text>"
        )
        x = float(LABEL)
        cut = cost.total > scale_max
        # A bar past the scale fills the width, its services in proportion, marked as cut.
        per_usd = span / cost.total if cut else span / scale_max
        for service in used:
            value = cost.lines.get(service, 0.0)
            if value <= 0:
                continue
            width = value * per_usd
            parts.append(
                f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{BAR}" '
                f'fill="{colour[service]}"><title>{escape(service)}: '
                f"{value * 1e6:,.2f}</title></rect>"
            )
            x += width
        if cut:
            mark = x - 24
            parts.append(
                f'<path d="M{mark:.2f} {y + BAR + 2} l6 {-BAR - 4} m6 0 l-6 {BAR + 4}" '
                'stroke="#ffffff" stroke-width="3" fill="none"/>'
            )
        parts.append(
            f'<text x="{x + 6:.2f}" y="{y + BAR - 6}" font-size="12" {FONT}>'
            f"{cost.total * 1e6:,.2f}{' (cut)' if cut else ''}</text>"
        )
    legend_top = TOP + ROW * len(costs) + 20
    for index, service in enumerate(used):
        x = 10 + (index % per_row) * LEGEND_ITEM
        y = legend_top + (index // per_row) * LEGEND_ROW
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour[service]}"/>')
        parts.append(
            f'<text x="{x + 17}" y="{y + 11}" font-size="12" {FONT}>{escape(service)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
