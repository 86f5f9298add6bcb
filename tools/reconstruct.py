"""Deterministic generator of the reconstructed input workbooks (data/<year>/): a tool the project's
developers run (`make data YEAR=…`, i.e. `python -m tools.reconstruct --year …`), not part of the
package that scores a year.

The real survey figures are not public. This writes raw figures (counts, yes/no,
amounts — never points) for every unit, seeded and reproducible, calibrated so that
the package's own scoring reproduces every published total, rank, order and level
count (data/published.yaml) and stays plausible elsewhere. An analyst replaces its
output with the real forms (`make forms`, `make collect`), whose workbooks say so.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from cqdt.catalogue import BestShare, CappedCount, Catalogue, Criterion, Percent, Ratio, Steps, YesNo, load_catalogue
from cqdt.cli import VietnameseParser, year_argument
from cqdt.config import YearParams, load_params
from cqdt.errors import CqdtError
from cqdt.formatting import round_half_up
from cqdt.paths import PROJECT_ROOT
from cqdt.ranking import consolidate
from cqdt.scoring import score_pillar, unit_points
from cqdt.units import Registry, Unit, load_registry
from cqdt.workbooks import write_group_workbook, write_province_workbook
from cqdt.yamlio import load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RatioShare(_Strict):
    """A ratio's share drawn as base + per_quality × quality + noise, kept within [low, high]."""

    base: float
    per_quality: float = 0.0
    noise: float = 0.0
    low: float = 0.0
    high: float = 1.0
    groups: list[str] | None = None  # only for these groups (all when absent)


class ChildShare(_Strict):
    offset: float = 0.12
    noise: float = 0.08
    low: float = 0.3


class Dossiers(_Strict):
    """Dossiers received per unit: a province total split between groups (lognormal weights)."""

    received: str
    resolved: str
    totals: dict[int, int] = {}  # per year; 2.000 per unit when a year is absent
    shares: dict[str, float]
    spread: dict[str, float]


class Reconstruction(_Strict):
    """What the generator assumes for a catalogue (config/tai-dung/*.yaml, named by params
    `reconstruction`); every setting has a neutral default, so any catalogue can be generated."""

    seeds: dict[str, int] = {}
    knobs: list[str] = []
    always_yes: list[str] = []
    magnitudes: dict[str, dict[str, tuple[float, float]]] = {}
    lowest_share: dict[str, float] = {}
    wide: list[str] = []
    amount_scale: dict[str, float] = {}
    ratio_shares: dict[str, RatioShare] = {}
    child_count_field: str = ""
    child_share: ChildShare = ChildShare()
    dossiers: Dossiers | None = None
    province: dict[int, list[tuple[str, str, int | float, str]]] = {}  # the province workbook per year
    workbook_title: str = "Số liệu đánh giá mức độ Chính quyền điện tử năm {year} — {group}"

    def seed(self, cat: Catalogue, group: str) -> int:
        return self.seeds.get(group, 101 + cat.group_ids.index(group))


def load_reconstruction(params: YearParams) -> Reconstruction:
    if not params.reconstruction:
        return Reconstruction()
    return load_model(params.path(params.reconstruction), Reconstruction, "tệp giả định tái dựng số liệu")


@dataclass
class GroupPlan:
    """What the totals of one group must satisfy in one year."""

    fixed: dict[str, float]
    ranks: dict[str, int]
    last: list[str] = field(default_factory=list)
    level_counts: dict[str, int] = field(default_factory=dict)


def load_published(path: Path = PROJECT_ROOT / "data" / "published.yaml") -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def plan_for(published: dict, year: int, group: str) -> GroupPlan:
    entry = published.get(year, {"scores": {}})  # a year with nothing published: plausible data only
    rows = entry["scores"].get(group, [])
    return GroupPlan(
        fixed={str(r["code"]): float(r["score"]) for r in rows},
        ranks={str(r["code"]): int(r["rank"]) for r in rows if "rank" in r},
        last=[str(c) for c in entry.get("last_two", {}).get(group, [])],
        level_counts=entry.get("level_counts", {}).get(group, {}),
    )


def capacity(units: list[Unit], seed: int, year: int) -> np.ndarray:
    """A unit's lasting capacity (urban wards above remote communes), slightly varying by year."""
    base_rng = np.random.default_rng([seed, 7])
    base = base_rng.normal(0, 1, len(units))
    kind = np.array([1.2 if u.name.startswith(("Phường", "Thành phố", "Thị xã")) else
                     0.6 if u.name.startswith("Thị trấn") else 0.0 for u in units])
    drift = np.random.default_rng([seed, year]).normal(0, 0.35, len(units))
    return base + kind + drift


def sample_targets(units: list[Unit], group: str, year: int, cat: Catalogue, plan: GroupPlan,
                   how: Reconstruction) -> dict[str, float]:
    """A total for every unit: the published ones as published, the others inside their constraints."""
    seed, wide = how.seed(cat, group), group in how.wide
    lowest = how.lowest_share.get(group, 0.5)
    rng = np.random.default_rng([seed, year, 1])
    top = cat.groups[group].max_points
    fixed = plan.fixed
    free = [u for u in units if u.code not in fixed and u.code not in plan.last]
    n = len(units)
    ceiling = min((s for c, s in fixed.items() if plan.ranks.get(c, n) <= 3), default=top * 0.93) - 0.15
    floor_ = max((s for c, s in fixed.items() if plan.ranks.get(c, 0) >= n - 1), default=top * lowest) + 0.15
    if wide and fixed:
        ceiling = max(fixed.values()) - 0.3
    values: list[float] = []
    if plan.level_counts:  # published counts per level (only levels are ever published)
        bands = _level_bands(cat, group)
        remaining = len(free)
        for level, count in plan.level_counts.items():
            low, high = bands[level]
            already = sum(1 for s in fixed.values() if low <= s < high)
            take = count - already
            low, high = max(low + 0.05, floor_), min(high - 0.05, ceiling)
            values += list(rng.uniform(low, high, take))
            remaining -= take
        below = min(low for low, _ in (bands[level] for level in plan.level_counts))
        values += list(_spread(rng, wide, remaining, top * lowest if wide else floor_, below - 0.05))
    else:
        values += list(_spread(rng, wide, len(free), floor_, ceiling))
    order = np.argsort(-capacity(free, seed, year), kind="stable")
    targets = {free[i].code: v for i, v in zip(order, sorted(values, reverse=True))}
    targets.update(fixed)
    if plan.last:
        low_free = min(targets[u.code] for u in free)
        for offset, code in enumerate(plan.last):
            targets[code] = low_free - 1.3 - 2.1 * offset - rng.uniform(0, 1.5)
    return targets


def _spread(rng, wide: bool, count: int, low: float, high: float) -> np.ndarray:
    if wide:  # spread widely, skewed towards the lower half
        return low + (high - low) * rng.beta(1.8, 1.6, count)
    return low + (high - low) * rng.beta(2.6, 1.5, count)  # cluster high


def _level_bands(cat: Catalogue, group: str) -> dict[str, tuple[float, float]]:
    spec = cat.groups[group]
    bands, upper = {}, spec.max_points + 1
    for rule in spec.levels.rules:
        low = rule.min_share * spec.max_points
        bands[rule.level] = (low, upper)
        upper = low
    return bands


def dossier_counts(registry: Registry, year: int, dossiers: Dossiers | None) -> dict[str, int]:
    """Dossiers received per unit, summing exactly to the province total (the configured total of
    the year, else about 2.000 per assessed unit)."""
    if dossiers is None:
        return {}
    total = dossiers.totals.get(year, 2000 * len(registry.units))
    rng = np.random.default_rng([year, 99])
    counts: dict[str, int] = {}
    for group, share in dossiers.shares.items():
        units = registry.group(group)
        weights = rng.lognormal(0, dossiers.spread[group], len(units))
        raw = weights / weights.sum() * total * share
        counts.update({u.code: max(int(v), 60) for u, v in zip(units, raw)})
    biggest = max(counts, key=counts.get)
    counts[biggest] += total - sum(counts.values())
    return counts


class UnitFigures:
    """Raw figures of one unit, built criterion by criterion from a quality level."""

    def __init__(self, unit: Unit, group: str, cat: Catalogue, rng, extras: dict[str, float],
                 how: Reconstruction):
        self.unit, self.group, self.cat, self.rng, self.how = unit, group, cat, rng, how
        self.values: dict[str, float] = dict(extras)
        fields = {f.id: f for f in cat.groups[group].fields}
        for name, bounds in how.magnitudes.items():
            if name in fields and name not in self.values:
                self.values[name] = self._magnitude(*bounds[group])
        for criterion in cat.criteria(group):  # denominators without a configured size
            if isinstance(criterion, Ratio) and criterion.denominator not in self.values:
                top = fields[criterion.denominator].maximum or 2000
                self.values[criterion.denominator] = self._magnitude(max(top / 200, 5), max(top / 20, 10))

    def _magnitude(self, low: float, high: float) -> float:
        return float(round(math.exp(self.rng.uniform(math.log(low), math.log(high)))))

    def fill(self, quality: float) -> None:
        for criterion in self.cat.criteria(self.group):
            if criterion.id not in self.how.knobs:
                self._fill_criterion(criterion, quality)

    def _share(self, quality: float, spread: float = 0.09) -> float:
        return float(np.clip(quality + self.rng.normal(0, spread), 0.04, 1.0))

    def _fill_criterion(self, c: Criterion, q: float) -> None:
        v = self.values
        if isinstance(c, YesNo):
            v[c.field] = 1.0 if c.field in self.how.always_yes or self.rng.random() < min(0.3 + 0.75 * q, 0.97) else 0.0
        elif isinstance(c, Ratio):
            share = self._ratio_share(c, q)
            v[c.numerator] = float(min(round(share * v[c.denominator]), v[c.denominator]))
        elif isinstance(c, Percent):
            v[c.field] = round(self._share(q) * 100, 1)
        elif isinstance(c, Steps):
            wanted = self._share(q, 0.15) * c.max_points
            reached = [s for s in c.steps if s.points <= wanted + 0.5]
            if not reached:
                v[c.field] = 0.0
            else:
                index = c.steps.index(reached[-1])
                upper = c.steps[index + 1].at_least if index + 1 < len(c.steps) else reached[-1].at_least * 2
                v[c.field] = float(self.rng.integers(reached[-1].at_least, max(upper, reached[-1].at_least + 1)))
        elif isinstance(c, CappedCount):
            needed = math.ceil(self._share(q, 0.12) * c.max_points / c.points_each)
            v[c.field] = float(max(needed + int(self.rng.integers(-1, 3)), 0))
        elif isinstance(c, BestShare):
            pass  # amounts are drawn for the whole group at once (they are compared with the best)

    def _ratio_share(self, c: Ratio, q: float) -> float:
        rule = self.how.ratio_shares.get(c.numerator)
        if rule and (rule.groups is None or self.group in rule.groups):
            if not rule.noise and not rule.per_quality:
                return rule.base
            return float(np.clip(rule.base + rule.per_quality * q + self.rng.normal(0, rule.noise), rule.low, rule.high))
        if c.denominator and c.denominator == self.how.child_count_field:
            child = self.how.child_share
            return float(np.clip(q + child.offset + self.rng.normal(0, child.noise), child.low, 1.0))
        return self._share(q)


def build_group(group: str, year: int, cat: Catalogue, registry: Registry, plan: GroupPlan,
                dossiers: dict[str, int], decimals: int, how: Reconstruction) -> pd.DataFrame:
    units = registry.group(group)
    spec = cat.groups[group]
    targets = sample_targets(units, group, year, cat, plan, how)
    rng = np.random.default_rng([how.seed(cat, group), year, 2])
    children = pd.Series([u.parent_code for u in registry.units if u.parent_code]).value_counts()
    amounts = {u.code: round(how.amount_scale.get(group, 100.0) * (0.35 + targets[u.code] / spec.max_points)
                             * rng.lognormal(0, 0.3), 1) for u in units}
    amount_field = next((c.field for c in cat.criteria(group) if isinstance(c, BestShare)), None)
    knobs = [c for c in cat.criteria(group) if c.id in how.knobs]
    knob_max = sum(c.max_points for c in knobs)
    field_ids = {f.id for f in spec.fields}
    rows = {}
    for unit in units:
        extras = {}
        if how.dossiers and unit.code in dossiers:
            extras[how.dossiers.received] = float(dossiers[unit.code])
            extras[how.dossiers.resolved] = float(round(dossiers[unit.code] * rng.uniform(0.93, 0.985)))
        if how.child_count_field in field_ids:
            extras[how.child_count_field] = float(children.get(unit.code, 0))
        if amount_field:
            extras[amount_field] = amounts[unit.code]
        rows[unit.code] = _calibrate(unit, group, cat, rng, extras, targets[unit.code], knobs, knob_max,
                                     decimals, exact=unit.code in plan.fixed, amounts=amounts,
                                     amount_field=amount_field, how=how)
    frame = pd.DataFrame.from_dict(rows, orient="index")[[f.id for f in spec.fields]]
    frame.index.name = "code"
    return frame


def _calibrate(unit, group, cat, rng, extras, target, knobs, knob_max, decimals, exact, amounts, amount_field,
               how):
    """Fill a unit's figures so that its total lands on the target (exactly when published; near it
    when the reconstruction names no knob criteria)."""
    spec = cat.groups[group]
    quality = target / spec.max_points
    if not knobs:
        figures = UnitFigures(unit, group, cat, rng, extras, how)
        figures.fill(quality)
        return figures.values
    for _attempt in range(80):
        figures = UnitFigures(unit, group, cat, rng, extras, how)
        figures.fill(quality)
        fixed_points = _points_without_knobs(cat, group, figures.values, amounts, amount_field, how.knobs)
        gap = target - fixed_points
        if 0.12 * knob_max <= gap <= 0.985 * knob_max:
            break
        quality += 0.015 if gap > 0.985 * knob_max else -0.015
    else:
        raise RuntimeError(f"không hiệu chỉnh được đơn vị {unit.code} tới {target}")
    _set_knobs(figures.values, knobs, gap, rng, target, fixed_points, decimals, exact)
    return figures.values


def _points_without_knobs(cat, group, values, amounts, amount_field, knobs) -> float:
    total = 0.0
    for criterion in cat.criteria(group):
        if criterion.id in knobs or not cat.pillar(criterion.pillar).scored:
            continue
        if isinstance(criterion, BestShare):
            total += values[amount_field] / max(amounts.values()) * criterion.max_points
        else:
            total += unit_points(criterion, values)
    return total


def _set_knobs(values, knobs: list[Ratio], gap, rng, target, fixed_points, decimals, exact) -> None:
    """Spread the gap over the knob criteria; the last one, searched over its denominator, lands it."""
    base = gap / sum(k.max_points for k in knobs)
    *first, last = knobs
    for spread in (0.05, 0.03, 0.01, 0.0):
        remaining = gap
        for knob in first:
            share = float(np.clip(base + rng.normal(0, spread), 0.0, 1.0))
            values[knob.numerator] = float(round(share * values[knob.denominator]))
            remaining -= values[knob.numerator] / values[knob.denominator] * knob.max_points
        if 0.0 <= remaining <= last.max_points:
            break
    share = float(np.clip(remaining / last.max_points, 0.0, 1.0))
    den0 = values[last.denominator]
    tolerance = 0.4 * 10 ** -decimals
    for extra in range(4000):
        den = den0 + extra
        numerator = round(share * den)
        achieved = fixed_points + (gap - remaining) + numerator / den * last.max_points
        if not exact or abs(achieved - target) < tolerance:
            values[last.denominator], values[last.numerator] = float(den), float(numerator)
            return
    raise RuntimeError(f"không đạt được tổng điểm {target}")


def generate_year(year: int, out_dir: Path, params: YearParams | None = None) -> dict[str, pd.DataFrame]:
    params = params or load_params(year)
    cat = load_catalogue(params.catalogue_path())
    registry = load_registry(params.path(params.units))
    how = load_reconstruction(params)
    published = load_published()
    dossiers = dossier_counts(registry, year, how.dossiers)
    frames = {}
    for group in cat.group_ids:
        plan = plan_for(published, year, group)
        frames[group] = build_group(group, year, cat, registry, plan, dossiers, params.score_decimals, how)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_reconstructed(out_dir, frames, year, cat, registry, params, how)
    return frames


RECONSTRUCTED_NOTE = "SỐ LIỆU TÁI DỰNG: không phải số liệu chính thức; thay bằng số liệu từ phiếu khảo sát."
CREATOR = "cqdt generate"


def write_reconstructed(out_dir: Path, frames: dict[str, pd.DataFrame], year: int, cat: Catalogue,
                        registry: Registry, params: YearParams, how: Reconstruction) -> None:
    """The year's workbooks in the format ingest reads, each saying on its first sheet that it is invented."""
    for group, frame in frames.items():
        title = how.workbook_title.format(year=year, group=cat.groups[group].label)
        write_group_workbook(out_dir / Path(params.inputs[group]).name, group, frame, cat, registry,
                             title=title, note=RECONSTRUCTED_NOTE, creator=CREATOR)
    if params.province_input:
        # The province-wide figures of the year (of the latest configured year when absent).
        rows = how.province.get(year, how.province[max(how.province)] if how.province else [])
        write_province_workbook(out_dir / Path(params.province_input).name, [tuple(row) for row in rows],
                                creator=CREATOR)


def verify_against_published(year: int, frames: dict[str, pd.DataFrame], params: YearParams) -> list[str]:
    """Problems if the generated figures do not reproduce what was published."""
    cat = load_catalogue(params.catalogue_path())
    published = load_published().get(year, {"scores": {}})
    problems = []
    for group, frame in frames.items():
        points = pd.concat([score_pillar(cat, group, p.id, frame) for p in cat.pillars])
        table = consolidate(points, cat, group, params.score_decimals)
        for row in published["scores"].get(group, []):
            code = str(row["code"])
            got = round_half_up(table.loc[code, "total"], params.score_decimals)
            if abs(got - row["score"]) > 1e-9:
                problems.append(f"{group} {code}: {got} ≠ {row['score']}")
            if "rank" in row and int(table.loc[code, "rank"]) != row["rank"]:
                problems.append(f"{group} {code}: hạng {table.loc[code, 'rank']} ≠ {row['rank']}")
            if row.get("highest") and table["total"].idxmax() != code:
                problems.append(f"{group} {code}: không phải điểm cao nhất")
        last = published.get("last_two", {}).get(group, [])
        if last and set(table["total"].nsmallest(len(last)).index) != {str(c) for c in last}:
            problems.append(f"{group}: hai đơn vị cuối bảng không đúng")
        for level, count in published.get("level_counts", {}).get(group, {}).items():
            got = int((table["level"] == level).sum())
            if got != count:
                problems.append(f"{group}: mức {level} có {got} đơn vị, cần {count}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = VietnameseParser(prog="python -m tools.reconstruct",
                              description="Sinh lại bộ số liệu tái dựng của một năm (công cụ của nhóm phát triển).")
    parser.add_argument("--year", type=year_argument, required=True, help="năm đánh giá, ví dụ 2021")
    parser.add_argument("--out", default="", help="thư mục ghi (mặc định data/<năm>)")
    args = parser.parse_args(argv)
    try:
        params = load_params(args.year)
        out = Path(args.out) if args.out else PROJECT_ROOT / "data" / str(args.year)
        problems = verify_against_published(args.year, generate_year(args.year, out, params), params)
        if problems:
            raise CqdtError("; ".join(problems))
    except CqdtError as error:
        print(error.report(), file=sys.stderr)
        return 2
    checked = ("khớp mọi số liệu đã công bố" if args.year in load_published()
               else "năm này không có số liệu công bố để đối chiếu")
    print(f"Đã sinh số liệu tái dựng năm {args.year} vào {out}; {checked}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
