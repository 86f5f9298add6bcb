"""Thin helpers the notebooks call, so that each notebook reads as a narrative."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from . import charts, prose, timing
from .display import count_text, figure_text, floor_to, html, md, share_text, svg
from .formatting import short_unit_name, vn_int, vn_number, vn_percent
from .fragments import frame_table_html, methodology_html, points_table_html, succession_html
from .names import check_declared, declared_names
from .paths import NOTEBOOKS, resolve_build
from .pipeline import (
    PROJECT_ROOT,
    PillarResult,
    Year,
    consolidate_all,
    dump_json,
    ingest,
    load_year,
    read_pillar_outputs,
    score_pillar_inputs,
    write_if_changed,
    write_pillar_result,
)
from .provenance import provenance
from .province import Indicator
from .registry import load_points
from .results import previous_year_changes, write_results
from .robustness import rank_intervals

BARS_UP_TO = 60  # larger groups are charted as a distribution
UNIT_TABLES_UP_TO = 400  # larger groups' criterion tables stay in the CSV files only


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
        text = f"## {pillars.index(self.pillar) + 1}. {spec.label}\n\n{spec.description}".strip()
        if not spec.scored:
            text += "\n\nChỉ số này được đánh giá và công bố nhưng không tính vào tổng điểm của đơn vị."
        return text

    def component_table(self) -> pd.DataFrame:
        """Per component index and group: maximum and the mean points (nested catalogues)."""
        spec = self.year.catalogue.pillar(self.pillar)
        rows = []
        for component in spec.components:
            row = {"Chỉ số thành phần": component.label}
            for group in self.year.groups:
                top = self.year.catalogue.groups[group].component_max.get(component.id)
                ids = [c.id for c in self.year.catalogue.criteria(group, self.pillar) if c.component == component.id]
                own = self.result.points
                own = own[(own["group"] == group) & own["criterion"].isin(ids)]
                mean = own.groupby("code")["points"].sum().mean() if top else None
                label = self.year.catalogue.groups[group].label
                row[label] = f"{vn_number(mean, 2)} / {vn_number(top, 0)}" if top else "—"
            rows.append(row)
        return pd.DataFrame(rows)

    def show_components(self) -> None:
        if self.year.catalogue.pillar(self.pillar).components:
            md("Điểm bình quân của từng chỉ số thành phần (điểm bình quân / điểm tối đa):")
            html(frame_table_html(self.component_table(), f"Chỉ số thành phần — {self.label}"))

    def indicator_table(self) -> pd.DataFrame:
        """The pillar's province-wide figures, with their labels from the indicator config."""
        rows = [{"Chỉ số": i.label,
                 "Kết quả": share_text(i) if i.denominator is not None else figure_text(i)}
                for i in self.result.indicators]
        return pd.DataFrame(rows, columns=["Chỉ số", "Kết quả"])

    def show_indicators(self) -> None:
        table = self.indicator_table()
        if len(table):
            html(frame_table_html(table, f"Số liệu toàn tỉnh — {self.label}"))

    def summary(self) -> pd.DataFrame:
        """Per group: units, maximum, mean, lowest and highest points, mean share."""
        rows = []
        for group in self.year.groups:
            points = self.unit_points(group)["points"]
            top = self.maximum(group)
            rows.append({"Nhóm": self.year.catalogue.groups[group].label, "Số đơn vị": len(points),
                         "Điểm tối đa": vn_number(top, 0), "Trung bình": vn_number(points.mean(), 2),
                         "Thấp nhất": vn_number(points.min(), 2), "Cao nhất": vn_number(points.max(), 2),
                         "Tỷ lệ đạt": vn_percent(points.mean() / top, 1)})
        return pd.DataFrame(rows)

    def show_summary(self) -> None:
        html(frame_table_html(self.summary(), f"Điểm theo nhóm đơn vị — {self.label}"))

    def show_charts(self) -> None:
        """One bar per unit where a group is small enough to read so; a histogram otherwise."""
        for group in self.year.groups:
            table, spec = self.unit_points(group), self.year.catalogue.groups[group]
            if len(table) <= BARS_UP_TO:
                svg(charts.ranked_bars(table, "points", f"{self.label} — {spec.plural}",
                                       "Điểm", spec.colour, self.maximum(group)))
            else:
                svg(charts.histogram(table["points"], f"{self.label} — phân bố điểm của {vn_int(len(table))} "
                                     f"{spec.plural}", "Điểm", spec.colour,
                                     self.maximum(group)))

    def show_unit_tables(self) -> None:
        for group in self.year.groups:
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

    @property
    def groups(self) -> list[str]:
        return self.year.groups

    @property
    def ranked_groups(self) -> list[str]:
        return [g for g in self.groups if self.year.catalogue.groups[g].ranked]

    @property
    def classified_groups(self) -> list[str]:
        return [g for g in self.groups if self.year.catalogue.groups[g].classes()]

    def level_counts(self) -> pd.DataFrame:
        """Units per class and classified group; the classes and their labels come from the
        catalogue (the union over the groups, in order)."""
        classes: dict[str, str] = {}
        for group in self.classified_groups:
            classes |= self.year.catalogue.groups[group].classes()
        rows = {}
        for group in self.classified_groups:
            counts = self.tables[group]["level"].value_counts()
            rows[group] = [int(counts.get(value, 0)) for value in classes]
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(classes.values()))

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
        intervals = rank_intervals(table, {p: spec.pillar_max[p] for p in self.year.catalogue.scored_pillars},
                                   settings.runs, settings.seed, settings.weight_spread,
                                   self.year.params.score_decimals)
        return table[["name", "rank"]].join(intervals)

    def robustness_chart(self, group: str) -> str:
        label = self.year.catalogue.groups[group].label
        if len(self.tables[group]) > BARS_UP_TO:
            return ""
        return charts.rank_intervals(self.robustness(group), f"Độ vững thứ hạng — {label.lower()}")

    def robustness_text(self, group: str) -> str:
        return prose.robustness_text(self.year.catalogue.groups[group].label, self.robustness(group),
                                     self.year.catalogue.index_term)

    def robustness_intro(self, number: str = "V") -> str:
        return prose.robustness_intro(self.year, number)

    def map_chart(self) -> str:
        """The choropleth of the group the params map (params `map`), or nothing without one."""
        settings = self.year.params.map
        if settings is None:
            return ""
        geo = json.loads(self.year.params.path(settings.boundaries).read_text(encoding="utf-8"))
        table, spec = self.tables[settings.group], self.year.catalogue.groups[settings.group]
        if settings.points:
            return self._point_map(geo["features"], load_points(self.year.params.path(settings.points)), table, spec)
        if not set(table.index) & {f["properties"]["code"] for f in geo["features"]}:
            return f"<p>Không có ranh giới hành chính cho các {spec.plural} của năm này.</p>"
        labels = {code: f"{short_unit_name(row['name'])}\n{self.score(row['total'])}"
                        + (f" · {row['level']}" if spec.class_heading else "")
                  for code, row in table.iterrows()}
        what = f"Tổng điểm và {spec.class_heading.lower()}" if spec.class_heading else "Tổng điểm"
        return charts.choropleth(geo["features"], table["total"].to_dict(), labels,
                                   f"{what} của các {spec.plural} năm {self.year.params.year}", "Tổng điểm")

    def _point_map(self, outline: list[dict], points: dict, table: pd.DataFrame, spec) -> str:
        """Each unit a point coloured by its class; the best and the last named first."""
        located = {code: points[code] for code in table.index if code in points}
        ordered = table.sort_values("total", ascending=False, kind="stable")
        priority = list(ordered.index[:8]) + list(ordered.index[-5:]) + list(ordered.index[8:-5])
        labels = {code: short_unit_name(table.loc[code, "name"]) for code in priority if code in located}
        what = f"{spec.class_heading} của" if spec.class_heading else "Vị trí"
        return charts.point_map(outline, located, table["level"].to_dict(), list(spec.classes()), labels,
                                f"{what} {vn_int(len(located))} {spec.plural} năm {self.year.params.year}")

    def class_headings(self) -> str:
        """«mức độ», or «mức độ và xếp loại» when groups are classified differently."""
        return " và ".join(dict.fromkeys(self.year.catalogue.groups[g].class_heading.lower()
                                         for g in self.classified_groups))

    def map_text(self, number: str) -> str:
        return prose.map_text(self.year, number)

    def distribution_by_parent(self, group: str) -> str:
        """Box plots of a group's totals within each unit of its parent group (catalogue `parent`)."""
        spec = self.year.catalogue.groups[group]
        if not spec.parent or len(self.tables[spec.parent]) > BARS_UP_TO:
            return ""
        parent = self.year.catalogue.groups[spec.parent]
        names = {u.code: short_unit_name(u.name) for u in self.year.registry.group(spec.parent)}
        table = self.tables[group]
        return charts.boxplot_by_parent(table["total"], table["parent_code"], names,
                                        f"Phân bố tổng điểm của các {spec.plural} trong từng {parent.unit_noun}",
                                        "Tổng điểm", spec.colour)

    def methodology(self) -> str:
        return methodology_html(self.year)

    def succession(self) -> str:
        return succession_html(self.year)

    def score(self, total: float) -> str:
        return vn_number(total, self.year.params.score_decimals)

    def pillar_share_chart(self) -> str:
        shares = pd.DataFrame({
            g: [self.tables[g][p].mean() / self.year.catalogue.groups[g].pillar_max[p] for p in self.year.pillars]
            for g in self.groups}, index=[self.year.catalogue.pillar(p).short_label for p in self.year.pillars])
        labels = {g: self.year.catalogue.groups[g].label for g in self.groups}
        colours = {g: self.year.catalogue.groups[g].colour for g in self.groups}
        return charts.pillar_shares(shares, labels, colours, "Tỷ lệ điểm đạt bình quân so với điểm tối đa của từng "
                                    + self.year.catalogue.index_term)

    def level_table_html(self) -> str:
        counts = self.level_counts()
        counts.index = [self.year.catalogue.groups[g].label for g in counts.index]
        return frame_table_html(counts.reset_index(names="Nhóm"), f"Số đơn vị theo {self.class_headings()}")

    def level_chart(self) -> str:
        labels = {g: self.year.catalogue.groups[g].label for g in self.classified_groups}
        return charts.level_counts(self.level_counts(), labels, f"Số đơn vị theo {self.class_headings()}")

    def change_text(self, number: str = "III") -> str:
        return prose.change_text(self.year, self.tables, self.changes, number)

    def intro_text(self) -> str:
        return prose.intro_text(self.year, self.tables)

    def ranking_text(self, number: str = "II") -> str:
        return prose.ranking_text(self.year, self.tables, number)


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


timing.mark("helpers imported")

__all__ = [
    "PROJECT_ROOT",
    "charts",
    "count_text",
    "figure_text",
    "floor_to",
    "html",
    "md",
    "pillar_run",
    "ranking_run",
    "share_text",
    "svg",
    "vn_int",
    "vn_number",
    "vn_percent",
]
