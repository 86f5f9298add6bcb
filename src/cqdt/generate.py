"""Deterministic generator of the reconstructed input workbooks (data/<year>/).

The real survey figures are not public. This writes raw figures (counts, yes/no,
amounts — never points) for every unit, seeded and reproducible, calibrated so that
the package's own scoring reproduces every published total, rank, order and level
count (data/published.yaml) and stays plausible elsewhere. An analyst replaces its
output with the real forms.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

from .catalogue import BestShare, CappedCount, Catalogue, Criterion, Percent, Ratio, Steps, YesNo, load_catalogue
from .config import YearParams, load_params
from .formatting import round_half_up
from .inputs import CODE_COLUMN, INSTRUCTIONS_SHEET, NAME_COLUMN, PROVINCE_COLUMNS, PROVINCE_SHEET
from .paths import PROJECT_ROOT
from .ranking import consolidate
from .scoring import criterion_points
from .units import Registry, Unit, load_registry

GROUP_SEEDS = {"department": 11, "district": 23, "commune": 37}
# Criteria whose numerators absorb the calibration (large denominators give fine steps).
KNOBS = ("T_HS_TRUCTUYEN", "T_DUNGHAN", "C_VB_DIENTU")
# Fields every unit reports as "yes" (the seed article states 100 % for them).
ALWAYS_YES = {"co_mang_lan", "ket_noi_wan", "ban_hanh_ke_hoach_cqdt", "su_dung_qlvb_dh",
              "duoc_cap_chu_ky_so", "trien_khai_mot_cua_dien_tu", "co_cong_ttdt", "ket_noi_truc_lien_thong"}
# Typical size of a denominator field per group (log-uniform between the bounds).
MAGNITUDES = {
    "tong_so_cbcc": {"department": (38, 190), "district": (140, 320), "commune": (19, 31)},
    "so_muc_tt_bat_buoc": {"department": (24, 24), "district": (26, 26), "commune": (18, 18)},
    "so_vb_di": {"department": (1400, 6200), "district": (3800, 12500), "commune": (380, 1600)},
    "tong_so_tthc": {"department": (38, 260), "district": (270, 330), "commune": (100, 120)},
    "so_vb_khong_mat": {"department": (3800, 16000), "district": (9500, 31000), "commune": (1400, 5200)},
    "tong_so_vb_gui_nhan": {"department": (5200, 21000), "district": (13000, 42000), "commune": (2100, 7400)},
}
LOWEST_SHARE = {"department": 0.70, "district": 0.66, "commune": 0.36}  # usual floor of a group's totals
DOSSIER_SHARE = {"department": 0.31, "district": 0.37, "commune": 0.32}
AMOUNT_SCALE = {"department": 900.0, "district": 1400.0, "commune": 60.0}  # million VND
PROVINCE_FIGURES = {
    2021: [  # the seed article's province-wide figures
        ("diem_cau_hnth", "Số điểm cầu kết nối hệ thống hội nghị truyền hình của tỉnh", 251, ""),
        ("thpt_tong", "Tổng số trường trung học phổ thông", 47, ""),
        ("thpt_day_tin_hoc", "Số trường THPT giảng dạy môn tin học", 47, ""),
        ("thcs_tong", "Tổng số trường trung học cơ sở", 162, ""),
        ("thcs_day_tin_hoc", "Số trường THCS giảng dạy môn tin học", 162, ""),
        ("tieu_hoc_tong", "Tổng số trường tiểu học", 282, ""),
        ("tieu_hoc_day_tin_hoc", "Số trường tiểu học giảng dạy môn tin học", 147, ""),
        ("don_vi_dung_qlvb", "Số cơ quan, đơn vị dùng phần mềm QLVB&ĐH dùng chung", 911, ""),
        ("chung_thu_so", "Tổng số chứng thư số đã được cấp", 4830, "hơn"),
        ("dvc_muc_3", "Số dịch vụ công trực tuyến mức độ 3", 136, ""),
        ("dvc_muc_4", "Số dịch vụ công trực tuyến mức độ 4", 1069, ""),
        ("vb_dien_tu_lien_thong", "Số lượt văn bản điện tử gửi, nhận qua Trục liên thông", 2568409, ""),
    ],
    2022: [  # not published: reconstructed, plausible continuations of 2021
        ("diem_cau_hnth", "Số điểm cầu kết nối hệ thống hội nghị truyền hình của tỉnh", 263, ""),
        ("thpt_tong", "Tổng số trường trung học phổ thông", 47, ""),
        ("thpt_day_tin_hoc", "Số trường THPT giảng dạy môn tin học", 47, ""),
        ("thcs_tong", "Tổng số trường trung học cơ sở", 161, ""),
        ("thcs_day_tin_hoc", "Số trường THCS giảng dạy môn tin học", 161, ""),
        ("tieu_hoc_tong", "Tổng số trường tiểu học", 279, ""),
        ("tieu_hoc_day_tin_hoc", "Số trường tiểu học giảng dạy môn tin học", 173, ""),
        ("don_vi_dung_qlvb", "Số cơ quan, đơn vị dùng phần mềm QLVB&ĐH dùng chung", 927, ""),
        ("chung_thu_so", "Tổng số chứng thư số đã được cấp", 5212, "hơn"),
        ("dvc_muc_3", "Số dịch vụ công trực tuyến mức độ 3", 118, ""),
        ("dvc_muc_4", "Số dịch vụ công trực tuyến mức độ 4", 1103, ""),
        ("vb_dien_tu_lien_thong", "Số lượt văn bản điện tử gửi, nhận qua Trục liên thông", 2893517, ""),
    ],
}
DOSSIER_TOTAL = {2021: 508364, 2022: 547912}  # 2021 published; 2022 reconstructed


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


def capacity(units: list[Unit], group: str, year: int) -> np.ndarray:
    """A unit's lasting capacity (urban wards above remote communes), slightly varying by year."""
    base_rng = np.random.default_rng([GROUP_SEEDS[group], 7])
    base = base_rng.normal(0, 1, len(units))
    kind = np.array([1.2 if u.name.startswith(("Phường", "Thành phố", "Thị xã")) else
                     0.6 if u.name.startswith("Thị trấn") else 0.0 for u in units])
    drift = np.random.default_rng([GROUP_SEEDS[group], year]).normal(0, 0.35, len(units))
    return base + kind + drift


def sample_targets(units: list[Unit], group: str, year: int, cat: Catalogue, plan: GroupPlan) -> dict[str, float]:
    """A total for every unit: the published ones as published, the others inside their constraints."""
    rng = np.random.default_rng([GROUP_SEEDS[group], year, 1])
    top = cat.groups[group].max_points
    fixed = plan.fixed
    free = [u for u in units if u.code not in fixed and u.code not in plan.last]
    n = len(units)
    ceiling = min((s for c, s in fixed.items() if plan.ranks.get(c, n) <= 3), default=top * 0.93) - 0.15
    floor_ = max((s for c, s in fixed.items() if plan.ranks.get(c, 0) >= n - 1), default=top * LOWEST_SHARE[group]) + 0.15
    if group == "commune" and fixed:
        ceiling = max(fixed.values()) - 0.3
    bands = _level_bands(cat, group)
    values: list[float] = []
    if plan.level_counts:
        remaining = len(free)
        for level, count in plan.level_counts.items():
            low, high = bands[level]
            already = sum(1 for s in fixed.values() if low <= s < high)
            take = count - already
            low, high = max(low + 0.05, floor_), min(high - 0.05, ceiling)
            values += list(rng.uniform(low, high, take))
            remaining -= take
        below = min(low for low, _ in (bands[level] for level in plan.level_counts))
        values += list(_spread(rng, group, remaining, floor_ if group != "commune" else top * LOWEST_SHARE[group], below - 0.05))
    else:
        values += list(_spread(rng, group, len(free), floor_, ceiling))
    order = np.argsort(-capacity(free, group, year), kind="stable")
    targets = {free[i].code: v for i, v in zip(order, sorted(values, reverse=True))}
    targets.update(fixed)
    if plan.last:
        low_free = min(targets[u.code] for u in free)
        for offset, code in enumerate(plan.last):
            targets[code] = low_free - 1.3 - 2.1 * offset - rng.uniform(0, 1.5)
    return targets


def _spread(rng, group: str, count: int, low: float, high: float) -> np.ndarray:
    if group == "commune":  # communes spread widely, skewed towards the lower half
        return low + (high - low) * rng.beta(1.8, 1.6, count)
    return low + (high - low) * rng.beta(2.6, 1.5, count)  # departments and districts cluster high


def _level_bands(cat: Catalogue, group: str) -> dict[str, tuple[float, float]]:
    spec = cat.groups[group]
    bands, upper = {}, spec.max_points + 1
    for rule in spec.levels.rules:
        low = rule.min_share * spec.max_points
        bands[rule.level] = (low, upper)
        upper = low
    return bands


def dossier_total(registry: Registry, year: int) -> int:
    """The province's dossiers: published for 2021, else about 2.000 per assessed unit."""
    return DOSSIER_TOTAL.get(year, 2000 * len(registry.units))


def dossier_counts(registry: Registry, year: int) -> dict[str, int]:
    """Dossiers received per unit, summing exactly to the province total."""
    rng = np.random.default_rng([year, 99])
    counts: dict[str, int] = {}
    for group, share in DOSSIER_SHARE.items():
        units = registry.group(group)
        weights = rng.lognormal(0, 0.8 if group == "department" else 0.45, len(units))
        raw = weights / weights.sum() * dossier_total(registry, year) * share
        counts.update({u.code: max(int(v), 60) for u, v in zip(units, raw)})
    biggest = max(counts, key=counts.get)
    counts[biggest] += dossier_total(registry, year) - sum(counts.values())
    return counts


class UnitFigures:
    """Raw figures of one unit, built criterion by criterion from a quality level."""

    def __init__(self, unit: Unit, group: str, cat: Catalogue, rng, extras: dict[str, float]):
        self.unit, self.group, self.cat, self.rng = unit, group, cat, rng
        self.values: dict[str, float] = dict(extras)
        for name, bounds in MAGNITUDES.items():
            if name in {f.id for f in cat.groups[group].fields} and name not in self.values:
                low, high = bounds[group]
                self.values[name] = float(round(math.exp(rng.uniform(math.log(low), math.log(high)))))

    def fill(self, quality: float) -> None:
        for criterion in self.cat.criteria(self.group):
            if criterion.id not in KNOBS:
                self._fill_criterion(criterion, quality)

    def _share(self, quality: float, spread: float = 0.09) -> float:
        return float(np.clip(quality + self.rng.normal(0, spread), 0.04, 1.0))

    def _fill_criterion(self, c: Criterion, q: float) -> None:
        v = self.values
        if isinstance(c, YesNo):
            v[c.field] = 1.0 if c.field in ALWAYS_YES or self.rng.random() < min(0.3 + 0.75 * q, 0.97) else 0.0
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
        if c.numerator == "so_cbcc_co_hop_thu":  # above 95 % province-wide (seed article)
            return float(np.clip(0.935 + 0.06 * q + self.rng.normal(0, 0.012), 0.9, 1.0))
        if c.numerator == "so_vb_so_hoa" and self.group != "commune":  # 100 % at province and district
            return 1.0
        if c.denominator == "tong_so_xa":
            return float(np.clip(q + 0.12 + self.rng.normal(0, 0.08), 0.3, 1.0))
        return self._share(q)


def build_group(group: str, year: int, cat: Catalogue, registry: Registry, plan: GroupPlan,
                dossiers: dict[str, int], decimals: int) -> pd.DataFrame:
    units = registry.group(group)
    spec = cat.groups[group]
    targets = sample_targets(units, group, year, cat, plan)
    rng = np.random.default_rng([GROUP_SEEDS[group], year, 2])
    communes_per_district = pd.Series([u.parent_code for u in registry.group("commune")]).value_counts()
    amounts = {u.code: round(AMOUNT_SCALE[group] * (0.35 + targets[u.code] / spec.max_points)
                             * rng.lognormal(0, 0.3), 1) for u in units}
    amount_field = next((c.field for c in cat.criteria(group) if isinstance(c, BestShare)), None)
    knobs = [c for c in cat.criteria(group) if c.id in KNOBS]
    knob_max = sum(c.max_points for c in knobs)
    rows = {}
    for unit in units:
        extras = {"so_hs_tiep_nhan": float(dossiers[unit.code])}
        extras["so_hs_da_giai_quyet"] = float(round(dossiers[unit.code] * rng.uniform(0.93, 0.985)))
        if "tong_so_xa" in {f.id for f in spec.fields}:
            extras["tong_so_xa"] = float(communes_per_district[unit.code])
        if amount_field:
            extras[amount_field] = amounts[unit.code]
        rows[unit.code] = _calibrate(unit, group, cat, rng, extras, targets[unit.code], knobs, knob_max,
                                     decimals, exact=unit.code in plan.fixed, amounts=amounts,
                                     amount_field=amount_field)
    frame = pd.DataFrame.from_dict(rows, orient="index")[[f.id for f in spec.fields]]
    frame.index.name = "code"
    return frame


def _calibrate(unit, group, cat, rng, extras, target, knobs, knob_max, decimals, exact, amounts, amount_field):
    """Fill a unit's figures so that its total lands on the target (exactly when published)."""
    spec = cat.groups[group]
    quality = target / spec.max_points
    for _attempt in range(80):
        figures = UnitFigures(unit, group, cat, rng, extras)
        figures.fill(quality)
        fixed_points = _points_without_knobs(cat, group, figures.values, amounts, amount_field)
        gap = target - fixed_points
        if 0.12 * knob_max <= gap <= 0.985 * knob_max:
            break
        quality += 0.015 if gap > 0.985 * knob_max else -0.015
    else:
        raise RuntimeError(f"không hiệu chỉnh được đơn vị {unit.code} tới {target}")
    _set_knobs(figures.values, knobs, gap, rng, target, fixed_points, decimals, exact)
    return figures.values


def _points_without_knobs(cat, group, values, amounts, amount_field) -> float:
    frame = pd.DataFrame([values])
    total = 0.0
    for criterion in cat.criteria(group):
        if criterion.id in KNOBS:
            continue
        if isinstance(criterion, BestShare):
            total += values[amount_field] / max(amounts.values()) * criterion.max_points
        else:
            total += float(criterion_points(criterion, frame).iloc[0])
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
    for extra in range(0, 4000):
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
    published = load_published()
    dossiers = dossier_counts(registry, year)
    frames = {}
    for group in ("department", "district", "commune"):
        plan = plan_for(published, year, group)
        frames[group] = build_group(group, year, cat, registry, plan, dossiers, params.score_decimals)
    out_dir.mkdir(parents=True, exist_ok=True)
    for group, frame in frames.items():
        write_group_workbook(out_dir / Path(getattr(params.inputs, group)).name, group, frame, cat, registry, params)
    write_province_workbook(out_dir / Path(params.province_input).name, year)
    return frames


_FIXED_TIME = dt.datetime(2000, 1, 1)


def write_group_workbook(path: Path, group: str, frame: pd.DataFrame, cat: Catalogue, registry: Registry,
                         params: YearParams) -> None:
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    spec = cat.groups[group]
    guide.append([f"Số liệu đánh giá mức độ Chính quyền điện tử năm {params.year} — {spec.label}"])
    guide.append(["SỐ LIỆU TÁI DỰNG: không phải số liệu chính thức; thay bằng số liệu từ phiếu khảo sát."])
    guide.append([])
    guide.append(["Cột", "Nội dung", "Trang", "Loại", "Đơn vị tính"])
    kinds = {"count": "số nguyên ≥ 0", "yes_no": "Có/Không", "percent": "0–100", "amount": "số ≥ 0"}
    for f in spec.fields:
        guide.append([f.id, f.label, f.sheet, kinds[f.kind], f.unit])
    guide["A1"].font = Font(bold=True)
    names = registry.by_code()
    for pillar in cat.pillars:
        fields = [f for f in spec.fields if f.sheet == pillar.sheet]
        if not fields:
            continue
        sheet = book.create_sheet(pillar.sheet)
        sheet.append([CODE_COLUMN, NAME_COLUMN, *(f.id for f in fields)])
        for code, row in frame.iterrows():
            sheet.append([code, names[code].name, *(_cell(row[f.id], f.kind) for f in fields)])
    _save(book, path)


def _cell(value: float, kind: str):
    if kind == "yes_no":
        return "Có" if value == 1 else "Không"
    return int(value) if float(value).is_integer() else value


def write_province_workbook(path: Path, year: int) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = PROVINCE_SHEET
    sheet.append(PROVINCE_COLUMNS)
    for key, label, value, qualifier in PROVINCE_FIGURES.get(year, PROVINCE_FIGURES[max(PROVINCE_FIGURES)]):
        sheet.append([key, label, value, qualifier])
    _save(book, path)


def _save(book: Workbook, path: Path) -> None:
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    book.properties.creator = "cqdt generate"
    book.save(path)


def synthetic_registry(path: Path, departments: int, districts: int, communes: int, seed: int = 1) -> None:
    """A registry of the given size (for benchmarks at the scale of a whole country)."""
    rng = np.random.default_rng(seed)
    per_district = 1 + rng.multinomial(communes - districts, rng.dirichlet(np.full(districts, 8.0)))
    lines = ["group,code,name,local_name,parent_code"]
    lines += [f"department,SBN{i:04d},Sở tổng hợp số {i},," for i in range(1, departments + 1)]
    lines += [f"district,H{i:04d},Huyện tổng hợp số {i},," for i in range(1, districts + 1)]
    number = 0
    for district, count in enumerate(per_district, start=1):
        for _ in range(int(count)):
            number += 1
            lines.append(f"commune,X{number:05d},Xã tổng hợp số {number},,H{district:04d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_against_published(year: int, frames: dict[str, pd.DataFrame], params: YearParams) -> list[str]:
    """Problems if the generated figures do not reproduce what was published."""
    from .scoring import score_pillar

    cat = load_catalogue(params.catalogue_path())
    published = load_published().get(year, {"scores": {}})
    problems = []
    for group, frame in frames.items():
        points = pd.concat([score_pillar(cat, group, p.id, frame) for p in cat.pillars])
        table = consolidate(points, group, cat.groups[group], [p.id for p in cat.pillars], params.score_decimals)
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
