"""Charts as deterministic SVG strings (vector in the PDF, byte-identical between builds)."""

from __future__ import annotations

import hashlib
import io
import math
import re
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from .formatting import vn_number

plt.rcParams.update({
    "svg.hashsalt": "cqdt-gialai",  # fixed ids inside the SVG
    "svg.fonttype": "none",  # text stays text: smaller files, searchable labels, faster PDF
    # DejaVu Sans: bundled with matplotlib and installed by the setup (fonts-dejavu-core); the
    # fallbacks, written into the SVG, keep the labels readable where a reviewer's computer lacks
    # it. Named through the generic family: matplotlib then skips absent fonts silently instead of
    # warning once per label (thousands of lines in the executed notebooks).
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    # Labels are data (unit names): «$…$» is text, never mathtext (which failed the build).
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
})
LEVEL_COLOURS = ["#1a4e7a", "#3f7fb3", "#7fb0d8", "#bcd6ec", "#e3e3e3"]


def to_svg(figure, title: str, description: str) -> str:
    """The figure as an inline SVG image with its text alternative: `title` and a short description
    of what the data show, read by screen readers (role="img", <title>, <desc>)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog so the SVG can sit inline in HTML
    prefix = "c" + hashlib.sha1(text.encode()).hexdigest()[:8] + "-"
    text = _MATPLOTLIB_ID.sub(lambda m: m.group(1) + prefix + m.group(2), text)
    # Scale to the column width (the viewBox keeps the proportions) instead of a fixed size in pt.
    label = (f' role="img" aria-labelledby="{prefix}title {prefix}desc">'
             f'<title id="{prefix}title">{escape(title)}</title><desc id="{prefix}desc">{escape(description)}</desc>')
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"([^>]*)>',
                  lambda m: f'<svg{m.group(1)} class="chart" width="100%"{m.group(2)}{label}', text, count=1)


# matplotlib numbers the ids of every SVG from 1 (figure_1, patch_1, …): on a page of twenty charts
# they repeat. Its own ids get a prefix of the chart's content; the ids the project sets (set_gid) stay.
_MATPLOTLIB_ID = re.compile(r'(id="|url\(#|xlink:href="#)([A-Za-z][\w.]*_\d+|[pm][0-9a-f]{10})(?=[")])')


def _extremes(names: pd.Series, values: pd.Series, decimals: int = 2) -> str:
    """«cao nhất Pleiku (148,43), thấp nhất Đăk Đoa (122,52)»."""
    best, worst = values.idxmax(), values.idxmin()
    return (f"cao nhất {names[best]} ({vn_number(values[best], decimals)}), "
            f"thấp nhất {names[worst]} ({vn_number(values[worst], decimals)})")


def _vn_axis(axis, decimals: int = 1) -> None:
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _p: vn_number(v, decimals, strip_zeros=True))
    axis.set_major_formatter(formatter)


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
    return to_svg(figure, title, f"Biểu đồ thanh ngang, {vn_number(len(data), 0)} đơn vị xếp theo điểm: "
                                 f"{_extremes(data['name'], data[value])}.")


def histogram(values: pd.Series, title: str, xlabel: str, colour: str, maximum: float) -> str:
    figure, ax = plt.subplots(figsize=(7.2, 2.6))
    bins = [maximum * i / 20 for i in range(21)]
    ax.hist(values, bins=bins, color=colour, edgecolor="white")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Số đơn vị")
    _vn_axis(ax.xaxis)
    return to_svg(figure, title, f"Biểu đồ phân bố điểm của {vn_number(len(values), 0)} đơn vị: từ "
                                 f"{vn_number(values.min(), 2)} đến {vn_number(values.max(), 2)} điểm, trung vị "
                                 f"{vn_number(values.median(), 2)} (tối đa {vn_number(maximum, 0)}).")


def pillar_shares(shares: pd.DataFrame, labels: dict[str, str], colours: dict[str, str], title: str) -> str:
    """Average share of each pillar's maximum, per group (grouped bars, in the groups' colours)."""
    figure, ax = plt.subplots(figsize=(7.2, 2.9))
    groups = list(shares.columns)
    width = 0.8 / len(groups)
    for i, group in enumerate(groups):
        xs = [x + i * width for x in range(len(shares))]
        ax.bar(xs, shares[group] * 100, width=width, color=colours[group], label=labels[group])
    ax.set_xticks([x + width * (len(groups) - 1) / 2 for x in range(len(shares))])
    ax.set_xticklabels(shares.index, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% điểm tối đa")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(frameon=False, fontsize=8, ncols=3, loc="upper left", bbox_to_anchor=(0, -0.12))
    described = "; ".join(f"{labels[g]}: " + ", ".join(f"{pillar} {vn_number(shares.loc[pillar, g] * 100, 1)}%"
                                                       for pillar in shares.index) for g in groups)
    return to_svg(figure, title, f"Biểu đồ cột, tỷ lệ điểm đạt bình quân. {described}.")


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
    described = "; ".join(f"{labels[g]}: " + ", ".join(f"{level} {vn_number(counts.loc[g, level], 0)}"
                                                       for level in counts.columns if counts.loc[g, level])
                          for g in counts.index)
    return to_svg(figure, title, f"Biểu đồ thanh chồng, số đơn vị theo từng mức. {described}.")


def choropleth(features: list[dict], values: dict[str, float], labels: dict[str, str], title: str,
                 legend: str) -> str:
    """Choropleth of the districts (GeoJSON polygons keyed by GSO code), value written on each."""
    figure, _texts = choropleth_figure(features, values, labels, title, legend)
    names = pd.Series({code: labels.get(code, code).split("\n")[0] for code in values})
    return to_svg(figure, title, f"Bản đồ {vn_number(len(values), 0)} đơn vị tô màu theo {legend.lower()}: "
                                 f"{_extremes(names, pd.Series(values))}.")


def choropleth_figure(features: list[dict], values: dict[str, float], labels: dict[str, str], title: str,
                      legend: str) -> tuple:
    """The choropleth's figure and its labels, which do not overlap (see separate_labels)."""
    from matplotlib.collections import PolyCollection

    figure, ax = plt.subplots(figsize=(7.2, 7.6))
    figure.set_gid("ban-do-huyen")
    polygons, colours, texts = [], [], []
    present = [values[f["properties"]["code"]] for f in features if f["properties"]["code"] in values]
    norm = matplotlib.colors.Normalize(vmin=min(present), vmax=max(present))
    cmap = matplotlib.colormaps["YlGnBu"]
    for feature in features:
        code = feature["properties"]["code"]
        rings = feature["geometry"]["coordinates"]
        polygons.append(rings[0])
        colours.append(cmap(norm(values[code])) if code in values else "#dddddd")
        lon = sum(p[0] for p in rings[0]) / len(rings[0])
        lat = sum(p[1] for p in rings[0]) / len(rings[0])
        texts.append(ax.text(lon, lat, labels.get(code, ""), ha="center", va="center", fontsize=7.5,
                             bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "linewidth": 0}))
    areas = PolyCollection(polygons, facecolors=colours, edgecolors="#555555", linewidths=0.5)
    areas.set_gid("ranh-gioi-huyen")
    ax.add_collection(areas)
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(13.8)))  # keep shapes true at Gia Lai's latitude
    ax.axis("off")
    ax.set_title(title, loc="left", fontweight="bold")
    bar = figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.5, pad=0.01)
    bar.set_label(legend)
    bar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: vn_number(v, 0)))
    separate_labels(figure, texts)
    return figure, texts


LABEL_GAP_PX = 2.0


def label_boxes(figure, texts: list) -> list:
    """Each label's box as drawn (its white background included), in pixels."""
    renderer = figure.canvas.get_renderer()
    return [t.get_window_extent(renderer).padded(LABEL_GAP_PX) for t in texts]


def separate_labels(figure, texts: list, rounds: int = 80) -> None:
    """Move labels apart vertically until no two boxes overlap (small districts, such as An Khê and
    Đăk Pơ, have their centres close together); a label moves as little as it must."""
    texts = [t for t in texts if t.get_text()]
    for _ in range(rounds):
        boxes = label_boxes(figure, texts)
        moved = False
        for i, first in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                second = boxes[j]
                if not first.overlaps(second):
                    continue
                upper, lower = (i, j) if first.y0 + first.y1 >= second.y0 + second.y1 else (j, i)
                push = (min(first.y1, second.y1) - max(first.y0, second.y0)) / 2 + 0.5
                _shift(texts[upper], push)
                _shift(texts[lower], -push)
                moved = True
        if not moved:
            return


def _shift(text, pixels: float) -> None:
    """Move a label (placed in data coordinates) up by `pixels` on the page."""
    to_data = text.axes.transData
    x, y = to_data.transform(text.get_position())
    text.set_position(to_data.inverted().transform((x, y + pixels)))


CLASS_COLOURS = ["#1a9850", "#66bd63", "#fdae61", "#d73027", "#8c8c8c"]  # best class first


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def point_map(outline: list[dict], points: dict[str, tuple[float, float]], classes: dict[str, str],
              order: list[str], labels: dict[str, str], title: str, label_spacing: float = 0.14) -> str:
    """A province's outline with one point per unit, coloured by class; names where space allows
    (the `labels` in their order, skipping any too close to one already written)."""
    from matplotlib.collections import PolyCollection

    figure, ax = plt.subplots(figsize=(7.2, 9.0))
    figure.set_gid("ban-do-diem")
    shapes = PolyCollection([ring for f in outline for ring in _rings(f["geometry"])], facecolors="#f4f1ea",
                            edgecolors="#555555", linewidths=0.6)
    shapes.set_gid("duong-bao-tinh")
    ax.add_collection(shapes)
    # A group without classification: one colour for all its units.
    groups = list(zip(CLASS_COLOURS, order)) if order else [(CLASS_COLOURS[1], "")]
    for index, (colour, value) in enumerate(groups, start=1):
        codes = [c for c in points if classes.get(c) == value] if order else list(points)
        dots = ax.scatter([points[c][0] for c in codes], [points[c][1] for c in codes], s=16, color=colour,
                          edgecolors="white", linewidths=0.4, zorder=3,
                          label=f"{value or 'Đơn vị'} ({vn_number(len(codes), 0)})")
        dots.set_gid(f"diem-loai-{index}")
    placed: list[tuple[float, float]] = []
    for code, text in labels.items():
        x, y = points[code]
        if all(math.hypot(x - px, y - py) >= label_spacing for px, py in placed):
            ax.annotate(text, (x, y), xytext=(3, 2), textcoords="offset points", fontsize=5.8, zorder=4)
            placed.append((x, y))
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(14.0)))
    ax.axis("off")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    counted = ", ".join(f"{value or 'đơn vị'}: {vn_number(sum(classes.get(c) == value for c in points), 0)}"
                        for _, value in groups) if order else f"{vn_number(len(points), 0)} đơn vị"
    return to_svg(figure, title, f"Bản đồ điểm, mỗi điểm một đơn vị, tô màu theo loại ({counted}).")


def boxplot_by_parent(values: pd.Series, parents: pd.Series, names: dict[str, str], title: str,
                      xlabel: str, colour: str) -> str:
    """Distribution of a group's totals within each unit of its parent group, ordered by median."""
    groups = {code: values[parents == code] for code in parents.unique()}
    order = sorted(groups, key=lambda code: groups[code].median())
    figure, ax = plt.subplots(figsize=(7.2, 0.3 * len(order) + 1.0))
    ax.boxplot([groups[c] for c in order], vert=False, widths=0.6, patch_artist=True,
               boxprops={"facecolor": colour, "alpha": 0.6},
               medianprops={"color": "black"}, flierprops={"markersize": 3})
    ax.set_yticks(range(1, len(order) + 1))
    ax.set_yticklabels([names[c] for c in order], fontsize=7.5)
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_xlabel(xlabel)
    _vn_axis(ax.xaxis)
    medians = pd.Series({code: groups[code].median() for code in order})
    return to_svg(figure, title, f"Biểu đồ hộp, tổng điểm của {vn_number(len(values), 0)} đơn vị trong "
                                 f"{vn_number(len(order), 0)} đơn vị cấp trên; trung vị "
                                 f"{_extremes(pd.Series(names), medians)}.")


def rank_intervals(frame: pd.DataFrame, title: str) -> str:
    """Actual rank with the 5th–95th percentile interval of simulated ranks, best at the top."""
    data = frame.sort_values("rank", ascending=False)
    figure, ax = plt.subplots(figsize=(7.2, 0.27 * len(data) + 1.0))
    ys = range(len(data))
    ax.hlines(ys, data["p05"], data["p95"], color="#7fb0d8", linewidth=4)
    ax.plot(data["median_rank"], ys, "|", color="#1a4e7a", markersize=10, label="Hạng trung vị")
    ax.plot(data["rank"], ys, "o", color="#b3261e", markersize=4, label="Hạng chính thức")
    ax.set_yticks(list(ys))
    ax.set_yticklabels(data["name"], fontsize=7.5)
    ax.invert_xaxis()
    ax.set_xlabel("Thứ hạng (khoảng 5%–95% qua các lần mô phỏng)")
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(frameon=False, fontsize=7.5, loc="lower left")
    widest = (data["p95"] - data["p05"]).idxmax()
    return to_svg(figure, title, f"Khoảng thứ hạng mô phỏng của {vn_number(len(data), 0)} đơn vị; khoảng rộng nhất: "
                                 f"{data.loc[widest, 'name']} (hạng {vn_number(data.loc[widest, 'p05'], 0)}–"
                                 f"{vn_number(data.loc[widest, 'p95'], 0)}, hạng chính thức "
                                 f"{vn_number(data.loc[widest, 'rank'], 0)}).")
