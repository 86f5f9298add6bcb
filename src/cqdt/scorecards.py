"""Per-unit scorecards: where a unit stands per pillar, its strongest and weakest criteria,
its change since the previous year and what it lacks for the next level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Template
from markupsafe import Markup

from .formatting import shown_parts, vn_number, vn_percent, vn_signed
from .fragments import appendix_numbers, environment
from .pipeline import Year, read_pillar_outputs
from .registry import predecessor_text, year_succession
from .results import read_results

_EPSILON = 1e-9


def next_level_gap(total: float, level: str, full: set[str], year: Year, group: str) -> str:
    """What separates a unit from the next level (or band) up, in words."""
    spec = year.catalogue.groups[group]
    if spec.bands:
        return _next_band_gap(total, level, spec)
    if not spec.levels:
        return ""
    rules = spec.levels.rules
    names = [r.level for r in rules]
    if level == names[0]:
        return "Đã đạt mức cao nhất (mức I)."
    target = rules[-1] if level == spec.levels.below_label else rules[names.index(level) - 1]
    needs = []
    points = target.min_share * spec.max_points - total
    if points > _EPSILON:
        needs.append(f"thêm {vn_number(points, 2)} điểm (ngưỡng {vn_number(target.min_share * spec.max_points, 2)})")
    missing = [c for c in target.required_full if c not in full]
    if missing:
        needs.append("đạt tối đa tiêu chí " + ", ".join(missing))
    return f"Để đạt mức {target.level} cần " + " và ".join(needs) + "."


def _next_band_gap(total: float, band: str, spec) -> str:
    labels = [b.label for b in spec.bands.rules]
    if band == labels[0]:
        return f"Đã ở loại cao nhất («{band}»)."
    target = spec.bands.rules[labels.index(band) - 1]
    threshold = target.min_share * spec.max_points
    return (f"Để được xếp loại «{target.label}» cần thêm {vn_number(threshold - total, 2)} điểm "
            f"(ngưỡng {vn_number(threshold, 2)}).")


def cards(year: Year, tables: dict[str, pd.DataFrame], points: pd.DataFrame,
          changes: dict[str, pd.DataFrame] | None, groups: list[str], origins: dict[str, str] | None = None) -> list[dict]:
    labels = {g: {c.id: c.label for c in year.catalogue.criteria(g)} for g in groups}
    appendices = appendix_numbers(tables)
    decimals = year.params.score_decimals
    result = []
    for group in groups:
        table = tables[group]
        spec = year.catalogue.groups[group]
        # What every card of the group prints alike, formatted once (12.600 cards at national scale).
        median, best = table[year.pillars].median(), table[year.pillars].max()
        alike = {p: {"label": _pillar_label(year, p), "median": vn_number(median[p], decimals),
                     "best": vn_number(best[p], decimals), "max": vn_number(spec.pillar_max[p], 0)}
                 for p in year.pillars}
        criteria = _criteria_by_unit(points[points["group"] == group])
        change_rows = changes[group].to_dict("index") if changes else None
        for code, row in zip(table.index, table.to_dict("records"), strict=True):
            ordered = criteria[code]  # weakest first
            full = {criterion for criterion, share in ordered if share >= 1 - _EPSILON}
            shown = shown_parts({p: row[p] for p in year.pillars}, year.scored_pillars, decimals)
            result.append({
                "code": code, "group": group, "group_label": spec.label, "name": row["name"],
                "appendix": appendices.get(group, ""),
                "printed": spec.printed_scorecards, "class_heading": spec.class_heading,
                "total": vn_number(row["total"], decimals), "max": vn_number(spec.max_points, 0),
                "rank": int(row["rank"]) if spec.ranked else None, "units": len(table), "level": row["level"],
                "pillars": [{**alike[p], "points": shown[p],
                             "share": f"{row[p] / spec.pillar_max[p] * 100:.1f}",
                             "share_text": vn_percent(row[p] / spec.pillar_max[p], 0)} for p in year.pillars],
                "strongest": _criteria(ordered[::-1][:3], labels[group]),
                "weakest": _criteria(ordered[:3], labels[group]),
                "change": _change(change_rows, code, decimals, year.params.previous_year,
                                  year.params.comparison.through == "succession", row["total"]),
                "next_level": next_level_gap(row["total"], row["level"], full, year, group),
                "formed_from": (origins or {}).get(code, ""),
            })
    return result


def _pillar_label(year: Year, pillar: str) -> str:
    spec = year.catalogue.pillar(pillar)
    return spec.short_label + ("" if spec.scored else " (không tính điểm)")


def _criteria_by_unit(points: pd.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """Each unit's (criterion, share of its maximum), weakest first, ties by criterion id; one sort
    for the whole group (a sort per unit took a minute at national scale)."""
    frame = points.assign(share=points["points"] / points["max_points"])
    frame = frame.sort_values(["code", "share", "criterion"], kind="stable")
    by_unit: dict[str, list[tuple[str, float]]] = {}
    # As Python lists: iterating a pandas string column reads it element by element (half a million
    # reads at national scale).
    for code, criterion, share in zip(frame["code"].tolist(), frame["criterion"].tolist(), frame["share"].tolist(),
                                      strict=True):
        by_unit.setdefault(code, []).append((criterion, share))
    return by_unit


def _criteria(rows: list[tuple[str, float]], labels: dict[str, str]) -> list[dict]:
    return [{"id": criterion, "label": labels[criterion], "share": vn_percent(share, 0)} for criterion, share in rows]


def _change(rows: dict[str, dict] | None, code: str, decimals: int, previous: int | None,
            through_succession: bool = False, total: float = 0.0) -> str:
    if rows is None:
        return ""
    row = rows.get(code)
    if row is None or pd.isna(row["total_change"]):
        if through_succession:
            return f"Không đơn vị tiền thân nào có kết quả năm {previous} để so sánh."
        return f"Không có kết quả năm {previous} để so sánh."
    if through_succession:
        return (f"So với năm {previous} (ước tính từ kết quả của {int(row['predecessors_compared'])}/"
                f"{int(row['predecessors'])} đơn vị tiền thân, theo tỷ lệ điểm đạt): "
                f"{vn_signed(row['total_change'], decimals)} điểm.")
    text = f"So với năm {previous}: {vn_signed(row['total_change'], decimals)} điểm"
    if not row["same_maximum"]:
        text += (f" (tính theo tỷ lệ điểm đạt vì điểm tối đa thay đổi; chênh lệch điểm thô "
                 f"{vn_signed(total - row['previous_total'], decimals)})")
    if "rank_change" in row and not pd.isna(row["rank_change"]):
        moved = int(row["rank_change"])
        text += f", {'tăng' if moved > 0 else 'giảm'} {abs(moved)} bậc" if moved else ", giữ nguyên thứ hạng"
    return text + "."


def card_markup(year: Year, card_list: list[dict]) -> Markup:
    """The cards' markup, made once for each card: the printed ones go to the scorecards PDF and then
    into the report (at national scale, rendering the 2.000 printed cards again took 0,11–0,28 s)."""
    return _template().module.card_list(card_list, year.catalogue.index_term)


def scorecards_html(year: Year, *markup: Markup) -> str:
    """The scorecards' section around cards already made (card_markup), in turn."""
    return _template().render(cards=Markup("").join(markup), year=year.params.year,
                              index_term=year.catalogue.index_term)


def _template() -> Template:
    return environment().get_template("scorecards.html.j2")


class YearScorecards:
    """The scorecards of a built year, from the ranking notebook's results and the pillars' points
    in `out`; group by group, so that the printed ones can go to the printer first."""

    def __init__(self, year: Year, out: Path):
        self.year = year
        self.points, _ = read_pillar_outputs(year, out)
        self.tables, self.changes = read_results(year, out)
        self.origins = year_origins(year)

    def cards(self, printed: bool) -> list[dict]:
        """The cards of the groups whose cards are printed (or of the others)."""
        groups = [g for g, spec in self.year.catalogue.groups.items() if spec.printed_scorecards == printed]
        return cards(self.year, self.tables, self.points, self.changes, groups, self.origins)


def year_origins(year: Year) -> dict[str, str] | None:
    """«Hình thành từ …» per unit code, in a year whose registry has a succession table."""
    succession = year_succession(year.params)
    return None if succession is None else {code: predecessor_text(links) for code, links in succession.items()}
