"""The unit registry: who is assessed, matched by code and never by display name."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import CqdtError, Issue
from .formatting import nfc

_COLUMNS = ["group", "code", "name", "local_name", "parent_code"]
_OPTIONAL = ["unit_type"]  # «xã», «phường», «cơ quan cấp tỉnh»: registries written by `cqdt registry`


@dataclass(frozen=True)
class Unit:
    group: str
    code: str
    name: str  # official (GSO) spelling, NFC
    local_name: str  # spelling used in local documents, NFC; equals name when none is known
    parent_code: str  # the unit of the parent group (catalogue `parent`) containing it, or empty
    unit_type: str = ""


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]

    def group(self, group: str) -> list[Unit]:
        return [u for u in self.units if u.group == group]

    def by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def name(self, code: str) -> str:
        return self.by_code()[code].name


def load_registry(path: Path) -> Registry:
    if not path.is_file():
        raise CqdtError(Issue("không tìm thấy danh sách đơn vị", file=path))
    try:
        # utf-8-sig: Excel's «CSV UTF-8» starts with a byte-order mark, a valid file.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise CqdtError(Issue("tệp không phải văn bản UTF-8 (có thể đã lưu bằng bảng mã Windows-1258 hoặc "
                              f"TCVN3, byte thứ {error.start + 1}); hãy lưu lại dạng «CSV UTF-8»", file=path)) from None
    if "\x00" in text:
        raise CqdtError(Issue("tệp không phải văn bản CSV (có byte 0: tệp nhị phân?)", file=path))
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames not in (_COLUMNS, _COLUMNS + _OPTIONAL):
        raise CqdtError(Issue(f"tiêu đề phải là {','.join(_COLUMNS)} (có thể thêm cột "
                              f"{','.join(_OPTIONAL)})", file=path, row=1,
                              value=",".join(reader.fieldnames or [])))
    units = []
    for number, row in enumerate(reader, start=2):
        if None in row.values() or None in row:
            raise CqdtError(Issue(f"dòng phải có đúng {len(reader.fieldnames)} cột", file=path, row=number,
                                  value=",".join(v if isinstance(v, str) else ",".join(v) for v in row.values() if v)))
        units.append(_unit(row))
    duplicates = sorted(code for code, count in Counter(u.code for u in units).items() if count > 1)
    if duplicates:
        raise CqdtError(Issue(f"mã đơn vị bị trùng: {', '.join(duplicates)}", file=path))
    return Registry(tuple(units))


def _unit(row: dict[str, str]) -> Unit:
    name = nfc(row["name"].strip())
    return Unit(
        group=row["group"],
        code=row["code"].strip(),
        name=name,
        local_name=nfc(row["local_name"].strip()) or name,
        parent_code=row["parent_code"].strip(),
        unit_type=(row.get("unit_type") or "").strip(),
    )
