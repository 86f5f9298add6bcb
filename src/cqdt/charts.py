"""Charts as deterministic SVG strings (vector in the PDF, byte-identical between builds)."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .formatting import vn_number  # noqa: E402

plt.rcParams.update({
    "svg.hashsalt": "cqdt-gialai",  # fixed ids inside the SVG
    "font.family": "DejaVu Sans",  # bundled with matplotlib, full Vietnamese coverage
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})
GROUP_COLOURS = {"department": "#1f5f8b", "district": "#3a8f5c", "commune": "#b5651d"}
LEVEL_COLOURS = ["#1a4e7a", "#3f7fb3", "#7fb0d8", "#bcd6ec", "#e3e3e3"]


def to_svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog so the SVG can sit inline in HTML
    # Scale to the column width (the viewBox keeps the proportions) instead of a fixed size in pt.
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="chart" width="100%"', text, count=1)


def _vn_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: vn_number(v, decimals)))


def ranked_bars(table: pd.DataFrame, value: str, title: str, xlabel: str, colour: str,
                maximum: float | None = None) -> str:
    """Horizontal bars, one per unit, best at the top."""
    data = table.sort_values(value)
    height = 0.26 * len(data) + 0.9
    figure, ax = plt.subplots(figsize=(7.2, height))
    ax.barh(data["name"], data[value], color=colour)
    for y, v in enumerate(data[value]):
        ax.text(v, y, " " + vn_number(v, 2), va="center", fontsize=7)
    if maximum is not None:
        ax.set_xlim(0, maximum * 1.08)
        ax.axvline(maximum, color="#999999", linewidth=0.8, linestyle="--")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    _vn_axis(ax.xaxis)
    ax.tick_params(axis="y", labelsize=7.5)
    return to_svg(figure)


def histogram(values: pd.Series, title: str, xlabel: str, colour: str, maximum: float) -> str:
    figure, ax = plt.subplots(figsize=(7.2, 2.6))
    bins = [maximum * i / 20 for i in range(21)]
    ax.hist(values, bins=bins, color=colour, edgecolor="white")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Số đơn vị")
    _vn_axis(ax.xaxis, 0)
    return to_svg(figure)


def pillar_shares(shares: pd.DataFrame, labels: dict[str, str], title: str) -> str:
    """Average share of each pillar's maximum, per group (grouped bars)."""
    figure, ax = plt.subplots(figsize=(7.2, 2.9))
    groups = list(shares.columns)
    width = 0.8 / len(groups)
    for i, group in enumerate(groups):
        xs = [x + i * width for x in range(len(shares))]
        ax.bar(xs, shares[group] * 100, width=width, color=GROUP_COLOURS[group], label=labels[group])
    ax.set_xticks([x + width * (len(groups) - 1) / 2 for x in range(len(shares))])
    ax.set_xticklabels(shares.index, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% điểm tối đa")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(frameon=False, fontsize=8, ncols=3, loc="upper left", bbox_to_anchor=(0, -0.12))
    return to_svg(figure)


def level_counts(counts: pd.DataFrame, labels: dict[str, str], title: str) -> str:
    """Stacked horizontal bars: how many units of each group reached each level."""
    figure, ax = plt.subplots(figsize=(7.2, 2.2))
    left = pd.Series(0.0, index=counts.index)
    for colour, level in zip(LEVEL_COLOURS, counts.columns):
        ax.barh([labels[g] for g in counts.index], counts[level], left=left, color=colour, label=level)
        left += counts[level]
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel("Số đơn vị")
    ax.legend(frameon=False, fontsize=8, ncols=5, loc="upper left", bbox_to_anchor=(0, -0.3))
    return to_svg(figure)
