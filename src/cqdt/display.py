"""What a notebook shows: escaped narrative, HTML fragments, inline charts, and the short
figure phrases its sentences use («100% (20/20)», «hơn 4.830»)."""

from __future__ import annotations

import html as htmllib

from IPython.display import HTML, Markdown, display

from .formatting import nfc, vn_int, vn_percent
from .province import Indicator


def md(text: str) -> None:
    """Narrative with data inside: markup characters from the data are shown, never interpreted."""
    safe = htmllib.escape(nfc(text), quote=False).replace("[", "\\[").replace("]", "\\]")
    display(Markdown(safe))


def html(text: str) -> None:
    display(HTML(text))


def svg(text: str) -> None:
    """A chart inline in the page (vector in the PDF, text searchable, no data URI)."""
    if text:
        display(HTML(f'<figure class="chart-figure">{text}</figure>'))


def share_text(indicator: Indicator) -> str:
    """«100% (20/20)» for a count or a ratio of two figures."""
    if indicator.denominator is None:
        return vn_int(indicator.value)
    return f"{vn_percent(indicator.value)} ({vn_int(indicator.numerator)}/{vn_int(indicator.denominator)})"


def count_text(indicator: Indicator) -> str:
    """«20/20» for a count of units."""
    return f"{vn_int(indicator.numerator)}/{vn_int(indicator.denominator)}"


def floor_to(value: float, step: int) -> int:
    """The round figure a share passes (96,4 → 95): for sentences such as «hơn 95%»."""
    return int(value // step * step)


def figure_text(indicator: Indicator) -> str:
    prefix = f"{indicator.qualifier} " if indicator.qualifier else ""
    return prefix + vn_int(indicator.value)
