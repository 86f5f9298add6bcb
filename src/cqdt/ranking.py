"""Totals, competition ranking (17, 17, 19) and levels (mức độ I–IV)."""

from __future__ import annotations

import pandas as pd

from .catalogue import Group
from .formatting import round_half_up

_EPSILON = 1e-9


def competition_rank(totals: pd.Series, decimals: int) -> pd.Series:
    """Rank by total at the published precision; equal totals share a rank, the next is skipped."""
    shown = totals.map(lambda value: round_half_up(value, decimals))
    return shown.rank(method="min", ascending=False).astype(int)


def assign_level(total: float, full_criteria: set[str], group: Group) -> str:
    """The highest level whose score share and mandatory criteria the unit meets."""
    share = total / group.max_points
    for rule in group.levels.rules:
        if share + _EPSILON >= rule.min_share and set(rule.required_full) <= full_criteria:
            return rule.level
    return group.levels.below_label


def consolidate(points: pd.DataFrame, group_name: str, group: Group, pillars: list[str],
                decimals: int) -> pd.DataFrame:
    """One row per unit: points per pillar, total, share of maximum, rank (ranked groups) and level."""
    own = points[points["group"] == group_name]
    table = own.pivot_table(index="code", columns="pillar", values="points", aggfunc="sum", sort=False)
    table = table.reindex(columns=pillars).fillna(0.0)
    table["total"] = table[pillars].sum(axis=1)
    table["share"] = table["total"] / group.max_points
    full = own[own["points"] >= own["max_points"] - _EPSILON].groupby("code")["criterion"].apply(set)
    table["level"] = [assign_level(total, full.get(code, set()), group) for code, total in table["total"].items()]
    table["rank"] = competition_rank(table["total"], decimals) if group.ranked else pd.NA
    return table
