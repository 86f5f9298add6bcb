"""What the ranking step produces besides its pages: the comparison with the previous year and
build/<year>/results/ (one CSV per group, summary.json)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .pipeline import Year, dump_json, load_year, score_year_directly, write_if_changed


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
    if context.params.comparison.through == "succession":
        return succession_changes(context, tables, before)
    changes = {}
    for group, table in tables.items():
        if group not in before:  # a group the previous catalogue did not assess: nothing to compare
            old = pd.DataFrame(index=table.index, columns=["total", "share", "rank"], dtype=float)
            old_top = None
        else:
            old = before[group].reindex(table.index)
            old_top = before_year.catalogue.groups[group].max_points
        top = context.catalogue.groups[group].max_points
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


def succession_changes(context: Year, tables, before: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each unit against its predecessors (params `registry.succession`): the mean of their shares
    of the maximum in the previous year (equal weights), in this year's points. Predecessors with
    no result that year (units of another former province) are left out; with none, no change."""
    from .registry import year_succession

    succession = year_succession(context.params) or {}  # its presence is checked when the year loads
    shares = pd.concat([table["share"] for table in before.values()])
    changes = {}
    for group, table in tables.items():
        top = context.catalogue.groups[group].max_points
        found = [[shares[link.old_code] for link in succession.get(code, []) if link.old_code in shares]
                 for code in table.index]
        previous_share = pd.Series([sum(s) / len(s) if s else float("nan") for s in found], index=table.index)
        changes[group] = pd.DataFrame({
            "previous_total": previous_share * top, "total_change": (table["share"] - previous_share) * top,
            "same_maximum": False, "predecessors_compared": [len(s) for s in found],
            "predecessors": [len(succession.get(code, [])) for code in table.index]})
    return changes


CHANGE_COLUMNS = ["previous_total", "total_change", "same_maximum", "previous_rank", "rank_change",
                  "predecessors_compared", "predecessors"]


def read_results(year: Year, out: Path) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame] | None]:
    """The ranking step's tables per group (catalogue order) and their previous-year changes."""
    tables = {g: pd.read_csv(out / "results" / f"{g}.csv",
                             dtype={"code": str, "parent_code": str, "level": str}).set_index("code")
              for g in year.groups}
    if year.params.previous_year is None:
        return tables, None
    return tables, {g: t[[c for c in CHANGE_COLUMNS if c in t]] for g, t in tables.items()}


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
