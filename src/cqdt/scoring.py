"""Raw figures → points per criterion → pillar points. Kept unrounded throughout."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import BestShare, CappedCount, Catalogue, Criterion, Percent, Ratio, Steps, YesNo

POINT_COLUMNS = ["group", "code", "pillar", "criterion", "points", "max_points"]


def criterion_points(criterion: Criterion, figures: pd.DataFrame) -> pd.Series:
    """Points of one criterion for every unit of a group (the frame holds the whole group)."""
    top = criterion.max_points
    if isinstance(criterion, YesNo):
        points = figures[criterion.field].eq(1).astype(float) * top
    elif isinstance(criterion, Ratio):
        numerator, denominator = figures[criterion.numerator], figures[criterion.denominator]
        share = np.where(denominator > 0, numerator / denominator.where(denominator > 0, 1), 0.0)
        points = pd.Series(np.minimum(share, 1.0) * top, index=figures.index)
    elif isinstance(criterion, Percent):
        points = figures[criterion.field].clip(upper=100) / 100 * top
    elif isinstance(criterion, Steps):
        points = figures[criterion.field].map(lambda value: _step_points(criterion, value))
    elif isinstance(criterion, CappedCount):
        points = (figures[criterion.field] * criterion.points_each).clip(upper=top)
    elif isinstance(criterion, BestShare):
        best = figures[criterion.field].max()
        points = figures[criterion.field] / best * top if best > 0 else figures[criterion.field] * 0.0
    else:  # pragma: no cover — the catalogue's discriminated union admits nothing else
        raise TypeError(type(criterion).__name__)
    return points.astype(float).rename(criterion.id)


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
