"""HTML fragments the notebooks display: the decision, its appendices, the per-unit criterion
tables and the methodology annex (the words of the report are written once, here and in the
templates; render.py assembles the executed notebooks into the report page).

Only the notebooks' kernels and the scorecards import this module: an edit of the render step's
own code (render, report, pdf, printparts) reruns the render only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .config import params_path
from .errors import CqdtError, Issue
from .formatting import capital_first, join_words, roman, shown_parts, vn_date, vn_int, vn_number, vn_signed
from .pipeline import Year


class _ItemsFirst(Environment):
    """Jinja reading `card.name` of a dict as its item at once: Jinja tries the attribute first and
    takes an AttributeError for each such read (two million at national scale, a tenth of the render's
    profiled time).
    A dict's methods (`files.items()`) stay methods, whatever its keys."""

    def getattr(self, obj: object, attribute: str) -> object:
        if type(obj) is dict and attribute in obj and attribute not in _DICT_METHODS:
            return obj[attribute]
        return super().getattr(obj, attribute)


_DICT_METHODS = frozenset(dir(dict))


@functools.cache
def environment() -> Environment:
    """The project's Jinja environment, made once per process so that it keeps the templates it
    compiled (a fresh environment per call compiled the appendix template once per appendix)."""
    env = _ItemsFirst(loader=PackageLoader("cqdt", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=False, lstrip_blocks=False, bytecode_cache=template_cache())
    env.filters["capital_first"] = capital_first  # Jinja's `capitalize` lowers the rest
    env.filters["keep_last_words"] = keep_last_words
    env.globals["zip"] = zip  # a row's cells beside the table's columns
    return env


@functools.cache
def template_cache() -> FileSystemBytecodeCache:
    """Compiled templates kept between runs, keyed by each template's source (an edited template is
    compiled again): compiling the report's templates took a tenth of a second of every render. In
    Jinja's per-user folder under the system's temporary folder, which Jinja creates private to the
    user and refuses to use otherwise."""
    return FileSystemBytecodeCache()


def keep_last_words(text: str, words: int = 3) -> Markup:
    """The paragraph's last words kept on one line, so that its last line is never a lone fragment
    such as «I);» (the text is escaped; the words keep their ordinary spaces)."""
    parts = str(text).rsplit(" ", words)
    if len(parts) <= words:
        return Markup(escape(text))
    return Markup(escape(parts[0])) + Markup(' <span class="keep">{}</span>').format(" ".join(parts[1:]))


def short_date(year: Year) -> str:
    day = year.params.decision.date
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day.day < 10 else f"{day.day}/{day.month}/{day.year}"


@dataclass(frozen=True)
class Notice:
    """What the first page says the project invented, its heading naming what: the figures (and
    with them everything), or only the criteria that official figures are scored against."""
    heading: str
    text: str


def reconstruction_notice(year: Year) -> Notice | None:
    parts = []
    if year.params.reconstructed:
        parts.append(year.params.data_note)
    if year.catalogue.reconstructed:
        parts.append(year.catalogue.reconstruction_note)
    text = " ".join(p.strip() for p in parts if p)
    if not text:
        return None
    heading = ("Lưu ý: bản mô phỏng từ dữ liệu tái dựng." if year.params.reconstructed
               else "Lưu ý: số liệu chính thức, chấm theo bộ tiêu chí tái dựng.")
    return Notice(heading, text)


def appendix_numbers(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Phụ lục I, II, … in the order of the groups present (one place numbers the appendices)."""
    present = [g for g, table in tables.items() if len(table)]  # tables come in the catalogue's order
    return {group: roman(index) for index, group in enumerate(present, start=1)}


def articles(year: Year, tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The decision's articles, worded by params (decision.results, decision.articles)."""
    d, y = year.params.decision, year.params.year
    when = {"year": y, "next_year": y + 1}
    numbers = appendix_numbers(tables)
    items = []
    for index, group in enumerate(numbers, start=1):
        if group not in d.results.groups:
            raise CqdtError(Issue(f"chưa có câu của nhóm «{group}» cho Điều 1 của Quyết định",
                                  file=params_path(y), column="decision.results.groups"))
        text = d.results.groups[group].format(count=vn_int(len(tables[group])), **when)
        items.append(d.results.item.format(number=index, text=text, appendix=numbers[group],
                                           end="." if index == len(numbers) else ";"))
    return [{"lead": d.results.lead.format(**when), "items": items}] + [
        {"lead": a.lead.format(**when), "items": [i.format(**when) for i in a.items]} for a in d.articles]


@dataclass(frozen=True)
class Column:
    """One column of an appendix table: its heading, whether it holds numbers, and its HTML class."""
    label: str
    numeric: bool
    css: str = ""  # the cells' classes
    links_unit: bool = False  # the cell links to the unit's scorecard
    weight: float = 1.0  # its share of the width in a printed table (the Word draft)
    secondary: bool = False  # on a phone, shown on request (the key columns fit the screen)
    ordered: bool = False  # text that sorts by its value (levels: I before II, not alphabetically)

    @property
    def sort(self) -> str:
        return "number" if self.numeric or self.ordered else "text"

    @functools.cached_property
    def cell_class(self) -> str:
        """The class attribute of its cells in the HTML (once per column, not per cell: a national
        appendix has 10.600 rows)."""
        return self.css + (" secondary" if self.secondary else "")

    @property
    def head_css(self) -> str:
        return " ".join(c for c in self.css.split() if c in ("num", "print-hide"))


@dataclass(frozen=True)
class Cell:
    """What a cell shows and, for numbers and levels, the value it sorts and is exported by."""
    text: str
    value: float | int | None = None


@dataclass(frozen=True)
class Row:
    """A unit's row, or (code None) the heading row of a parent unit in a grouped appendix."""
    code: str | None
    cells: tuple[Cell, ...] = ()
    heading: str = ""
    parent: str = ""


@dataclass(frozen=True)
class Appendix:
    """One appendix of the decision, as the HTML page, the Word draft and the Excel workbook show it."""
    number: str
    group: str
    title: str
    reference: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]
    searchable: bool

    @property
    def anchor(self) -> str:
        return f"phu-luc-{self.number.lower()}"

    @property
    def table_id(self) -> str:
        return f"bang-{self.number.lower()}"

    def unit_rows(self) -> list[Row]:
        return [row for row in self.rows if row.code is not None]


@dataclass(frozen=True)
class Decision:
    """The decision's text: params' wording with the year's figures filled in."""
    d: object  # the params' decision block
    date_text: str
    articles: list[dict]
    notice: Notice | None
    appendices: list[Appendix]


def decision_document(year: Year, tables: dict[str, pd.DataFrame],
                      changes: dict[str, pd.DataFrame] | None) -> Decision:
    """The decision and its appendices, from the ranking step's results: one model that the report
    page, the Word draft and the Excel appendices are all written from."""
    d = year.params.decision
    appendices = [appendix_table(year, group, tables[group], number, changes.get(group) if changes else None)
                  for group, number in appendix_numbers(tables).items()]
    return Decision(d=d, date_text=vn_date(d.date), articles=articles(year, tables),
                    notice=reconstruction_notice(year), appendices=appendices)


def front_matter(document: Decision) -> list[str]:
    """The decision and its appendices as HTML (the render writes them: a wording or template edit
    reruns the render only)."""
    return [decision_html(document)] + [appendix_html(a) for a in document.appendices]


def decision_html(document: Decision) -> str:
    return environment().get_template("decision.html.j2").render(
        d=document.d, date_text=document.date_text, articles=document.articles, notice=document.notice)


def appendix_html(appendix: Appendix) -> str:
    return environment().get_template("appendix.html.j2").render(a=appendix)


def appendix_table(year: Year, group: str, table: pd.DataFrame, number: str,
                   changes: pd.DataFrame | None = None) -> Appendix:
    spec = year.catalogue.groups[group]
    pillars = [year.catalogue.pillar(p) for p in year.pillars]
    approximate = year.params.comparison.through == "succession"
    rescaled = changes is not None and not approximate and not bool(changes["same_maximum"].all())
    columns = [Column("Hạng" if spec.ranked else "TT", True, "num"), Column("Đơn vị", False, "unit", links_unit=True, weight=4.0)]
    if spec.parent:
        columns.append(Column("Thuộc", False, "print-hide", weight=2.5, secondary=True))
    columns += [Column(p.short_label + ("" if p.scored else "*"), True, "num", secondary=True) for p in pillars]
    columns.append(Column(f"Tổng điểm (tối đa {vn_number(spec.max_points, 0)})", True, "num total", weight=1.3))
    if spec.class_heading:
        columns.append(Column(spec.class_heading, False, "level", weight=1.6, ordered=True))
    if changes is not None:
        columns.append(Column(f"So với {year.params.previous_year}" + ("*" if approximate else ""), True,
                              "num change", weight=1.6))
    notes = []
    if rescaled:
        notes.append(f"† Điểm tối đa của nhóm thay đổi so với năm {year.params.previous_year}: chênh lệch tính theo "
                     "tỷ lệ điểm đạt, quy ra điểm năm nay; trong ngoặc là chênh lệch điểm thô.")
    if changes is not None and approximate:
        notes.append(f"* Ước tính: so với tỷ lệ điểm đạt bình quân năm {year.params.previous_year} của các đơn vị "
                     "tiền thân có kết quả (trọng số bằng nhau), quy ra điểm năm nay; «không có»: không đơn vị "
                     f"tiền thân nào có kết quả năm {year.params.previous_year}.")
    unscored = [p.label for p in pillars if not p.scored]
    if unscored:
        notes.append(f"* {', '.join(unscored)}: đánh giá và công bố, không tính vào tổng điểm.")
    return Appendix(number=number, group=group, title=spec.appendix_title.format(year=year.params.year),
                    reference=f"(Kèm theo Quyết định số {year.params.decision.number} ngày {short_date(year)} "
                              f"của {year.params.decision.issuer_name})",
                    columns=tuple(columns), rows=tuple(_appendix_rows(year, group, table, changes)),
                    notes=tuple(notes), searchable=len(table) > 30)


def _appendix_rows(year: Year, group: str, table: pd.DataFrame, changes: pd.DataFrame | None) -> list[Row]:
    spec = year.catalogue.groups[group]
    decimals = year.params.score_decimals
    names = year.registry.by_code()
    level_order = {label: index for index, label in enumerate(spec.classes(), start=1)}  # best first
    approximate = year.params.comparison.through == "succession"
    rows, current_parent = [], None
    records = zip(table.index, table.to_dict("records"), strict=True)  # iterrows builds a Series per row
    change_rows = changes.to_dict("index") if changes is not None else None
    for counter, (code, row) in enumerate(records, start=1):
        parent = names[row["parent_code"]].name if spec.parent else ""
        if spec.parent and row["parent_code"] != current_parent:
            current_parent = row["parent_code"]
            rows.append(Row(code=None, heading=parent))
        order = int(row["rank"]) if spec.ranked else counter
        cells = [Cell(str(order), order), Cell(row["name"])] + ([Cell(parent)] if spec.parent else [])
        shown = shown_parts({p: row[p] for p in year.pillars}, year.scored_pillars, decimals)
        cells += [Cell(shown[p], row[p]) for p in year.pillars]
        cells.append(Cell(vn_number(row["total"], decimals), row["total"]))
        if spec.class_heading:
            cells.append(Cell(row["level"], level_order.get(row["level"])))
        if change_rows is not None:
            cells.append(_change_cell(change_rows.get(code), row["total"], spec.ranked, decimals, approximate))
        rows.append(Row(code=code, cells=tuple(cells), parent=parent))
    return rows


def _change_cell(change: dict | None, total, ranked, decimals, through_succession: bool) -> Cell:
    if change is None or pd.isna(change["total_change"]):
        return Cell("không có" if through_succession else "mới")
    delta = change["total_change"]
    text = vn_signed(delta, decimals)
    if not through_succession and not bool(change["same_maximum"]):
        # Compared by share of the maximum, which changed: marked, with the plain difference beside it.
        text += f"† ({vn_signed(total - change['previous_total'], decimals)})"
    if ranked and not pd.isna(change.get("rank_change", float("nan"))):
        moved = int(change["rank_change"])
        arrow = f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "="
        text += f" ({arrow})"
    return Cell(text, float(delta))


def points_table_html(year: Year, group: str, pillar: str, points: pd.DataFrame) -> str:
    """Per-unit criterion points of one pillar (a foldable table in the HTML, left out of the PDF)."""
    names = year.registry.by_code()
    criteria = year.catalogue.criteria(group, pillar)
    own = points[points["group"] == group].pivot_table(index="code", columns="criterion", values="points",
                                                         aggfunc="sum", sort=False)
    own = own.reindex(index=[u.code for u in year.registry.group(group)], columns=[c.id for c in criteria])
    rows = [{"name": names[code].name, "code": code,
             "cells": [vn_number(v, 2) for v in own.loc[code]], "total": vn_number(own.loc[code].sum(), 2)}
            for code in own.index]
    return environment().from_string(_POINTS_TEMPLATE).render(
        rows=rows, criteria=criteria, group_label=year.catalogue.groups[group].label, table_id=f"{pillar}-{group}",
        maximum=vn_number(sum(c.max_points for c in criteria), 0))


_POINTS_TEMPLATE = """<!-- cqdt:screen-only -->
<details class="unit-points"><summary>Điểm từng tiêu chí của {{ rows|length }} đơn vị — {{ group_label }}</summary>
<div class="table-wrap"><table class="data-table sortable" id="diem-{{ table_id }}">
<caption class="visually-hidden">Điểm từng tiêu chí — {{ group_label }}</caption>
<thead><tr><th scope="col" data-sort="text">Đơn vị</th>
{%- for c in criteria %}<th scope="col" class="num" data-sort="number" title="{{ c.label }}">{{ c.id }}<br>(tối đa {{ '%g' % c.max_points }})</th>{% endfor %}
<th scope="col" class="num" data-sort="number">Cộng (tối đa {{ maximum }})</th></tr></thead>
<tbody>{% for r in rows %}<tr data-code="{{ r.code }}"><td>{{ r.name }}</td>
{%- for v in r.cells %}<td class="num">{{ v }}</td>{% endfor %}<td class="num total">{{ r.total }}</td></tr>{% endfor %}
</tbody></table></div></details>
<!-- /cqdt:screen-only -->"""


def frame_table_html(frame: pd.DataFrame, caption: str) -> str:
    """A small table of already formatted figures (a notebook's summary), with its caption for
    screen readers; numbers right-aligned."""
    numeric = [all(_looks_numeric(v) for v in frame[c]) for c in frame.columns]
    return environment().get_template("frame_table.html.j2").render(
        caption=caption, columns=list(zip(frame.columns, numeric, strict=True)), rows=frame.itertuples(index=False))


def _looks_numeric(value) -> bool:
    text = str(value).replace(".", "").replace(",", "").replace("%", "").replace("/", "").replace(" ", "")
    return text.lstrip("+−-").isdigit()


def provenance_html(record: dict) -> str:
    """The provenance annex: the ranking step's record (build/<year>/provenance.json)."""
    return environment().get_template("provenance.html.j2").render(p=record)


def succession_html(year: Year) -> str:
    """The annex of the succession of units (a year whose registry has a succession table)."""
    from .registry import predecessor_text, year_succession

    succession = year_succession(year.params)
    if succession is None:
        return ""
    rows = [{"code": u.code, "name": u.name, "group": year.catalogue.groups[u.group].label,
             "from": predecessor_text(succession.get(u.code, [])) or "—"} for u in year.registry.units]
    return environment().get_template("succession.html.j2").render(rows=rows, year=year.params.year)


# ---------------------------------------------------------------- methodology annex

def formula_text(criterion, labels: dict[str, str]) -> str:
    """The scoring rule of a criterion in words (Vietnamese)."""
    top = vn_number(criterion.max_points, 2, strip_zeros=True)
    rule = criterion.rule
    if rule == "yes_no":
        return f"«{labels[criterion.field]}»: Có được {top} điểm, Không được 0 điểm"
    if rule == "ratio":
        return (f"{top} × «{labels[criterion.numerator]}» / «{labels[criterion.denominator]}» "
                "(tối đa bằng điểm tối đa; mẫu số bằng 0 thì 0 điểm)")
    if rule == "percent":
        return f"{top} × «{labels[criterion.field]}» (%) / 100"
    if rule == "steps":
        steps = "; ".join(f"từ {vn_number(s.at_least, 2, strip_zeros=True)}: {vn_number(s.points, 2, strip_zeros=True)} điểm"
                          for s in criterion.steps)
        return f"Theo bậc của «{labels[criterion.field]}»: {steps}"
    if rule == "capped_count":
        each = vn_number(criterion.points_each, 3, strip_zeros=True)
        return f"{each} điểm × «{labels[criterion.field]}», tối đa {top} điểm"
    return f"{top} × «{labels[criterion.field]}» / giá trị cao nhất trong nhóm"


def _share(value: float) -> str:
    return vn_number(value * 100, 1, strip_zeros=True) + "%"


def _index_text(cat, criterion) -> str:
    """«Sẵn sàng» or, in a nested catalogue, «Hạ tầng số › Hạ tầng kỹ thuật»."""
    pillar = cat.pillar(criterion.pillar)
    return pillar.short_label + (f" › {pillar.component(criterion.component).label}" if criterion.component else "")


def methodology_html(year: Year) -> str:
    cat = year.catalogue
    groups = []
    for spec in cat.groups.values():
        labels = {f.id: f.label for f in spec.fields}
        groups.append({
            "label": spec.label, "max": vn_number(spec.max_points, 0),
            "levels": spec.levels and {"below": spec.levels.below_label, "rules": [
                {"level": r.level, "share": _share(r.min_share), "required": ", ".join(r.required_full)}
                for r in spec.levels.rules]},
            "bands": spec.bands and {"heading": spec.bands.heading, "rules": [
                {"label": b.label, "share": _share(b.min_share)} for b in spec.bands.rules]},
            "criteria": [{"id": c.id, "label": c.label, "pillar": _index_text(cat, c),
                          "max": vn_number(c.max_points, 2, strip_zeros=True), "formula": formula_text(c, labels)}
                         for c in spec.criteria],
        })
    ranked = [g.plural for g in cat.groups.values() if g.ranked]
    unranked = [g.plural for g in cat.groups.values() if not g.ranked]
    return environment().get_template("methodology.html.j2").render(
        cat=cat, groups=groups, decimals=year.params.score_decimals, ranked=join_words(ranked),
        unranked=join_words(unranked), unscored=[p.label for p in cat.pillars if not p.scored])
