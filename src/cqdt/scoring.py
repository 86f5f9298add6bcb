"""Raw figures → points per criterion → pillar points. Kept unrounded throughout."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from .catalogue import BestShare, CappedCount, Catalogue, Criterion, Percent, Ratio, Steps, YesNo

POINT_COLUMNS = ["group", "code", "pillar", "criterion", "points", "max_points"]


def criterion_points(criterion: Criterion, figures: pd.DataFrame) -> pd.Series:
    """Points of one criterion for every unit of a group (the frame holds the whole group)."""
    points = _points(criterion, lambda field: figures[field].to_numpy(dtype=float))
    return pd.Series(points, index=figures.index, name=criterion.id)


def unit_points(criterion: Criterion, figures: Mapping[str, float]) -> float:
    """Points of one criterion for one unit's figures: the rules of `criterion_points` without a frame,
    for callers that score a unit many times over (the reconstruction's calibration). A best-share
    criterion needs its group and is refused here."""
    if isinstance(criterion, BestShare):
        raise TypeError("best_share compares a unit with its group: use criterion_points")
    return float(_points(criterion, lambda field: np.array([figures[field]], dtype=float))[0])


def _points(criterion: Criterion, column: Callable[[str], np.ndarray]) -> np.ndarray:
    """The points of `criterion` for the units whose figures `column(field)` gives, in that order.
    Plain numpy on float arrays: the same arithmetic as on the frame's columns, without pandas'
    per-operation cost."""
    top = criterion.max_points
    if isinstance(criterion, YesNo):
        return (column(criterion.field) == 1).astype(float) * top
    if isinstance(criterion, Ratio):
        numerator, denominator = column(criterion.numerator), column(criterion.denominator)
        positive = denominator > 0
        share = np.where(positive, numerator / np.where(positive, denominator, 1.0), 0.0)
        return np.minimum(share, 1.0) * top
    if isinstance(criterion, Percent):
        return _at_most(column(criterion.field), 100.0) / 100 * top
    if isinstance(criterion, Steps):
        return np.array([_step_points(criterion, value) for value in column(criterion.field)], dtype=float)
    if isinstance(criterion, CappedCount):
        return _at_most(column(criterion.field) * criterion.points_each, top)
    if isinstance(criterion, BestShare):
        values = column(criterion.field)
        known = values[~np.isnan(values)]
        best = known.max() if known.size else np.nan  # the best unit, a missing figure left out
        return values / best * top if best > 0 else values * 0.0
    raise TypeError(type(criterion).__name__)  # pragma: no cover — the catalogue's union admits nothing else


def _at_most(values: np.ndarray, cap: float) -> np.ndarray:
    """`values` capped at `cap`, a missing figure staying missing (as pandas' clip keeps it)."""
    return np.where(values > cap, cap, values)


def _step_points(criterion: Steps, value: float) -> float:
    reached = [step.points for step in criterion.steps if value >= step.at_least]
    return float(reached[-1]) if reached else 0.0


def score_pillar(catalogue: Catalogue, group: str, pillar: str, figures: pd.DataFrame) -> pd.DataFrame:
    """Tidy points of one pillar for one group: a row per unit and criterion."""
    frames = []
    for criterion in catalogue.criteria(group, pillar):
        points = criterion_points(criterion, figures)
        frames.append(pd.DataFrame({
            "group": group, "code": figures.index, "pillar": pillar, "criterion": criterion.id,
            "points": points.to_numpy(), "max_points": criterion.max_points,
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POINT_COLUMNS)
