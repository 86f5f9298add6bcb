"""Totals, competition ranking (17, 17, 19) and classification (levels I–IV, or named bands)."""

from __future__ import annotations

import pandas as pd

from .catalogue import Catalogue, Group
from .formatting import round_half_up

_EPSILON = 1e-9


def competition_rank(totals: pd.Series, decimals: int) -> pd.Series:
    """Rank by total at the published precision; equal totals share a rank, the next is skipped."""
    shown = totals.map(lambda value: round_half_up(value, decimals))
    return shown.rank(method="min", ascending=False).astype(int)


def assign_level(total: float, full_criteria: set[str], group: Group) -> str:
    """The group's class of a unit: the highest level whose share and mandatory criteria it meets,
    the highest band whose share it reaches, or nothing when the group is not classified."""
    share = total / group.max_points
    if group.levels:
        for rule in group.levels.rules:
            if share + _EPSILON >= rule.min_share and set(rule.required_full) <= full_criteria:
                return rule.level
        return group.levels.below_label
    if group.bands:
        return next(band.label for band in group.bands.rules if share + _EPSILON >= band.min_share)
    return ""


def consolidate(points: pd.DataFrame, catalogue: Catalogue, group_name: str, decimals: int) -> pd.DataFrame:
    """One row per unit: points per pillar (unscored ones too), total of the scored pillars, share
    of maximum, rank (ranked groups) and class."""
    group, scored = catalogue.groups[group_name], catalogue.scored_pillars
    own = points[points["group"] == group_name]
    table = own.pivot_table(index="code", columns="pillar", values="points", aggfunc="sum", sort=False)
    table = table.reindex(columns=[p.id for p in catalogue.pillars]).fillna(0.0)
    table["total"] = table[scored].sum(axis=1)
    table["share"] = table["total"] / group.max_points
    own = own[own["pillar"].isin(scored)]  # an unscored index's criteria decide nothing
    full = own[own["points"] >= own["max_points"] - _EPSILON].groupby("code")["criterion"].apply(set)
    table["level"] = [assign_level(total, full.get(code, set()), group) for code, total in table["total"].items()]
    table["rank"] = competition_rank(table["total"], decimals) if group.ranked else pd.NA
    return table
