"""The file contracts between the stages of a year's build (build/<year>/).

ingest     → inputs/<pillar>.json      the validated figures each pillar needs
pillar     → pillars/<pillar>/points.csv, indicators.json, manifest.json
consolidate→ results/units.csv, results/summary.json

Files are written only when their content changes, so that make's timestamps
rerun exactly the steps whose inputs changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import timing
from .catalogue import Catalogue, load_catalogue
from .config import YearParams, load_params, params_path
from .dependencies import note_output
from .errors import CqdtError, Issue
from .formatting import vietnamese_key
from .inputs import read_group, read_province
from .names import check_names
from .paths import PROJECT_ROOT
from .province import IndicatorSpec, compute_indicator, load_indicator_specs
from .ranking import consolidate
from .scoring import score_pillar
from .units import Registry, load_registry


@dataclass(frozen=True)
class Year:
    """Everything configured for one year, loaded and validated."""

    params: YearParams
    catalogue: Catalogue
    registry: Registry
    indicators: list[IndicatorSpec]

    @property
    def pillars(self) -> list[str]:
        return [p.id for p in self.catalogue.pillars]

    @property
    def scored_pillars(self) -> list[str]:
        """The main indices that add up to the total (the others are reported only)."""
        return [p.id for p in self.catalogue.pillars if p.scored]

    @property
    def groups(self) -> list[str]:
        return self.catalogue.group_ids

    def group_file(self, group: str) -> Path:
        return self.params.path(self.params.inputs[group])

    def province_file(self) -> Path | None:
        return self.params.path(self.params.province_input) if self.params.province_input else None

    def input_files(self) -> list[Path]:
        files = [self.group_file(g) for g in self.groups]
        return files + ([self.province_file()] if self.params.province_input else [])

    def config_files(self) -> list[Path]:
        p = self.params
        return [p.catalogue_path(), *([p.path(p.indicators)] if p.indicators else []), p.path(p.units),
                PROJECT_ROOT / "params" / f"{p.year}.yaml"]


def load_year(year: int | str) -> Year:
    params = load_params(year)
    catalogue = load_catalogue(params.catalogue_path())
    registry = load_registry(params.path(params.units))
    indicators = load_indicator_specs(params.path(params.indicators)) if params.indicators else []
    context = Year(params, catalogue, registry, indicators)
    check_shape(context)
    return context


def check_shape(year: Year) -> None:
    """Params, catalogue and registry agree on the groups: every problem named at once."""
    params_file = params_path(year.params.year)
    registry_file = year.params.path(year.params.units)
    groups, issues = set(year.groups), []
    for group in year.groups:
        if group not in year.params.inputs:
            issues.append(Issue(f"thiếu tệp số liệu của nhóm «{group}» (nhóm có trong danh mục "
                                f"«{year.catalogue.id}»)", file=params_file, column="inputs"))
        if not year.registry.group(group):
            issues.append(Issue(f"danh sách đơn vị không có đơn vị nào thuộc nhóm «{group}» của danh mục",
                                file=registry_file, column="group"))
    for group in sorted(set(year.params.inputs) - groups):
        issues.append(Issue(f"nhóm «{group}» không có trong danh mục «{year.catalogue.id}»",
                            file=params_file, column="inputs", value=group))
    issues += _registry_issues(year, registry_file)
    if year.params.map and year.params.map.group not in groups:
        issues.append(Issue(f"bản đồ vẽ nhóm «{year.params.map.group}» không có trong danh mục",
                            file=params_file, column="map.group", value=year.params.map.group))
    source = year.params.registry
    if year.params.comparison.through == "succession" and (source is None or not source.succession):
        issues.append(Issue("so sánh qua đơn vị tiền thân cần bảng kế thừa (registry.succession)",
                            file=params_file, column="comparison"))
    needs_province = any(s.source.startswith("province") for s in year.indicators)
    if needs_province and not year.params.province_input:
        issues.append(Issue("có chỉ số lấy từ tệp số liệu toàn tỉnh nhưng chưa khai báo province_input",
                            file=params_file, column="province_input"))
    if issues:
        raise CqdtError(issues)


def _registry_issues(year: Year, registry_file: Path) -> list[Issue]:
    """Each unit's group is in the catalogue; a unit of a group with a parent names a parent unit."""
    codes = year.registry.by_code()
    issues = []
    for row, unit in enumerate(year.registry.units, start=2):
        spec = year.catalogue.groups.get(unit.group)
        if spec is None:
            issues.append(Issue(f"nhóm «{unit.group}» của đơn vị {unit.code} không có trong danh mục "
                                f"«{year.catalogue.id}»", file=registry_file, row=row, column="group",
                                value=unit.group))
        elif spec.parent and (unit.parent_code not in codes or codes[unit.parent_code].group != spec.parent):
            issues.append(Issue(f"đơn vị {unit.code} phải có mã đơn vị cấp trên thuộc nhóm «{spec.parent}»",
                                file=registry_file, row=row, column="parent_code", value=unit.parent_code))
    return issues[:20]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically and only when the content differs (keeps make's timestamps honest)."""
    note_output(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True


def dump_json(data: object) -> str:
    """The build's JSON (a pillar's inputs, results, manifests), the same text from the same data. On
    one line: Python encodes an indented document with its pure-Python encoder, 2 of the 5 seconds
    of a national-scale year's ingest, and the C encoder takes a tenth of that."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def read_figures(year: Year) -> tuple[dict[str, pd.DataFrame], dict[str, tuple[float, str]]]:
    """Read and validate every workbook of the year; all problems are reported together."""
    figures, problems, province = {}, [], {}
    for group in year.groups:
        try:
            figures[group] = read_group(year.group_file(group), group, year.catalogue, year.registry)
        except CqdtError as error:
            problems += error.issues
    try:
        province = read_province(year.province_file()) if year.province_file() else {}
    except CqdtError as error:
        problems += error.issues
    if problems:
        raise CqdtError(problems)
    return figures, province


def ingest(year: Year, out_dir: Path) -> dict[str, bool]:
    """Split the validated inputs by pillar; returns which pillar files changed."""
    check_names(year)
    figures, province = read_figures(year)
    timing.mark("workbooks read and checked")
    for spec in year.indicators:  # fail here, at input time, if a province figure is missing
        compute_indicator(spec, figures, province, year.province_file())
    changed = {}
    for pillar in year.pillars:
        payload = pillar_inputs(year, pillar, figures, province)
        changed[pillar] = write_if_changed(out_dir / "inputs" / f"{pillar}.json", dump_json(payload))
    return changed


def pillar_inputs(year: Year, pillar: str, figures, province) -> dict:
    specs = [s for s in year.indicators if s.pillar == pillar]
    groups = {}
    for group in year.groups:
        needed = [f.id for f in year.catalogue.fields_for(group, pillar)]
        needed += [f for s in specs if group in s.groups for f in s.fields if f not in needed]
        groups[group] = {"codes": list(figures[group].index),
                         "fields": {f: figures[group][f].tolist() for f in needed}}
    wanted = {f for s in specs if s.source.startswith("province") for f in s.fields}
    return {"year": year.params.year, "catalogue": year.catalogue.id, "pillar": pillar, "groups": groups,
            "province": {k: list(v) for k, v in sorted(province.items()) if k in wanted}}


def frames_from_inputs(payload: dict) -> dict[str, pd.DataFrame]:
    return {g: pd.DataFrame(d["fields"], index=pd.Index(d["codes"], name="code"))
            for g, d in payload["groups"].items()}


@dataclass(frozen=True)
class PillarResult:
    pillar: str
    points: pd.DataFrame
    indicators: list


def score_pillar_inputs(year: Year, inputs_path: Path) -> PillarResult:
    payload = json.loads(inputs_path.read_text(encoding="utf-8"))
    if payload["catalogue"] != year.catalogue.id or payload["year"] != year.params.year:
        raise CqdtError(Issue("tệp đầu vào của trụ cột thuộc năm hoặc danh mục khác; hãy chạy lại bước nạp số liệu",
                              file=inputs_path))
    pillar = payload["pillar"]
    frames = frames_from_inputs(payload)
    points = pd.concat([score_pillar(year.catalogue, g, pillar, frames[g]) for g in year.groups], ignore_index=True)
    province = {k: (v[0], v[1]) for k, v in payload["province"].items()}
    indicators = [compute_indicator(s, frames, province, inputs_path)
                  for s in year.indicators if s.pillar == pillar]
    return PillarResult(pillar, points, indicators)


def write_pillar_result(result: PillarResult, out_dir: Path, year: Year, inputs_path: Path) -> Path:
    target = out_dir / "pillars" / result.pillar
    points_csv = result.points.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    indicators_json = dump_json([i.as_record() for i in result.indicators])
    write_if_changed(target / "points.csv", points_csv)
    write_if_changed(target / "indicators.json", indicators_json)
    manifest = {
        "pillar": result.pillar, "year": year.params.year, "catalogue": year.catalogue.id,
        "input": {"file": inputs_path.name, "sha256": sha256(inputs_path)},
        "outputs": {"points.csv": _text_sha(points_csv), "indicators.json": _text_sha(indicators_json)},
        "rows": len(result.points), "points_total": round(float(result.points["points"].sum()), 6),
    }
    write_if_changed(target / "manifest.json", dump_json(manifest))
    return target


def _text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_pillar_outputs(year: Year, out_dir: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Points and indicators of every pillar, checked against their manifests."""
    frames, indicators = [], []
    for pillar in year.pillars:
        folder = out_dir / "pillars" / pillar
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise CqdtError(Issue(f"chưa có kết quả của trụ cột «{pillar}»; hãy chạy sổ tay của trụ cột này",
                                  file=manifest_path))
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, digest in manifest["outputs"].items():
            if _text_sha((folder / name).read_text(encoding="utf-8")) != digest:
                raise CqdtError(Issue("tệp kết quả không khớp với manifest (bị sửa tay hoặc ghi dở)",
                                      file=folder / name))
        if manifest["year"] != year.params.year or manifest["catalogue"] != year.catalogue.id:
            raise CqdtError(Issue("kết quả trụ cột thuộc năm hoặc danh mục khác", file=manifest_path))
        frames.append(pd.read_csv(folder / "points.csv", dtype={"code": str}))
        indicators += json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    return pd.concat(frames, ignore_index=True), indicators


def consolidate_all(year: Year, points: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per group: pillar points, total, share, rank and level, with names, in display order."""
    names = year.registry.by_code()
    tables = {}
    for group in year.groups:
        spec = year.catalogue.groups[group]
        table = consolidate(points, year.catalogue, group, year.params.score_decimals)
        order = [u.code for u in year.registry.group(group)]
        table = table.reindex(order)
        table.insert(0, "name", [names[c].name for c in table.index])
        table.insert(1, "parent_code", [names[c].parent_code for c in table.index])
        if spec.ranked:
            # Tied units in Vietnamese alphabetical order (not by code point: Kông Chro before Krông Pa).
            table = table.sort_values(["rank", "name"], kind="stable",
                                      key=lambda column: column.map(vietnamese_key) if column.name == "name" else column)
        tables[group] = table
    return tables


def score_year_directly(year: Year) -> dict[str, pd.DataFrame]:
    """Totals straight from a year's workbooks (used for the previous-year comparison)."""
    figures, _ = read_figures(year)
    points = pd.concat([score_pillar(year.catalogue, g, p, figures[g]) for g in year.groups for p in year.pillars],
                       ignore_index=True)
    return consolidate_all(year, points)
