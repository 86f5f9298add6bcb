"""A year's unit registry after the 2025 reorganisation, and the succession of units, built from
the pinned packages (never typed by hand): `python -m cqdt registry --year <year>`.

- The xã/phường of the province come from `vietnam-provinces` (the NSO list, 2025 structure).
- The provincial agencies come from a listed reconstruction (params `registry.agencies`).
- Every xã/phường/thị trấn of the former provinces is converted to its new unit with `vietnamadminunits`;
  the old unit the converter recognised must carry the old code it was asked about (units are
  matched by code), and where the two packages give a new unit different codes, the NSO code is
  found among the converted unit's predecessors. What cannot be settled so is listed.
"""

from __future__ import annotations

import csv
import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .config import RegistrySource
from .errors import CqdtError, Issue
from .formatting import nfc
from .yamlio import load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Agency(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9]+$")
    name: str
    predecessors: list[str] = []


class AgencyList(_Strict):
    source: str
    agencies: list[Agency] = Field(min_length=1)
    former_agencies: list[Agency] = []  # predecessors that no registry of the project lists


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    unit_type: str


@dataclass(frozen=True)
class Successor:
    """One old unit and the new unit it became."""

    new_code: str
    old_code: str
    old_name: str
    old_parent: str  # the old huyện (of a xã), empty for an agency
    old_province_code: str
    old_province: str = ""
    note: str = ""  # how the link was settled, when not plainly


@dataclass
class Succession:
    links: list[Successor] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # what could not be settled plainly, in Vietnamese
    codes: dict[str, str] = field(default_factory=dict)  # the converter's code → the NSO code, where they differ


def package_version(name: str) -> str:
    return importlib.metadata.version(name)


def province_wards(province_code: int) -> list[Ward]:
    """The xã/phường (and đặc khu) of a province in the NSO list, by code."""
    from vietnam_provinces import ProvinceCode
    from vietnam_provinces import Ward as NsoWard

    wards = NsoWard.iter_by_province(ProvinceCode(province_code))
    return sorted((Ward(str(int(w.code)), nfc(w.name), w.division_type.value) for w in wards),
                  key=lambda ward: int(ward.code))


def former_communes(province_codes: list[int]) -> list[dict]:
    """Every xã/phường/thị trấn of the former provinces (vietnamadminunits' legacy table, 63 provinces)."""
    from vietnamadminunits.database.main import query

    wanted = ",".join(f"'{int(code)}'" for code in province_codes)  # integers only reach the SQL
    return query("SELECT province, district AS parent, ward, provinceCode, wardCode FROM admin_units_legacy "
                 f"WHERE provinceCode IN ({wanted}) ORDER BY CAST(wardCode AS INTEGER)")


def ward_succession(province_code: int, former: list[dict], wards: list[Ward],
                       settled: dict[str, str] | None = None) -> Succession:
    """The new unit of every former xã/phường/thị trấn, settled by code; exceptions listed."""
    from vietnamadminunits import convert_address

    nso = {w.code for w in wards}
    result = Succession()
    converted: dict[str, list[dict]] = {}
    old_keys: dict[str, str] = {}  # the converter's key of each former unit, for the divided ones
    for old in former:
        new = convert_address(f"{old['ward']}, {old['parent']}, {old['province']}")
        unit = new.OldAdminUnit
        old_keys[old["wardCode"]] = f"{unit.province_key}_{unit.district_key}_{unit.ward_key}"
        if new.OldAdminUnit.ward_code != old["wardCode"] or new.province_code != str(province_code):
            result.exceptions.append(f"{old['ward']} ({old['parent']}, mã {old['wardCode']}): gói chuyển đổi "
                                     f"không nhận ra đúng đơn vị cũ theo mã; chưa xác định đơn vị mới")
            continue
        converted.setdefault(new.ward_code, []).append(old)
    renamed = _settle_codes(converted, nso, result, settled or {})
    result.codes = renamed
    for new_code, olds in converted.items():
        code = renamed.get(new_code, new_code)
        if code not in nso:
            continue
        for old in olds:
            note = f"gói chuyển đổi ghi mã {new_code}, danh sách NSO ghi {code}" if code != new_code else ""
            if old["wardCode"] in (settled or {}):
                note += "; đối chiếu theo tệp tham số (registry.settled)"
            result.links.append(Successor(code, old["wardCode"], nfc(old["ward"]), nfc(old["parent"]),
                                          old["provinceCode"], nfc(old["province"]), note))
    result.exceptions += _divided(former, result, old_keys)
    linked = {link.new_code for link in result.links}
    for ward in wards:
        if ward.code not in linked:
            result.exceptions.append(f"{ward.name} (mã {ward.code}): không xác định được đơn vị tiền thân")
    result.links.sort(key=lambda link: (int(link.new_code), int(link.old_code)))
    return result


def _settle_codes(converted: dict[str, list[dict]], nso: set[str], result: Succession,
                  settled: dict[str, str]) -> dict[str, str]:
    """Where the converter's new code is not the NSO one: the NSO code is normally the code of one
    of the unit's predecessors (a new unit takes a predecessor's code); else the params settle it."""
    produced = set(converted)
    renamed = {}
    for new_code in sorted(produced - nso, key=int):
        candidates = [old["wardCode"] for old in converted[new_code]
                      if old["wardCode"] in nso and old["wardCode"] not in produced]
        by_params = {settled.get(old["wardCode"]) for old in converted[new_code]}
        names = ", ".join(f"{o['ward']} (mã {o['wardCode']})" for o in converted[new_code])
        if len(candidates) == 1:
            renamed[new_code] = candidates[0]
        elif len(by_params) == 1 and None not in by_params and by_params <= nso:
            renamed[new_code] = by_params.pop()
        else:
            result.exceptions.append(f"đơn vị mới mã {new_code} của gói chuyển đổi không có trong danh sách NSO "
                                     f"và không đối chiếu được qua mã các đơn vị tiền thân ({names})")
    return renamed


def _divided(former: list[dict], result: Succession, old_keys: dict[str, str]) -> list[str]:
    """Former xã/phường whose territory went to several new units: linked to the converter's default."""
    import vietnamadminunits.converter.converter_2025 as converter

    divided = {key for province in converter.DICT_PROVINCE_WARD_DIVIDED.values() for key in province}
    linked = {link.old_code: link for link in result.links}
    notes = []
    for old in former:
        if old_keys.get(old["wardCode"]) in divided and old["wardCode"] in linked:
            notes.append(f"{old['ward']} ({old['parent']}, mã {old['wardCode']}) được chia cho nhiều đơn vị mới; "
                         f"ghi vào đơn vị chính theo gói chuyển đổi (mã {linked[old['wardCode']].new_code})")
    return notes


def ward_points(wards: list[Ward], codes: dict[str, str]) -> list[list[str]]:
    """Each ward's coordinates (vietnamadminunits), under its NSO code."""
    from vietnamadminunits.database.main import query

    nso = {w.code for w in wards}
    found = {}
    for row in query("SELECT wardCode, wardLat, wardLon FROM admin_units"):
        code = codes.get(row["wardCode"], row["wardCode"])
        if code in nso and row["wardLat"] is not None:
            found[code] = [code, f"{row['wardLat']:.5f}", f"{row['wardLon']:.5f}"]
    return [found[w.code] for w in wards if w.code in found]


def dissolved_outline(paths: list[Path], code: int, name: str) -> dict:
    """The union of boundary files (GeoJSON polygons), dissolved: a province's outline."""
    import json

    from shapely import union_all
    from shapely.geometry import mapping, shape

    shapes = [shape(f["geometry"]) for path in paths
              for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
    outline = union_all(shapes).buffer(0.0005).buffer(-0.0005).simplify(0.001)  # closes slivers between files
    geometry = json.loads(json.dumps(mapping(outline)), parse_float=lambda text: round(float(text), 5))
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": str(code), "name": name}, "geometry": geometry}]}


def load_agencies(path: Path) -> AgencyList:
    return load_model(path, AgencyList, "danh sách cơ quan cấp tỉnh")


def agency_succession(agencies: AgencyList, former: dict[str, str], place: str) -> Succession:
    """Each agency's predecessors, from the agency list: known codes of the former registry (units
    of `place`), or the former agencies the list names itself."""
    named = {a.code: a.name for a in agencies.former_agencies} | former
    result = Succession()
    for agency in agencies.agencies:
        for code in agency.predecessors:
            if code not in named:
                raise CqdtError(Issue(f"cơ quan {agency.code} có đơn vị tiền thân {code} không có trong danh sách",
                                      column="predecessors", value=code))
            result.links.append(Successor(agency.code, code, named[code], "", "", place if code in former else ""))
    return result


REGISTRY_COLUMNS = ["group", "code", "name", "local_name", "parent_code", "unit_type"]
SUCCESSION_COLUMNS = ["new_code", "old_code", "old_name", "old_parent", "old_province_code", "old_province", "note"]


def write_registry(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REGISTRY_COLUMNS)
        writer.writerows(rows)


def write_succession(path: Path, links: list[Successor]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SUCCESSION_COLUMNS)
        writer.writerows([[s.new_code, s.old_code, s.old_name, s.old_parent, s.old_province_code, s.old_province,
                           s.note] for s in links])


def write_points(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "lat", "lon"])
        writer.writerows(rows)


def load_points(path: Path) -> dict[str, tuple[float, float]]:
    """Unit code → (longitude, latitude)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: (float(row["lon"]), float(row["lat"])) for row in csv.DictReader(handle)}


def year_succession(params) -> dict[str, list[Successor]] | None:
    """The year's succession table by new unit code, or None when its registry has none."""
    if params.registry is None or not params.registry.succession:
        return None
    return load_succession(params.path(params.registry.succession))


def load_succession(path: Path) -> dict[str, list[Successor]]:
    """The succession table by new unit code (the predecessors in the table's order)."""
    if not path.is_file():
        raise CqdtError(Issue("chưa có bảng kế thừa đơn vị; hãy chạy «python -m cqdt registry»", file=path))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != SUCCESSION_COLUMNS:
            raise CqdtError(Issue(f"tiêu đề phải là {','.join(SUCCESSION_COLUMNS)}", file=path, row=1))
        rows = [Successor(**row) for row in reader]
    by_unit: dict[str, list[Successor]] = {}
    for row in rows:
        by_unit.setdefault(row.new_code, []).append(row)
    return by_unit


def predecessor_text(links: list[Successor]) -> str:
    """«Xã A, Xã B (Huyện X, Tỉnh Gia Lai); Xã C (Huyện Y, Tỉnh Bình Định)», in the table's order."""
    places: dict[str, list[str]] = {}
    for link in links:
        where = ", ".join(part for part in (link.old_parent, link.old_province) if part)
        places.setdefault(where, []).append(link.old_name)
    return "; ".join(", ".join(names) + (f" ({where})" if where else "") for where, names in places.items())


def legacy_registry(source: RegistrySource, resolve, registry_path: Path) -> dict:
    """The registry of a year before 1 July 2025: the province's huyện and xã as vietnamadminunits
    lists them just before the reorganisation, the agencies of the earlier registry; the note lists
    how it differs from that registry (by code)."""
    from vietnamadminunits.database.main import query

    from .units import load_registry

    province = f"'{int(source.province_code)}'"  # an integer only reaches the SQL
    parents = query("SELECT DISTINCT districtCode AS code, district AS name FROM admin_units_legacy "
                    f"WHERE provinceCode = {province} ORDER BY CAST(districtCode AS INTEGER)")
    wards = query("SELECT wardCode AS code, ward AS name, districtCode AS parent, wardType AS type FROM "
                  f"admin_units_legacy WHERE provinceCode = {province} ORDER BY CAST(wardCode AS INTEGER)")
    earlier = load_registry(resolve(source.former_registry))
    rows = [[source.agency_group, u.code, u.name, u.local_name if u.local_name != u.name else "", "", "cơ quan cấp tỉnh"]
            for u in earlier.group(source.agency_group)]
    rows += [[source.district_group, p["code"], nfc(p["name"]), "", "", "huyện"] for p in parents]
    rows += [[source.ward_group, w["code"], nfc(w["name"]), "", w["parent"], nfc(w["type"]).lower()] for w in wards]
    write_registry(registry_path, rows)
    now = {row[1]: row[2] for row in rows}
    before = {u.code: u.name for u in earlier.units}
    return {
        "sources": {"huyện, xã": f"vietnamadminunits {package_version('vietnamadminunits')} "
                                 "(danh sách 63 tỉnh, trước ngày 01/7/2025)",
                    "cơ quan cấp tỉnh": str(source.former_registry)},
        "units": {group: sum(1 for row in rows if row[0] == group)
                  for group in (source.agency_group, source.district_group, source.ward_group)},
        "differences": {
            "removed": [f"{before[c]} (mã {c})" for c in before if c not in now],
            "added": [f"{now[c]} (mã {c})" for c in now if c not in before],
            "renamed": [f"mã {c}: {before[c]} → {now[c]}" for c in now if c in before and before[c] != now[c]],
        },
        "exceptions": [],
    }


def build_registry(source: RegistrySource, resolve, registry_path: Path) -> dict:
    """Write the registry and the succession table; return what the source note records."""
    if source.kind == "legacy":
        return legacy_registry(source, resolve, registry_path)
    from .units import load_registry

    wards = province_wards(source.province_code)
    agencies = load_agencies(resolve(source.agencies))
    former = {}
    if source.former_registry:
        former = {u.code: u.name for u in load_registry(resolve(source.former_registry)).units}
    rows = [[source.agency_group, a.code, nfc(a.name), "", "", "cơ quan cấp tỉnh"] for a in agencies.agencies]
    rows += [[source.ward_group, w.code, w.name, "", "", w.unit_type] for w in wards]
    write_registry(registry_path, rows)
    olds = former_communes(source.former_provinces)
    wards_from = ward_succession(source.province_code, olds, wards, source.settled)
    offices = agency_succession(agencies, former, source.former_registry_place)
    write_succession(resolve(source.succession), offices.links + wards_from.links)
    if source.points:
        write_points(resolve(source.points), ward_points(wards, wards_from.codes))
    if source.outline:
        import json

        from vietnam_provinces import Province, ProvinceCode

        province = Province.from_code(ProvinceCode(source.province_code)).name
        outline = dissolved_outline([resolve(p) for p in source.outline_from], source.province_code, nfc(province))
        resolve(source.outline).write_text(json.dumps(outline, ensure_ascii=False, separators=(",", ":")) + "\n",
                                           encoding="utf-8")
    return {
        "sources": {"xã, phường": f"vietnam-provinces {package_version('vietnam-provinces')} (danh sách NSO)",
                    "kế thừa": f"vietnamadminunits {package_version('vietnamadminunits')}",
                    "cơ quan cấp tỉnh": agencies.source.strip()},
        "units": {source.agency_group: len(agencies.agencies), source.ward_group: len(wards)},
        "former_communes": len(olds),
        "exceptions": wards_from.exceptions + offices.exceptions,
    }
