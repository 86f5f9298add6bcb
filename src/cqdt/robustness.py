"""Rank robustness: a seeded Monte Carlo over pillar weights and the scoring variant.

Each run draws one weight per pillar, uniformly in [1 − spread, 1 + spread], and one of two
aggregations with equal chance: the catalogue's (weighted pillar points) or a normalised one
(weighted pillar shares of their maxima, so every pillar counts alike, scaled back to points).
Units are ranked in each run by the official tie rule (ranking.competition_ranks: totals at the
published precision); the result is the median rank and the 5th–95th percentile interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ranking import competition_ranks

# An interval this wide or wider means the rank depends on the weighting.
UNSTABLE_WIDTH = 3


def rank_intervals(points: pd.DataFrame, pillar_max: dict[str, float], runs: int, seed: int,
                   spread: float, decimals: int) -> pd.DataFrame:
    """Median rank and 5th–95th percentile of the rank of every unit (rows of `points`)."""
    pillars = list(pillar_max)
    matrix = points[pillars].to_numpy(dtype=float)
    maxima = np.array([pillar_max[p] for p in pillars])
    rng = np.random.default_rng(seed)
    weights = rng.uniform(1 - spread, 1 + spread, size=(runs, len(pillars)))
    normalised = rng.random(runs) < 0.5
    catalogue_scores = matrix @ weights.T
    # On the points scale (each pillar worth the mean pillar maximum), so that the published
    # precision means the same in both variants.
    share_scores = (matrix / maxima) @ weights.T * maxima.mean()
    scores = np.where(normalised[None, :], share_scores, catalogue_scores)
    ranks = competition_ranks(scores, decimals)  # the official tie rule, at the published precision
    result = pd.DataFrame({
        "median_rank": np.median(ranks, axis=1),
        "p05": np.percentile(ranks, 5, axis=1, method="inverted_cdf"),
        "p95": np.percentile(ranks, 95, axis=1, method="inverted_cdf"),
    }, index=points.index)
    result["robust"] = (result["p95"] - result["p05"]) < UNSTABLE_WIDTH
    return result
