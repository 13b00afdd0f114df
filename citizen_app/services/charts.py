"""Bar charts as SVG, drawn on the server [issue 7]: no JavaScript and no chart library.

One horizontal bar per answer step. The chart must be readable without colour and in print or high-contrast
mode, so:
- every bar has its step's words above it and its count and share as real text next to it;
- bars are hatched and outlined in ``currentColor`` (the text colour), so they stay visible when colours are
  replaced or dropped;
- the SVG is ``role="img"`` and named by its ``<title>`` and ``<desc>``, which say the numbers in words.
The same numbers are shown as a table on the page; the chart only helps the eye.

The bar length is the step's share of the answers to the question, so charts of different questions compare.
Text is escaped here, so the result is safe to put in the page as it is.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 320  # about the width of a 360 px phone; the SVG scales with the page
BAR_ROOM = 215  # the longest bar (all answers); the rest of the width holds "123 (100 %)"
LINE = 19  # one line of label text
BAR_HEIGHT = 22
GAP = 14  # between one bar and the next step's label
FONT_SIZE = 15
CHARS_PER_LINE = 36  # labels longer than this wrap instead of running off the chart


@dataclass(frozen=True)
class Bar:
    label: str
    count: int


def percent(count: int, total: int) -> int:
    """Whole percent, half rounded up (5 of 8 is 63 %), as in the table next to the chart."""
    return int(100 * count / total + 0.5) if total else 0


def describe_sv(label: str, count: int, total: int) -> str:
    return f"{label}: {count} av {total} svar."


def amount_sv(count: int, total: int) -> str:
    return f"{count} ({percent(count, total)}\u00a0%)"


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    describe: Callable[[str, int, int], str] = describe_sv,
    amount: Callable[[int, int], str] = amount_sv,
) -> str:
    """An SVG bar chart. ``chart_id`` must be unique on the page (it prefixes the ids inside the chart).

    ``describe(label, count, total)`` makes one sentence of the text alternative and ``amount(count, total)``
    the text next to a bar; the view passes translated versions.
    """
    total = sum(bar.count for bar in bars)
    title_id, desc_id, hatch_id = f"{chart_id}-title", f"{chart_id}-desc", f"{chart_id}-hatch"
    rows: list[str] = []
    y = 0
    for bar in bars:
        lines = textwrap.wrap(bar.label, CHARS_PER_LINE) or [""]
        spans = "".join(
            f'<tspan x="0" dy="{0 if i == 0 else LINE}">{_text(line)}</tspan>' for i, line in enumerate(lines)
        )
        rows.append(f'<text class="chart__label" x="0" y="{y + LINE - 4}">{spans}</text>')
        y += LINE * len(lines)
        length = round(BAR_ROOM * bar.count / total, 1) if total else 0
        # The zero line: a step nobody chose still shows where its bar would start.
        rows.append(
            f'<line x1="1" y1="{y}" x2="1" y2="{y + BAR_HEIGHT}" stroke="currentColor" stroke-width="2"/>'
        )
        if bar.count:
            rows.append(
                f'<rect class="chart__bar" x="1" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                f'fill="url(#{hatch_id})" stroke="currentColor" stroke-width="2"/>'
            )
        rows.append(
            f'<text class="chart__amount" x="{round(length + 8, 1)}" y="{y + BAR_HEIGHT - 6}">'
            f"{_text(amount(bar.count, total))}</text>"
        )
        y += BAR_HEIGHT + GAP
    height = max(y - GAP + 2, 1)
    description = " ".join(describe(bar.label, bar.count, total) for bar in bars)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-size="{FONT_SIZE}" fill="currentColor">'
        f'<title id="{title_id}">{_text(title)}</title>'
        f'<desc id="{desc_id}">{_text(description)}</desc>'
        f"<defs>"
        f'<pattern id="{hatch_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)">'
        f'<rect class="chart__fill" width="6" height="6" fill="#c9dcef"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="currentColor" stroke-width="2"/>'
        f"</pattern>"
        f"</defs>"
        f"{''.join(rows)}"
        f"</svg>"
    )
