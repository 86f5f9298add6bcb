"""The input workbooks ingest reads (data/<year>/*.xlsx), written: a group's figures, one sheet per
pillar, and the province-wide figures. `make collect` writes them from the units' forms; the
developers' reconstruction tool (tools/reconstruct.py) writes the invented ones. Saved byte for byte
the same from the same figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from .catalogue import Catalogue
from .inputs import CODE_COLUMN, INSTRUCTIONS_SHEET, NAME_COLUMN, PROVINCE_COLUMNS, PROVINCE_SHEET
from .ooxml import keep_data_as_text, save_stable
from .units import Registry

SAVED_AT = dt.datetime(2000, 1, 1)  # the workbook's own dates: the figures decide its bytes, not the clock
# What each kind of field takes, as the units' forms and the data workbooks' guide both say it.
KIND_TEXT = {"count": "số nguyên ≥ 0", "yes_no": "Có / Không", "percent": "0–100 (%)", "amount": "số ≥ 0"}


def collected_title(cat: Catalogue, year: int, group: str) -> str:
    return f"Số liệu {cat.short_title} năm {year} — {cat.groups[group].label}"


def write_group_workbook(path: Path, group: str, frame: pd.DataFrame, cat: Catalogue, registry: Registry,
                         title: str, note: str, creator: str) -> None:
    """A group's workbook: the instructions sheet (title, note, the fields) and one sheet per pillar,
    a row per unit of `frame` (indexed by unit code, a column per field)."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_SHEET
    spec = cat.groups[group]
    for line in ([title], [note], [], ["Cột", "Nội dung", "Trang", "Loại", "Đơn vị tính"]):
        guide.append(line)
    for f in spec.fields:
        guide.append([f.id, f.label, f.sheet, KIND_TEXT[f.kind], f.unit])
    guide["A1"].font = Font(bold=True)
    names = registry.by_code()
    for pillar in cat.pillars:
        fields = [f for f in spec.fields if f.sheet == pillar.sheet]
        if not fields:
            continue
        sheet = book.create_sheet(pillar.sheet)
        sheet.append([CODE_COLUMN, NAME_COLUMN, *(f.id for f in fields)])
        for code, row in zip(frame.index, frame.to_dict("records"), strict=True):
            sheet.append([code, names[code].name, *(_cell(row[f.id], f.kind) for f in fields)])
    save_workbook(book, path, creator)


def write_province_workbook(path: Path, rows: list[tuple[str, str, float | int, str | None]], creator: str) -> None:
    """The province-wide figures: (indicator key, label, value, qualifier) per row."""
    book = Workbook()
    sheet = book.active
    sheet.title = PROVINCE_SHEET
    sheet.append(PROVINCE_COLUMNS)
    for row in rows:
        sheet.append(list(row))
    save_workbook(book, path, creator)


def save_workbook(book: Workbook, path: Path, creator: str) -> None:
    """Any workbook the project writes from data with openpyxl (the input workbooks; the forms are
    written with XlsxWriter, see forms): text kept as text, the same bytes from the same content."""
    keep_data_as_text(book)
    book.properties.created = SAVED_AT
    book.properties.creator = creator
    save_stable(book.save, path, SAVED_AT)


def _cell(value: float, kind: str):
    if kind == "yes_no":
        return "Có" if value == 1 else "Không"
    return int(value) if float(value).is_integer() else value
