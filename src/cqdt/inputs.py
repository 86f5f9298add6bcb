"""Reading the group workbooks and the province-wide figures, with cell-precise validation.

Every problem found is collected and reported at once, in Vietnamese, with the file,
sheet, Excel row, column and value. Nothing is coerced silently: "n/a" is an error,
not an empty cell.
"""

from __future__ import annotations

import html as htmllib
import math
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .catalogue import Catalogue, InputField, Ratio
from .errors import CqdtError, Issue, raise_if_any
from .formatting import nfc, vn_int, vn_number
from .units import Registry

CODE_COLUMN = "ma_don_vi"
NAME_COLUMN = "ten_don_vi"
INSTRUCTIONS_SHEET = "Hướng dẫn"
PROVINCE_SHEET = "Toàn tỉnh"
PROVINCE_COLUMNS = ["ma_chi_so", "noi_dung", "gia_tri", "tien_to"]
_YES = {"có", "co", "x", "yes"}
_NO = {"không", "khong", "no"}


@dataclass(frozen=True)
class Cell:
    file: Path
    sheet: str
    row: int
    column: str
    value: Any

    def issue(self, message: str) -> Issue:
        return Issue(message, file=self.file, sheet=self.sheet, row=self.row,
                     column=self.column, value=self.value)


# What a workbook of the project may hold: far above any province's (a national year has some
# 11.000 rows), far below what would exhaust memory. A sheet claiming more is refused before any
# reader allocates for it (one that claims A1:XFD1048576 made calamine try to allocate 512 GiB).
MAX_ROWS = 200_000
MAX_COLUMNS = 2_000
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_bounds(path: Path) -> None:
    """Refuse, with its figures, a workbook whose zip is damaged or whose sheets claim more rows,
    columns or bytes than the project reads; never trust a claimed size for allocation."""
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            if damaged is not None:
                raise CqdtError(Issue(f"tệp bị hỏng (phần «{damaged}» sai mã kiểm tra CRC); hãy lấy lại bản gốc",
                                      file=path))
            names = _sheet_names(archive)
            for info in archive.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                sheet = names.get(info.filename, info.filename)
                if info.file_size > MAX_UNCOMPRESSED_BYTES:
                    raise CqdtError(Issue(f"trang quá lớn ({vn_int(info.file_size)} byte khi giải nén, tối đa "
                                          f"{vn_int(MAX_UNCOMPRESSED_BYTES)})", file=path, sheet=sheet))
                with archive.open(info) as handle:
                    head = handle.read(4096)
                found = _DIMENSION.search(head)
                if found and found.group(3):
                    rows, columns = int(found.group(4)), _column_number(found.group(3).decode())
                    claimed = found.group(0).decode().split('"')[1]
                    if rows > MAX_ROWS or columns > MAX_COLUMNS:
                        raise CqdtError(Issue(
                            f"trang khai báo vùng dữ liệu {claimed} ({vn_int(rows)} dòng, {vn_int(columns)} cột), "
                            f"vượt giới hạn {vn_int(MAX_ROWS)} dòng, {vn_int(MAX_COLUMNS)} cột; hãy xóa các dòng, cột "
                            "thừa rồi lưu lại", file=path, sheet=sheet))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error):
        raise CqdtError(Issue("tệp không phải bảng tính Excel (.xlsx) hợp lệ", file=path)) from None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name, from the workbook and its relationships (best effort)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', relations))
    targets |= {rid: target for target, rid in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', relations)}
    names = {}
    for name, rid in re.findall(r'<(?:\w+:)?sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, "")
        names["xl/" + target.lstrip("/").removeprefix("xl/")] = htmllib.unescape(name)
    return names


def open_values(path: Path):
    """A workbook opened for its cell values with python-calamine, which reads a national-scale year's
    workbooks in under a second where openpyxl took ten (the returned forms too: all sheets, very
    hidden ones included)."""
    from python_calamine import CalamineError, CalamineWorkbook

    if not path.is_file():
        raise CqdtError(Issue("không tìm thấy tệp số liệu", file=path))
    check_bounds(path)
    try:
        # Read through Python's open (not calamine's own), so that the build records the workbook as read.
        with open(path, "rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except (CalamineError, OSError, ValueError):
        raise CqdtError(Issue("tệp không phải bảng tính Excel (.xlsx) hợp lệ", file=path)) from None


def sheet_values(workbook, name: str, path: Path | None = None) -> list[list[Any]]:
    """The sheet's rows from A1, as Excel numbers them; empty cells are None, whole numbers int.
    A sheet whose XML is damaged (cut short, bad markup) is named with its file."""
    from python_calamine import CalamineError, XmlError, ZipError

    try:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, XmlError, ZipError) as error:
        raise CqdtError(Issue(f"trang bị hỏng, không đọc được ({error}); hãy mở và lưu lại tệp bằng Excel",
                              file=path, sheet=name)) from None
    return [[_plain(v) for v in row] for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_group(path: Path, group: str, catalogue: Catalogue, registry: Registry, complete: bool = True) -> pd.DataFrame:
    """One group's workbook → a frame indexed by unit code (registry order), one column per field.
    `complete=False` reads a workbook still being collected: the units present, each on every sheet."""
    workbook = open_values(path)
    issues: list[Issue] = []
    fields = catalogue.groups[group].fields
    expected_sheets = list(dict.fromkeys(f.sheet for f in fields))
    sheet_names = {nfc(name): name for name in workbook.sheet_names}
    for extra in sorted(set(sheet_names) - set(expected_sheets) - {INSTRUCTIONS_SHEET}):
        issues.append(Issue(f"trang không có trong danh mục; các trang cần có: {', '.join(expected_sheets)}",
                            file=path, sheet=extra))
    columns: dict[str, dict[str, float]] = {}
    empty_cells = _EmptyCellLookup(path)
    for sheet in expected_sheets:
        if sheet not in sheet_names:
            issues.append(Issue("thiếu trang số liệu", file=path, sheet=sheet))
            continue
        sheet_fields = [f for f in fields if f.sheet == sheet]
        rows = sheet_values(workbook, sheet_names[sheet], path)
        issues += _read_sheet(path, sheet, rows, sheet_fields, group, registry, columns, empty_cells, complete)
    raise_if_any(issues)
    present = set().union(*(columns[f.id] for f in fields))
    for field in [] if complete else fields:
        issues += [Issue(f"thiếu số liệu của đơn vị {code}", file=path, sheet=field.sheet, column=field.id, value=code)
                   for code in sorted(present - set(columns[field.id]))]
    issues += ratio_checks(path, group, catalogue, columns)
    raise_if_any(issues)
    codes = [u.code for u in registry.group(group) if u.code in present]
    return pd.DataFrame({f.id: [columns[f.id][c] for c in codes] for f in fields}, index=pd.Index(codes, name="code"))


class _EmptyCellLookup:
    """What lies behind a cell read as empty: an error value such as #N/A, or a formula Excel never
    computed. Opens the workbook with openpyxl, only when there is such a cell."""

    def __init__(self, path: Path):
        self.path, self._books = path, {}

    def _sheet(self, data_only: bool, sheet: str):
        if data_only not in self._books:
            from openpyxl import load_workbook

            self._books[data_only] = load_workbook(self.path, read_only=False, data_only=data_only)
        book = self._books[data_only]
        return book[next(n for n in book.sheetnames if nfc(n) == sheet)]

    def _cell(self, data_only: bool, sheet: str, row: int, col: int) -> Any:
        return self._sheet(data_only, sheet).cell(row=row, column=col).value

    def stored_value(self, sheet: str, row: int, col: int) -> Any:
        return self._cell(True, sheet, row, col)

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        value = self._cell(False, sheet, row, col)
        return value if isinstance(value, str) and value.startswith("=") else None

    def shown_as_percent(self, sheet: str, row: int, col: int) -> bool:
        """Whether the cell's number format shows it as a percentage (Excel stores 95 % as 0,95)."""
        return "%" in (self._sheet(True, sheet).cell(row=row, column=col).number_format or "")


def percent_as_shown(value: float, cell: Cell, lookup: _EmptyCellLookup, column: int) -> tuple[float | None, str | None]:
    """A percent field holds the percentage a form shows: a cell formatted as % stores a fraction
    (0,95 for 95 %), read as shown; a fraction without that format is refused, as 0,95 typed where
    95 was meant is the usual slip (README, input format)."""
    if not 0 < value <= 1:
        return value, None
    if lookup.shown_as_percent(cell.sheet, cell.row, column):
        return round(value * 100, 9), None
    if value == 1:
        return value, None  # 1 %: a whole number, nothing to confuse
    return None, (f"tỷ lệ phần trăm {vn_number(value, 6, strip_zeros=True)} nhỏ hơn 1: nếu là "
                  f"{vn_number(value * 100, 4, strip_zeros=True)}% hãy nhập số đó (hoặc định dạng ô là %); "
                  "giá trị dưới 1% không được chấp nhận vì dễ nhầm, hãy làm tròn")


def _read_sheet(path, sheet, rows, fields, group, registry, columns, empty_cells, complete=True) -> list[Issue]:
    issues: list[Issue] = []
    if not rows:
        return [Issue("trang trống, không có dòng tiêu đề", file=path, sheet=sheet, row=1)]
    header = [nfc(str(h)).strip() if h is not None else "" for h in rows[0]]
    expected = [CODE_COLUMN, NAME_COLUMN, *(f.id for f in fields)]
    for position, name in enumerate(header[:2]):
        if name != expected[position]:
            issues.append(Issue(f"dòng 1 phải là dòng tiêu đề, cột {position + 1} phải có tên «{expected[position]}»",
                                file=path, sheet=sheet, row=1, column=_letter(position), value=rows[0][position]))
    if issues:
        return issues
    for missing in [name for name in expected if name not in header]:
        issues.append(Issue("thiếu cột số liệu", file=path, sheet=sheet, row=1, column=missing))
    for position, name in enumerate(header):
        if name and name not in expected:
            issues.append(Issue("cột không có trong danh mục tiêu chí", file=path, sheet=sheet, row=1,
                                column=_letter(position), value=name))
        elif name and header.count(name) > 1 and header.index(name) != position:
            issues.append(Issue("cột bị lặp lại", file=path, sheet=sheet, row=1, column=name))
    if issues:
        return issues
    known = {u.code: u for u in registry.group(group)}
    seen: dict[str, int] = {}
    for field in fields:
        columns.setdefault(field.id, {})
    # Each field's column, found once per sheet (a national sheet has 10.600 rows).
    placed = [(field, header.index(field.id), columns[field.id]) for field in fields]
    for offset, row in enumerate(rows[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        code = _code(row[0])
        if code not in known:
            issues.append(Issue("mã đơn vị không có trong danh sách đơn vị của nhóm", file=path, sheet=sheet,
                                row=offset, column=CODE_COLUMN, value=row[0]))
            continue
        if code in seen:
            issues.append(Issue(f"mã đơn vị bị trùng (đã có ở dòng {seen[code]})", file=path, sheet=sheet,
                                row=offset, column=CODE_COLUMN, value=row[0]))
            continue
        seen[code] = offset
        for field, position, column in placed:
            raw = row[position] if position < len(row) else None
            if raw is None:
                raw = empty_cells.stored_value(sheet, offset, position + 1)  # e.g. «#N/A»
            value, problem = parse_value(raw, field)
            if problem is None and field.kind == "percent" and value is not None:
                value, problem = percent_as_shown(value, Cell(path, sheet, offset, field.id, raw), empty_cells,
                                                  position + 1)
            if problem is None and raw is None:
                formula = empty_cells.formula(sheet, offset, position + 1)
                problem = (f"ô chứa công thức {formula} chưa có giá trị đã tính; hãy mở tệp bằng Excel, tính lại và lưu"
                           if formula else "ô trống; hãy nhập số liệu (ghi 0 nếu không có)")
            if problem:
                issues.append(Cell(path, sheet, offset, field.id, raw).issue(problem))
            else:
                column[code] = value
    for unit in known.values() if complete else ():
        if unit.code not in seen:
            issues.append(Issue(f"thiếu dòng số liệu của đơn vị {unit.code} ({unit.name})", file=path, sheet=sheet,
                                column=CODE_COLUMN, value=unit.code))
    return issues


def _code(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return nfc(str(raw)).strip() if raw is not None else ""


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def parse_value(raw: Any, field: InputField) -> tuple[float | None, str | None]:
    """A cell's value for a field, or the Vietnamese reason it is not acceptable."""
    if raw is None:
        return None, None
    if field.kind == "yes_no":
        return _parse_yes_no(raw)
    number, problem = _parse_number(raw)
    if problem:
        return None, problem
    if number < 0:
        return None, "giá trị âm không hợp lệ"
    if field.kind == "count" and not float(number).is_integer():
        return None, "phải là số nguyên (số lượng)"
    if field.kind == "percent" and number > 100:
        return None, "tỷ lệ phần trăm không được vượt quá 100"
    if field.maximum is not None and number > field.maximum:
        return None, f"vượt giá trị tối đa cho phép ({field.maximum:g})"
    return float(number), None


def _parse_yes_no(raw: Any) -> tuple[float | None, str | None]:
    if isinstance(raw, bool):
        return float(raw), None
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return float(raw), None
    text = nfc(str(raw)).strip().lower()
    if text in _YES or text == "1":
        return 1.0, None
    if text in _NO or text == "0":
        return 0.0, None
    return None, "chỉ nhận «Có»/«Không» hoặc 1/0"


def _parse_number(raw: Any) -> tuple[float | None, str | None]:
    if isinstance(raw, bool):
        return None, "phải là số, không phải giá trị TRUE/FALSE"
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):  # a damaged or hand-edited file can store NaN or infinity
            return None, "không phải số hữu hạn (NaN hoặc vô cực); hãy nhập lại số liệu"
        return float(raw), None
    text = str(raw).strip()
    if re.fullmatch(r"\d+", text):
        return float(text), None  # a number stored as text: unambiguous, accepted
    if re.fullmatch(r"\d+,\d+", text):
        return None, "dấu phẩy thập phân trong ô văn bản không được chấp nhận; hãy nhập ô kiểu số (ví dụ 12,5 gõ theo định dạng số của Excel)"
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return None, "không rõ dấu chấm là phân cách hàng nghìn hay thập phân; hãy nhập ô kiểu số, không có dấu phân cách"
    return None, "không phải số (ô văn bản như «n/a», «-», «không có» không được chấp nhận; ghi 0 nếu không có)"


def ratio_checks(path: Path, group: str, catalogue: Catalogue, columns) -> list[Issue]:
    """A numerator may not exceed its denominator (e.g. online dossiers > dossiers received)."""
    issues = []
    fields = {f.id: f for f in catalogue.groups[group].fields}
    pairs = {(c.numerator, c.denominator) for c in catalogue.criteria(group) if isinstance(c, Ratio)}
    for numerator, denominator in sorted(pairs):
        for code, value in columns[numerator].items():
            total = columns[denominator].get(code)
            if total is not None and value > total:
                issues.append(Issue(
                    f"«{fields[numerator].label}» ({value:g}) lớn hơn «{fields[denominator].label}» ({total:g})",
                    file=path, sheet=fields[numerator].sheet, column=numerator, value=f"{code}: {value:g}"))
    return issues


def read_province(path: Path) -> dict[str, tuple[float, str]]:
    """Province-wide figures: id → (value, qualifier such as «hơn»)."""
    return province_figures(province_rows(path), path)


def province_rows(path: Path, workbook=None) -> list[list[Any]]:
    """The rows of the province-wide sheet, header first (of `workbook`, path's workbook when the
    caller has it open already)."""
    workbook = open_values(path) if workbook is None else workbook
    names = {nfc(n): n for n in workbook.sheet_names}
    if PROVINCE_SHEET not in names:
        raise CqdtError(Issue("thiếu trang số liệu toàn tỉnh", file=path, sheet=PROVINCE_SHEET))
    return sheet_values(workbook, names[PROVINCE_SHEET], path)


def province_figures(rows: list[list[Any]], path: Path) -> dict[str, tuple[float, str]]:
    """The province-wide figures of the sheet's rows, checked (numbers, not negative, each key once)."""
    header = [nfc(str(h)).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    if header[:4] != PROVINCE_COLUMNS:
        raise CqdtError(Issue(f"dòng 1 phải là tiêu đề {', '.join(PROVINCE_COLUMNS)}", file=path,
                              sheet=PROVINCE_SHEET, row=1, value=", ".join(header)))
    figures, issues = {}, []
    for offset, row in enumerate(rows[1:], start=2):
        key = _code(row[0])
        if not key:
            continue
        value, problem = _parse_number(row[2]) if row[2] is not None else (None, "ô trống")
        if not problem and value < 0:
            problem = "số liệu toàn tỉnh không được âm"
        if problem:
            issues.append(Issue(problem, file=path, sheet=PROVINCE_SHEET, row=offset, column="gia_tri", value=row[2]))
        elif key in figures:
            issues.append(Issue("mã chỉ số bị trùng", file=path, sheet=PROVINCE_SHEET, row=offset,
                                column="ma_chi_so", value=key))
        else:
            figures[key] = (value, nfc(str(row[3] or "")).strip())
    raise_if_any(issues)
    return figures
