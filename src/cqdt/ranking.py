"""Totals, competition ranking (17, 17, 19) and classification (levels I–IV, or named bands)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import Catalogue, Group
from .formatting import round_half_up_array

_EPSILON = 1e-9


def competition_ranks(scores: np.ndarray, decimals: int) -> np.ndarray:
    """The one tie rule of the project, for each column of `scores` (units × runs): a unit's rank is
    1 + the number of units whose total, rounded half up to the published precision, is higher.
    Equal shown totals share a rank and the next is skipped (17, 17, 19)."""
    shown = round_half_up_array(scores, decimals)
    ordered = np.sort(shown, axis=0)
    ranks = np.empty(shown.shape, dtype=int)
    for run in range(shown.shape[1]):
        ranks[:, run] = len(shown) - np.searchsorted(ordered[:, run], shown[:, run], side="right") + 1
    return ranks


def competition_rank(totals: pd.Series, decimals: int) -> pd.Series:
    """The official ranks of a group's totals (competition_ranks of one run)."""
    ranks = competition_ranks(totals.to_numpy(dtype=float)[:, None], decimals)[:, 0]
    return pd.Series(ranks, index=totals.index, name=totals.name)


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


def _full_criteria(fully: pd.DataFrame) -> dict[str, set[str]]:
    """Each unit's criteria at their maximum. Gathered from plain lists: a pandas group per unit took
    0,6 s for a national year's 12.600 units."""
    full: dict[str, set[str]] = {}
    for code, criterion in zip(fully["code"].tolist(), fully["criterion"].tolist(), strict=True):
        full.setdefault(code, set()).add(criterion)
    return full


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
    full = _full_criteria(own[own["points"] >= own["max_points"] - _EPSILON])
    table["level"] = [assign_level(total, full.get(code, set()), group) for code, total in table["total"].items()]
    table["rank"] = competition_rank(table["total"], decimals) if group.ranked else pd.NA
    return table
