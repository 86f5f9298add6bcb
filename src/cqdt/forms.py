"""Survey forms ("phiếu khảo sát"): one Excel form per unit from the catalogue, and the
collection of returned forms into the group workbooks the pipeline reads.

A form carries a very hidden sheet of metadata (year, catalogue, unit) so that it is
identified even when renamed; the labels and the unit are locked, only the answer column
is editable, and Excel's data validation stops most mistakes while typing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .catalogue import InputField
from .errors import CqdtError, Issue
from .inputs import (
    CODE_COLUMN,
    NAME_COLUMN,
    PROVINCE_COLUMNS,
    PROVINCE_SHEET,
    open_values,
    parse_value,
    province_figures,
    province_rows,
    ratio_checks,
    read_group,
    sheet_values,
)
from .ooxml import write_xlsx
from .pipeline import Year
from .province import compute_indicator
from .units import Unit
from .workbooks import KIND_TEXT, SAVED_AT, collected_title, write_group_workbook, write_province_workbook

COLLECTED_NOTE = "Số liệu tổng hợp từ phiếu khảo sát của các đơn vị (make collect)."  # never «tái dựng»
META_SHEET = "_meta"
INSTRUCTIONS = "Hướng dẫn"
FIRST_ROW = 5  # the first figure's row on a pillar sheet
ANSWER_COLUMN = "E"
HEADER = ["Mã chỉ tiêu", "Nội dung", "Đơn vị tính", "Giá trị cho phép", "Số liệu", "Ghi chú"]
PROTECTION_PASSWORD = "cqdt"  # guards against accidental edits, not a secret
_INPUT_COLOUR = "#FFF7D6"  # the cells to fill in


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def form_name(unit: Unit, year: int) -> str:
    return f"phieu-{year}-{unit.code}-{slug(unit.name)}.xlsx"


def allowed_text(item: InputField) -> str:
    text = KIND_TEXT[item.kind]
    if item.maximum is not None and item.kind != "yes_no":
        text += f", tối đa {item.maximum:g}"
    return text


# ---------------------------------------------------------------- writing forms

def write_forms(year: Year, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for group in year.groups:
        folder = out_dir / group
        folder.mkdir(exist_ok=True)
        for unit in year.registry.group(group):
            path = folder / form_name(unit, year.params.year)
            write_form(year, group, unit, path)
            written.append(path)
    if province_fields(year):
        folder = out_dir / PROVINCE_FOLDER
        folder.mkdir(exist_ok=True)
        path = folder / f"phieu-{year.params.year}-toan-tinh.xlsx"
        write_province_form(year, path)
        written.append(path)
    return written


# ---------------------------------------------------------------- the province-wide form

PROVINCE_FOLDER = "toan-tinh"
PROVINCE_KIND = "toan-tinh"  # the form's kind in its _meta sheet, and its key in the receipt ledger


def province_fields(year: Year) -> dict[str, str]:
    """The province-wide figures the year's indicators read (id → what to enter), in their order;
    none when the year reads no province-wide workbook."""
    if not year.params.province_input:
        return {}
    fields: dict[str, str] = {}
    for spec in year.indicators:
        if spec.source == "province":
            fields.setdefault(spec.fields[0], spec.label)
        elif spec.source == "province_ratio":
            fields.setdefault(spec.fields[0], f"{spec.label}: số đạt")
            fields.setdefault(spec.fields[1], f"{spec.label}: tổng số")
    return fields


def write_province_form(year: Year, path: Path) -> None:
    """The form the Sở fills with the province-wide figures: the layout of the province workbook
    (ma_chi_so, noi_dung, gia_tri, tien_to), only the value and its qualifier open to entry."""
    survey = year.params.survey
    lines = [f"PHIẾU SỐ LIỆU TOÀN TỈNH NĂM {year.params.year}", "",
             f"Số liệu tính từ {survey.window_start:%d/%m/%Y} đến {survey.window_end:%d/%m/%Y}.",
             ("Trang «Toàn tỉnh»: điền cột gia_tri (số ≥ 0, ô nền vàng); cột tien_to ghi «hơn», «khoảng»… "
              "nếu số liệu là ước tính, để trống nếu là số chính xác."),
             "Không đổi tên trang, không thêm, bớt hay đổi thứ tự dòng; có thể đổi tên tệp khi gửi.",
             f"Hạn gửi: {survey.deadline:%d/%m/%Y}. Liên hệ: {survey.contact}."]

    def content(book: xlsxwriter.Workbook, styles: _Styles) -> None:
        _write_lines(book.add_worksheet(INSTRUCTIONS), lines, styles)
        sheet = book.add_worksheet(PROVINCE_SHEET)
        sheet.write_row(0, 0, PROVINCE_COLUMNS, styles.bold)
        fields = province_fields(year)
        for row, (key, label) in enumerate(fields.items(), start=1):
            sheet.write_row(row, 0, [key, label])
            sheet.write_blank(row, 2, None, styles.answer)
            sheet.write_blank(row, 3, None, styles.answer)
        if fields:
            sheet.data_validation(1, 2, len(fields), 2, {
                "validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True, "show_error": True,
                "error_message": "Số liệu phải là số không âm"})
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 70)
        sheet.protect(PROTECTION_PASSWORD)

    _save_form(content, {"year": str(year.params.year), "catalogue": year.catalogue.id, "kind": PROVINCE_KIND}, path)


def read_province_form(year: Year, path: Path, meta: dict[str, str],
                       book) -> tuple[dict[str, tuple[float, str]], list[Issue]]:
    """A returned province-wide form, checked as ingest checks the province workbook (the same reader),
    with its rows as generated and every part not above its whole."""
    problems = _identity_problems(year, path, meta)
    if problems:
        return {}, problems
    try:
        rows = province_rows(path, book)
        figures = province_figures(rows, path)
    except CqdtError as error:
        return {}, error.issues
    keys = [str(row[0]).strip() if row and row[0] is not None else "" for row in rows[1:]]
    expected = list(province_fields(year))
    issues = [Issue(f"dòng đã khóa bị sửa (phải là «{wanted}»); hãy dùng lại phiếu gốc", file=path, sheet=PROVINCE_SHEET,
                    row=offset, column="ma_chi_so", value=found or None)
              for offset, (wanted, found) in enumerate(zip(expected, keys + [""] * len(expected)), start=2)
              if wanted != found]
    for spec in year.indicators:
        if spec.source == "province_ratio" and not issues:
            try:
                compute_indicator(spec, {}, figures, path)
            except CqdtError as error:
                issues += error.issues
    return figures, issues


def _write_province(year: Year, figures: dict[str, tuple[float, str]], out_dir: Path, result: Collection) -> None:
    """The accepted province-wide figures as the year's province workbook (the old one backed up)."""
    target = out_dir / Path(year.params.province_input).name
    rows = [(key, label, figures[key][0], figures[key][1] or None) for key, label in province_fields(year).items()]
    _backup(target, out_dir, result)
    temporary = target.with_name(f".{target.name}.tmp")
    write_province_workbook(temporary, rows, creator="cqdt collect")
    temporary.replace(target)
    result.written.append(target)


def write_form(year: Year, group: str, unit: Unit, path: Path) -> None:
    def content(book: xlsxwriter.Workbook, styles: _Styles) -> None:
        _instructions(book.add_worksheet(INSTRUCTIONS), styles, year, group, unit)
        for pillar in year.catalogue.pillars:
            fields = [f for f in year.catalogue.groups[group].fields if f.sheet == pillar.sheet]
            if fields:
                _pillar_sheet(book.add_worksheet(pillar.sheet), styles, pillar.label, fields, unit)

    _save_form(content, _meta(year, group, unit), path)


@dataclass(frozen=True)
class _Styles:
    """The cell formats of a form (XlsxWriter formats belong to one workbook). A cell is locked
    unless its format says otherwise, as in Excel."""

    title: Format
    heading: Format
    bold: Format
    wrap: Format
    answer: Format  # open to entry, shaded
    note: Format  # open to entry

    @classmethod
    def of(cls, book: xlsxwriter.Workbook) -> _Styles:
        return cls(title=book.add_format({"bold": True, "font_size": 13}),
                   heading=book.add_format({"bold": True, "font_size": 12}),
                   bold=book.add_format({"bold": True}), wrap=book.add_format({"text_wrap": True}),
                   answer=book.add_format({"locked": False, "pattern": 1, "bg_color": _INPUT_COLOUR}),
                   note=book.add_format({"locked": False}))


def _save_form(content: Callable[[xlsxwriter.Workbook, _Styles], None], meta: dict[str, str], path: Path) -> None:
    """A form written by content(book, styles) with XlsxWriter (four to five times faster than
    openpyxl: each unit gets one, a national year has thousands), with what identifies it in a very
    hidden, protected sheet; the same bytes from the same content."""
    def written(book: xlsxwriter.Workbook) -> None:
        content(book, _Styles.of(book))
        sheet = book.add_worksheet(META_SHEET)
        for row, (key, value) in enumerate(meta.items()):
            sheet.write_row(row, 0, [key, value])
        sheet.very_hidden()
        sheet.protect(PROTECTION_PASSWORD)

    write_xlsx(path, SAVED_AT, {"author": "cqdt forms"}, written)


def _meta(year: Year, group: str, unit: Unit) -> dict[str, str]:
    return {"year": str(year.params.year), "catalogue": year.catalogue.id, "group": group, "unit_code": unit.code}


def _instructions(sheet: Worksheet, styles: _Styles, year: Year, group: str, unit: Unit) -> None:
    survey = year.params.survey
    lines = [
        f"PHIẾU KHẢO SÁT MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ NĂM {year.params.year}",
        f"Đơn vị: {unit.name} (mã {unit.code}) — nhóm {year.catalogue.groups[group].label}",
        "",
        f"Số liệu tính từ {survey.window_start:%d/%m/%Y} đến {survey.window_end:%d/%m/%Y}.",
        "Điền số liệu vào cột «Số liệu» (ô nền vàng) của từng trang; các ô khác đã khóa.",
        "Số lượng ghi số nguyên (ghi 0 nếu không có); câu hỏi Có/Không chọn trong danh sách.",
        "Không đổi tên trang, không thêm dòng, cột; có thể đổi tên tệp khi gửi.",
        f"Hạn gửi: {survey.deadline:%d/%m/%Y}. Liên hệ: {survey.contact}.",
    ]
    _write_lines(sheet, lines, styles)
    sheet.set_column(0, 0, 100)
    sheet.protect(PROTECTION_PASSWORD)


def _write_lines(sheet: Worksheet, lines: list[str], styles: _Styles) -> None:
    """A form's guidance, one line a row in column A, the first line its title."""
    for row, line in enumerate(lines):
        if line:
            sheet.write_string(row, 0, line, styles.title if row == 0 else None)


def _pillar_sheet(sheet: Worksheet, styles: _Styles, label: str, fields: list[InputField], unit: Unit) -> None:
    sheet.write_string(0, 0, label.upper(), styles.heading)
    sheet.write_blank(0, 1, None, styles.wrap)
    sheet.write_row(1, 0, [CODE_COLUMN, unit.code])
    sheet.write_row(2, 0, [NAME_COLUMN, unit.name])
    sheet.write_row(3, 0, HEADER, styles.bold)
    for offset, item in enumerate(fields):
        row = FIRST_ROW - 1 + offset  # XlsxWriter counts rows from 0
        sheet.write_row(row, 0, [item.id, item.label, item.unit, allowed_text(item)])
        sheet.write_blank(row, 4, None, styles.answer)
        sheet.write_blank(row, 5, None, styles.note)
        sheet.data_validation(row, 4, row, 4, _validation(item))
    for column, width in enumerate((30, 70, 12, 24, 14, 24)):
        sheet.set_column(column, column, width)
    sheet.protect(PROTECTION_PASSWORD)


def _validation(item: InputField) -> dict[str, object]:
    """Excel's check of one answer cell, with the message it shows."""
    message = {"error_title": "Giá trị không hợp lệ", "error_message": f"«{item.label}»: {allowed_text(item)}",
               "show_error": True}
    if item.kind == "yes_no":
        return {"validate": "list", "source": ["Có", "Không"], "ignore_blank": False, **message}
    top = item.maximum if item.maximum is not None else (100 if item.kind == "percent" else 10**12)
    return {"validate": "integer" if item.kind == "count" else "decimal", "criteria": "between",
            "minimum": 0, "maximum": top, **message}


# ---------------------------------------------------------------- collecting forms

@dataclass
class Collection:
    figures: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)  # group → code → row
    accepted: dict[str, Path] = field(default_factory=dict)
    rejected: dict[Path, list[Issue]] = field(default_factory=dict)
    missing: list[Unit] = field(default_factory=list)
    late: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    province: dict[str, tuple[float, str]] | None = None  # the accepted province-wide figures
    province_missing: bool = False  # the year reads them and no valid province-wide form came


LEDGER = "so-nhan-phieu.csv"  # in the year's data folder
LEDGER_COLUMNS = ["ma_don_vi", "tep", "sha256", "ngay_nhan"]


def read_ledger(path: Path) -> dict[str, dict[str, str]]:
    """The receipt ledger: when each form (by content) was first received; the analyst may correct
    a date (a form received on paper, or before the first run)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["sha256"]: row for row in csv.DictReader(handle)}


def write_ledger(path: Path, entries: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, LEDGER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        rows = sorted(entries.values(), key=lambda row: (row["ngay_nhan"], row["ma_don_vi"]))
        writer.writerows({key: _csv_text(value) for key, value in row.items()} for row in rows)


def _csv_text(value: str) -> str:
    """A value as text to a spreadsheet that opens the ledger: a sender's file name «=…» (or «+», «-»,
    «@») would be a formula Excel computes; an apostrophe before it makes it text (and is kept)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _received(entry: dict[str, str], ledger: Path) -> dt.date:
    try:
        return dt.date.fromisoformat(entry["ngay_nhan"])
    except (TypeError, ValueError):
        raise CqdtError(Issue("ngày nhận phải có dạng YYYY-MM-DD", file=ledger, column="ngay_nhan",
                              value=entry["ngay_nhan"])) from None


def collect(year: Year, forms_dir: Path, out_dir: Path, today: dt.date | None = None) -> Collection:
    """Check every returned form, consolidate the good ones into the group workbooks of out_dir.
    Lateness is judged from the ledger's date of first receipt (out_dir/so-nhan-phieu.csv), never
    from file dates: a copied or downloaded form keeps the day it first arrived."""
    result = Collection()
    seen: dict[str, list[Path]] = {}
    ledger = read_ledger(out_dir / LEDGER)
    today = today or dt.date.today()
    province: dict[str, tuple[float, str]] = {}
    for path in sorted(forms_dir.rglob("*.xlsx")):
        unit, figures, issues = read_form(year, path)
        if issues:
            result.rejected[path] = issues
            continue
        code = unit.code if unit else PROVINCE_KIND
        seen.setdefault(code, []).append(path)
        if unit:
            result.figures.setdefault(unit.group, {})[unit.code] = figures
        else:
            province = figures
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = ledger.setdefault(digest, {"ma_don_vi": code, "tep": path.name, "sha256": digest,
                                           "ngay_nhan": today.isoformat()})
        if _received(entry, out_dir / LEDGER) > year.params.survey.deadline:
            result.late.append(path)
    write_ledger(out_dir / LEDGER, ledger)
    for code, paths in seen.items():
        if len(paths) > 1:
            if code == PROVINCE_KIND:
                province = {}
            else:
                del result.figures[year.registry.by_code()[code].group][code]
            for path in paths:
                others = ", ".join(p.name for p in paths if p != path)
                result.rejected[path] = [Issue(f"đơn vị {code} có nhiều hơn một phiếu (cùng với {others}); "
                                               "hãy giữ lại đúng một phiếu", file=path)]
        else:
            result.accepted[code] = paths[0]
    received = {code for group in result.figures.values() for code in group}
    result.missing = [u for u in year.registry.units if u.code not in received]
    result.province = province or None
    result.province_missing = bool(province_fields(year)) and not province
    _write_workbooks(year, result, out_dir)
    if province:
        _write_province(year, province, out_dir, result)
    return result


def read_form(year: Year, path: Path) -> tuple[Unit | None, dict[str, object], list[Issue]]:
    """A returned form's unit, figures and problems. Its values are read with python-calamine, ten
    times faster than openpyxl (a national year returns thousands of forms); what the form locks is
    checked by content (_locked_content), which is what the protection was there to keep."""
    try:
        return _read_opened(year, path, open_values(path))
    except CqdtError as error:  # reported for this file; the other forms still count
        return None, {}, error.issues


def _read_opened(year: Year, path: Path, book) -> tuple[Unit | None, dict[str, object], list[Issue]]:
    meta = _read_meta(book, path)
    if meta is None:
        return None, {}, [Issue("không phải phiếu khảo sát do hệ thống tạo (thiếu thông tin nhận dạng)", file=path)]
    if meta.get("kind") == PROVINCE_KIND:  # the province-wide form: no unit
        figures, issues = read_province_form(year, path, meta, book)
        return None, figures, issues
    problems = _identity_problems(year, path, meta)
    unit = year.registry.by_code().get(meta.get("unit_code", ""))
    if unit is None or unit.group != meta.get("group"):
        problems.append(Issue("mã đơn vị của phiếu không có trong danh sách đơn vị", file=path,
                              value=meta.get("unit_code")))
    if problems:
        return None, {}, problems
    figures, issues = _read_answers(year, unit, book, path)
    return unit, figures, issues


def _identity_problems(year: Year, path: Path, meta: dict[str, str]) -> list[Issue]:
    problems = []
    if meta.get("year") != str(year.params.year):
        problems.append(Issue(f"phiếu của năm {meta.get('year')}, không phải năm {year.params.year}", file=path))
    if meta.get("catalogue") != year.catalogue.id:
        problems.append(Issue(f"phiếu theo danh mục «{meta.get('catalogue')}», không phải «{year.catalogue.id}»",
                              file=path))
    return problems


def _read_meta(book, path: Path) -> dict[str, str] | None:
    if META_SHEET not in book.sheet_names:
        return None
    return {str(row[0]): str(row[1]) for row in sheet_values(book, META_SHEET, path) if len(row) > 1 and row[0] is not None}


def _read_answers(year: Year, unit: Unit, book, path: Path) -> tuple[dict[str, object], list[Issue]]:
    issues, figures = [], {}
    for pillar in year.catalogue.pillars:
        fields = [f for f in year.catalogue.groups[unit.group].fields if f.sheet == pillar.sheet]
        if not fields:
            continue
        if pillar.sheet not in book.sheet_names:
            issues.append(Issue("thiếu trang số liệu", file=path, sheet=pillar.sheet))
            continue
        rows = sheet_values(book, pillar.sheet, path)
        issues += _locked_content(rows, fields, unit, path, pillar.sheet)
        for offset, item in enumerate(fields):
            row = FIRST_ROW + offset
            raw = rows[row - 1][4] if len(rows) >= row and len(rows[row - 1]) > 4 else None
            value, problem = parse_value(raw, item)
            if problem is None and raw is None:
                problem = "ô trống; hãy nhập số liệu (ghi 0 nếu không có)"
            if problem:
                issues.append(Issue(problem, file=path, sheet=pillar.sheet, row=row,
                                    column=f"{ANSWER_COLUMN} ({item.id})", value=raw))
            else:
                figures[item.id] = value
    if not issues:
        columns = {item: {unit.code: value} for item, value in figures.items()}
        issues += ratio_checks(path, unit.group, year.catalogue, columns)
    return figures, issues


def _locked_content(rows, fields, unit: Unit, path: Path, sheet: str) -> list[Issue]:
    """Cells the form locks must be as generated: a change means the protection was removed."""
    expected = {(2, 2): unit.code, (3, 2): unit.name}
    for offset, item in enumerate(fields):
        expected[(FIRST_ROW + offset, 1)] = item.id
    issues = []
    for (row, column), wanted in expected.items():
        found = rows[row - 1][column - 1] if len(rows) >= row and len(rows[row - 1]) >= column else None
        if str(found if found is not None else "").strip() != wanted:
            issues.append(Issue(f"ô đã khóa bị sửa (phải là «{wanted}»); hãy dùng lại phiếu gốc", file=path,
                                sheet=sheet, row=row, column="AB"[column - 1], value=found))
    return issues


def _write_workbooks(year: Year, result: Collection, out_dir: Path) -> None:
    """Merge accepted forms into the group workbooks, backing up any workbook it replaces."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for group in year.groups:
        if not result.figures.get(group):
            continue  # no accepted form for this group: its workbook stays as it is
        target = out_dir / Path(year.params.inputs[group]).name
        current = _existing_rows(year, group, target)
        current.update(result.figures[group])
        codes = [u.code for u in year.registry.group(group) if u.code in current]
        frame = pd.DataFrame.from_dict({c: current[c] for c in codes}, orient="index")
        frame = frame.reindex(columns=[f.id for f in year.catalogue.groups[group].fields])
        _backup(target, out_dir, result)
        temporary = target.with_name(f".{target.name}.tmp")
        write_group_workbook(temporary, group, frame, year.catalogue, year.registry,
                             title=collected_title(year.catalogue, year.params.year, group),
                             note=COLLECTED_NOTE, creator="cqdt collect")
        temporary.replace(target)
        result.written.append(target)


def _backup(target: Path, out_dir: Path, result: Collection) -> None:
    if target.exists():
        backup = out_dir / ".sao-luu" / f"{target.stem}-{dt.datetime.now():%Y%m%d-%H%M%S}{target.suffix}"
        backup.parent.mkdir(exist_ok=True)
        shutil.copy2(target, backup)
        result.backups.append(backup)


def _existing_rows(year: Year, group: str, target: Path) -> dict[str, dict[str, float]]:
    """The figures already collected, read and checked as ingest reads them: a workbook in data/
    with an invalid value stops the collection (its problems listed) instead of being carried on."""
    if not target.exists():
        return {}
    return read_group(target, group, year.catalogue, year.registry, complete=False).to_dict("index")
