"""Thin helpers the notebooks call, so that each notebook reads as a narrative."""

from __future__ import annotations

import html as htmllib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import charts, timing
from .catalogue import GROUPS
from .config import load_params
from .formatting import nfc, vn_int, vn_number, vn_percent, vn_signed
from .fragments import appendix_html, appendix_numbers, decision_html, environment, methodology_html, points_table_html
from .names import check_declared, declared_names
from .paths import NOTEBOOKS, resolve_build
from .pipeline import (PROJECT_ROOT, PillarResult, Year, consolidate_all, dump_json, ingest, load_year,
                       read_pillar_outputs, score_pillar_inputs, score_year_directly, write_if_changed,
                       write_pillar_result)
from .provenance import provenance
from .province import Indicator
from .robustness import UNSTABLE_WIDTH, rank_intervals

BARS_UP_TO = 60  # larger groups are charted as a distribution
UNIT_TABLES_UP_TO = 400  # larger groups' criterion tables stay in the CSV files only


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


class DeclaredIndicators(dict):
    """The pillar's indicators, handed out only by a name the notebook declared (see cqdt.names)."""

    def __init__(self, notebook: str, declared: dict, indicators: dict[str, Indicator]):
        super().__init__(indicators)
        self.notebook, self.declared = notebook, declared

    def __getitem__(self, name: str) -> Indicator:
        check_declared(self.notebook, "indicators", name, self.declared.get("indicators", []), set(self))
        return super().__getitem__(name)


@dataclass
class PillarRun:
    year: Year
    pillar: str
    result: PillarResult
    indicators: dict[str, Indicator] = field(default_factory=dict)
    declared: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.year.catalogue.pillar(self.pillar).label

    def maximum(self, group: str) -> float:
        return self.year.catalogue.groups[group].pillar_max[self.pillar]

    def unit_points(self, group: str) -> pd.DataFrame:
        own = self.result.points[self.result.points["group"] == group]
        totals = own.groupby("code", sort=False)["points"].sum()
        names = self.year.registry.by_code()
        return pd.DataFrame({"name": [names[c].name for c in totals.index], "points": totals.to_numpy()},
                            index=totals.index)

    def overview(self) -> str:
        """Heading and description of the pillar, from the catalogue (for the generic notebook)."""
        pillars = [p.id for p in self.year.catalogue.pillars]
        spec = self.year.catalogue.pillar(self.pillar)
        return f"## {pillars.index(self.pillar) + 1}. {spec.label}\n\n{spec.description}".strip()

    def indicator_table(self) -> pd.DataFrame:
        """The pillar's province-wide figures, with their labels from the indicator config."""
        rows = [{"Chỉ số": i.label,
                 "Kết quả": share_text(i) if i.denominator is not None else figure_text(i)}
                for i in self.result.indicators]
        return pd.DataFrame(rows, columns=["Chỉ số", "Kết quả"])

    def show_indicators(self) -> None:
        table = self.indicator_table()
        if len(table):
            html(table.to_html(classes="data-table", border=0, index=False))

    def summary(self) -> pd.DataFrame:
        """Per group: units, maximum, mean, lowest and highest points, mean share."""
        rows = []
        for group in GROUPS:
            points = self.unit_points(group)["points"]
            top = self.maximum(group)
            rows.append({"Nhóm": self.year.catalogue.groups[group].label, "Số đơn vị": len(points),
                         "Điểm tối đa": vn_number(top, 0), "Trung bình": vn_number(points.mean(), 2),
                         "Thấp nhất": vn_number(points.min(), 2), "Cao nhất": vn_number(points.max(), 2),
                         "Tỷ lệ đạt": vn_percent(points.mean() / top, 1)})
        return pd.DataFrame(rows)

    def show_summary(self) -> None:
        html(self.summary().to_html(classes="data-table", border=0, index=False))

    def show_charts(self) -> None:
        """One bar per unit where a group is small enough to read so; a histogram otherwise."""
        for group in GROUPS:
            table, spec = self.unit_points(group), self.year.catalogue.groups[group]
            if len(table) <= BARS_UP_TO:
                svg(charts.ranked_bars(table, "points", f"{self.label} — {spec.plural}",
                                       "Điểm", spec.colour, self.maximum(group)))
            else:
                svg(charts.histogram(table["points"], f"{self.label} — phân bố điểm của {vn_int(len(table))} "
                                     f"{spec.plural}", "Điểm", spec.colour,
                                     self.maximum(group)))

    def show_unit_tables(self) -> None:
        for group in GROUPS:
            if len(self.year.registry.group(group)) <= UNIT_TABLES_UP_TO:
                html(points_table_html(self.year, group, self.pillar, self.result.points))
            else:
                plural = self.year.catalogue.groups[group].plural
                md(f"Bảng điểm từng tiêu chí của {vn_int(len(self.year.registry.group(group)))} {plural} có trong "
                   f"`build/{self.year.params.year}/pillars/{self.pillar}/points.csv`.")

    def units_with_full(self, group: str, criterion: str) -> int:
        check_declared(self.pillar, "criteria", criterion, self.declared.get("criteria", {}).get(group, []),
                       {c.id for c in self.year.catalogue.criteria(group, self.pillar)})
        own = self.result.points
        rows = own[(own["group"] == group) & (own["criterion"] == criterion)]
        return int((rows["points"] >= rows["max_points"] - 1e-9).sum())

    def units_below_full(self, group: str, criterion: str) -> int:
        own = self.result.points
        rows = own[(own["group"] == group) & (own["criterion"] == criterion)]
        return len(rows) - self.units_with_full(group, criterion)


def pillar_run(year: int, pillar: str, build: str = "") -> PillarRun:
    """Score one pillar from its validated inputs and write its outputs (points, indicators, manifest)."""
    context = load_year(year)
    out = resolve_build(year, build)
    inputs = out / "inputs" / f"{pillar}.json"
    if not inputs.is_file():  # opened in JupyterLab before any build: read the workbooks now
        ingest(context, out)
    result = score_pillar_inputs(context, inputs)
    write_pillar_result(result, out, context, inputs)
    narrative = NOTEBOOKS / f"{pillar}.py"  # absent: the generic notebook runs, and names nothing
    declared = declared_names(narrative) if narrative.is_file() else {}
    indicators = DeclaredIndicators(pillar, declared, {i.id: i for i in result.indicators})
    return PillarRun(context, pillar, result, indicators, declared)


@dataclass
class RankingRun:
    year: Year
    tables: dict[str, pd.DataFrame]
    indicators: list[dict]
    changes: dict[str, pd.DataFrame] | None
    provenance: dict
    _robustness: dict[str, pd.DataFrame] = field(default_factory=dict)

    def decision(self) -> str:
        return decision_html(self.year, self.tables)

    def appendix(self, group: str) -> str:
        return appendix_html(self.year, group, self.tables[group], appendix_numbers(self.tables)[group],
                             self.changes.get(group) if self.changes else None)

    def level_counts(self) -> pd.DataFrame:
        """Units per level and group; the levels and their labels come from the catalogue (the
        union over the groups, in order)."""
        levels: dict[str, str] = {}
        for group in GROUPS:
            spec = self.year.catalogue.groups[group].levels
            levels |= {r.level: f"Mức {r.level}" for r in spec.rules} | {spec.below_label: spec.below_label}
        rows = {}
        for group in GROUPS:
            counts = self.tables[group]["level"].value_counts()
            rows[group] = [int(counts.get(level, 0)) for level in levels]
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(levels.values()))

    def leaders(self, group: str, count: int = 3) -> pd.DataFrame:
        return self.tables[group].sort_values("total", ascending=False, kind="stable").head(count)

    def trailers(self, group: str, count: int = 2) -> pd.DataFrame:
        return self.tables[group].sort_values("total", ascending=True, kind="stable").head(count)

    def robustness(self, group: str) -> pd.DataFrame:
        """Median rank and 5th–95th percentile per unit (computed once per group)."""
        if group not in self._robustness:
            self._robustness[group] = self._simulate(group)
        return self._robustness[group]

    def _simulate(self, group: str) -> pd.DataFrame:
        settings = self.year.params.robustness
        table = self.tables[group]
        spec = self.year.catalogue.groups[group]
        intervals = rank_intervals(table, {p: spec.pillar_max[p] for p in self.year.pillars},
                                   settings.runs, settings.seed, settings.weight_spread)
        return table[["name", "rank"]].join(intervals)

    def robustness_chart(self, group: str) -> str:
        label = self.year.catalogue.groups[group].label
        if len(self.tables[group]) > BARS_UP_TO:
            return ""
        return charts.rank_intervals(self.robustness(group), f"Độ vững thứ hạng — {label.lower()}")

    def robustness_text(self, group: str) -> str:
        frame = self.robustness(group)
        label = self.year.catalogue.groups[group].label
        shaky = frame[~frame["robust"]]
        if shaky.empty:
            return f"**{label}:** thứ hạng của mọi đơn vị vững: khoảng 5%–95% hẹp hơn {UNSTABLE_WIDTH} bậc."
        units = "; ".join(f"{r.name} (hạng {int(r.rank)}, có thể từ {int(r.p05)} đến {int(r.p95)})"
                          for r in shaky.head(10).itertuples())
        if len(shaky) > 10:
            units += f" và {vn_int(len(shaky) - 10)} đơn vị khác"
        return (f"**{label}:** {vn_int(len(shaky))} đơn vị có thứ hạng chưa vững, tức là thay đổi từ {UNSTABLE_WIDTH} "
                f"bậc trở lên khi trọng số các trụ cột thay đổi: {units}.")

    def district_map(self) -> str:
        geo = json.loads(self.year.params.path(self.year.params.districts_geojson).read_text(encoding="utf-8"))
        table = self.tables["district"]
        if not set(table.index) & {f["properties"]["code"] for f in geo["features"]}:
            return "<p>Không có ranh giới hành chính cho các đơn vị cấp huyện của năm này.</p>"
        labels = {code: f"{_short_district(row['name'])}\n{self.score(row['total'])} · {row['level']}"
                  for code, row in table.iterrows()}
        return charts.district_map(geo["features"], table["total"].to_dict(), labels,
                                   f"Tổng điểm và mức độ của các huyện, thị xã, thành phố năm {self.year.params.year}",
                                   "Tổng điểm")

    def commune_distribution(self) -> str:
        table = self.tables["commune"]
        if len(self.tables["district"]) > BARS_UP_TO:
            return ""
        names = {u.code: _short_district(u.name) for u in self.year.registry.group("district")}
        return charts.boxplot_by_parent(table["total"], table["parent_code"], names,
                                        "Phân bố tổng điểm của các xã, phường, thị trấn trong từng huyện", "Tổng điểm",
                                        self.year.catalogue.groups["commune"].colour)

    def methodology(self) -> str:
        return methodology_html(self.year)

    def provenance_html(self, record: dict) -> str:
        return environment().get_template("provenance.html.j2").render(p=record)

    def score(self, total: float) -> str:
        return vn_number(total, self.year.params.score_decimals)

    def pillar_share_chart(self) -> str:
        shares = pd.DataFrame({
            g: [self.tables[g][p].mean() / self.year.catalogue.groups[g].pillar_max[p] for p in self.year.pillars]
            for g in GROUPS}, index=[self.year.catalogue.pillar(p).short_label for p in self.year.pillars])
        labels = {g: self.year.catalogue.groups[g].label for g in GROUPS}
        colours = {g: self.year.catalogue.groups[g].colour for g in GROUPS}
        return charts.pillar_shares(shares, labels, colours, "Tỷ lệ điểm đạt bình quân so với điểm tối đa của từng trụ cột")

    def level_table_html(self) -> str:
        counts = self.level_counts()
        counts.index = [self.year.catalogue.groups[g].label for g in counts.index]
        return counts.to_html(classes="data-table", border=0)

    def level_chart(self) -> str:
        labels = {g: self.year.catalogue.groups[g].label for g in GROUPS}
        return charts.level_counts(self.level_counts(), labels, "Số đơn vị theo mức độ")

    def change_text(self) -> str:
        previous = self.year.params.previous_year
        if not self.changes:
            return (f"## III. So sánh với năm trước\n\nTệp tham số năm {self.year.params.year} không khai báo "
                    "năm trước (previous_year) nên báo cáo không so sánh giữa hai năm.")
        lines = [f"## III. So sánh với năm {previous}", ""]
        before = load_params(previous).catalogue
        if before == self.year.catalogue.id:
            lines += [f"Hai năm cùng dùng danh mục tiêu chí «{before}» nên tổng điểm được so sánh trực tiếp.", ""]
        else:
            lines += [f"Năm {previous} dùng danh mục «{before}», năm nay dùng «{self.year.catalogue.id}»; "
                      "khi điểm tối đa khác nhau, tổng điểm được so sánh theo tỷ lệ điểm đạt.", ""]
        for group in GROUPS:
            frame = self.tables[group].join(self.changes[group])
            known = frame.dropna(subset=["total_change"])
            risers = known.sort_values("total_change", ascending=False, kind="stable").head(3)
            fallers = known.sort_values("total_change", kind="stable").head(3)
            label = self.year.catalogue.groups[group].label
            note = "" if bool(frame["same_maximum"].iloc[0]) else (
                " (điểm tối đa thay đổi giữa hai năm nên so sánh theo tỷ lệ điểm đạt)")
            lines.append(f"**{label}**{note}: tăng điểm nhiều nhất là " + "; ".join(
                self._change_phrase(r) for r in risers.itertuples()) + ". Giảm nhiều nhất là " + "; ".join(
                self._change_phrase(r) for r in fallers.itertuples()) + ".")
            new = frame.index[frame["total_change"].isna()]
            if len(new):
                lines.append(f"Có {vn_int(len(new))} đơn vị không có kết quả năm {previous}: "
                             + ", ".join(frame.loc[new, "name"]) + ".")
            lines.append("")
        return "\n".join(lines)

    def _change_phrase(self, row) -> str:
        text = f"{row.name} ({vn_signed(row.total_change, self.year.params.score_decimals)} điểm"
        rank_change = getattr(row, "rank_change", None)
        if rank_change is not None and not pd.isna(rank_change) and rank_change != 0:
            text += f", {'tăng' if rank_change > 0 else 'giảm'} {abs(int(rank_change))} bậc"
        return text + ")"


def _short_district(name: str) -> str:
    for prefix in ("Thành phố ", "Thị xã ", "Huyện "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def ranking_run(year: int, build: str = "") -> RankingRun:
    """Consolidate the pillar outputs: totals, ranks, levels and the previous-year comparison."""
    context = load_year(year)
    out = resolve_build(year, build)
    points, indicators = read_pillar_outputs(context, out)
    tables = consolidate_all(context, points)
    changes = previous_year_changes(context, tables)
    write_results(out, context, tables, indicators, changes)
    record = provenance(context)
    write_if_changed(out / "provenance.json", dump_json(record))
    return RankingRun(context, tables, indicators, changes, record)


def previous_year_changes(context: Year, tables) -> dict[str, pd.DataFrame] | None:
    """Change in total and rank against the previous year, matched by unit code.

    When a group's maximum changed between catalogues, totals are compared as a share of
    the maximum, expressed in the current year's points.
    """
    previous = context.params.previous_year
    if previous is None:
        return None
    before_year = load_year(previous)
    before = score_year_directly(before_year)
    changes = {}
    for group, table in tables.items():
        old = before[group].reindex(table.index)
        top, old_top = context.catalogue.groups[group].max_points, before_year.catalogue.groups[group].max_points
        if top == old_top:
            delta = table["total"] - old["total"]
        else:
            delta = (table["share"] - old["share"]) * top
        frame = pd.DataFrame({"previous_total": old["total"], "total_change": delta,
                              "same_maximum": top == old_top})
        if context.catalogue.groups[group].ranked:
            frame["previous_rank"] = old["rank"]
            frame["rank_change"] = old["rank"].astype("Float64") - table["rank"].astype("Float64")
        changes[group] = frame
    return changes


def write_results(out: Path, context: Year, tables, indicators, changes) -> None:
    folder = out / "results"
    for group, table in tables.items():
        frame = table.copy()
        if changes:
            frame = frame.join(changes[group])
        write_if_changed(folder / f"{group}.csv", frame.to_csv(float_format="%.10g", lineterminator="\n"))
    summary = {
        "year": context.params.year, "catalogue": context.catalogue.id, "decision": context.params.decision.number,
        "data_status": context.params.data_status,
        "groups": {g: {"units": len(t), "max_points": context.catalogue.groups[g].max_points,
                       "levels": {str(k): int(v) for k, v in t["level"].value_counts().sort_index().items()}}
                   for g, t in tables.items()},
        "indicators": indicators,
    }
    write_if_changed(folder / "summary.json", dump_json(summary))


timing.mark("helpers imported")

__all__ = ["md", "html", "svg", "pillar_run", "ranking_run", "share_text", "figure_text", "count_text",
           "floor_to", "vn_int",
           "vn_number", "vn_percent", "PROJECT_ROOT", "charts"]
