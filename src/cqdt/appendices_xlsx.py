"""The decision's appendices as an Excel workbook (report/<year>/phu-luc-<year>.xlsx), for officials
who sort, filter and check them: one sheet per appendix in the decision's order, the figures as
numbers (at the value the decision prints, shown at its precision), Vietnamese headings, the header
row frozen and filtered, the rows in the official order. Written from the same model as the report
page (fragments.Appendix)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .fragments import Appendix, Cell, Decision
from .ooxml import keep_data_as_text, save_stable

HEADER_ROW = 5  # after the appendix number, its title, the decision it belongs to and a blank line
_NUMBER = re.compile(r"^([+−-]?)(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d+))?")


def write_appendices_xlsx(document: Decision, path: Path, title: str) -> None:
    book = Workbook()
    book.remove(book.active)
    for appendix in document.appendices:
        _sheet(book.create_sheet(f"Phụ lục {appendix.number}"), appendix)
    when = dt.datetime.combine(document.d.date, dt.time())
    book.properties.title, book.properties.creator, book.properties.language = title, document.d.issuer_name, "vi-VN"
    book.properties.created = book.properties.modified = when
    keep_data_as_text(book)  # a unit's name «=…» is a name, not a formula for Excel to compute
    save_stable(book.save, path, when)


def printed_number(cell: Cell) -> tuple[float | int | None, str]:
    """The number a cell prints (117,69 → 117.69; «+1,25 (▲2)» → 1.25) and its Excel number format;
    (None, "") when the cell prints no number."""
    match = _NUMBER.match(cell.text) if cell.value is not None else None
    if not match:
        return None, ""
    sign, whole, fraction = match.groups()
    digits = whole.replace(".", "")
    value = float(f"{digits}.{fraction}") if fraction else int(digits)
    decimals = len(fraction or "")
    return (-value if sign in ("−", "-") else value), ("0." + "0" * decimals if decimals else "0")


def _sheet(sheet, appendix: Appendix) -> None:
    sheet.append([f"Phụ lục {appendix.number}"])
    sheet.append([appendix.title])
    sheet.append([appendix.reference])
    sheet.append([])
    sheet["A1"].font = sheet["A2"].font = Font(bold=True)
    sheet["A3"].font = Font(italic=True)
    sheet.append(["Mã đơn vị"] + [column.label for column in appendix.columns] + ["Ghi chú"])
    for cell in sheet[HEADER_ROW]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="center", horizontal="center")
    last = HEADER_ROW
    for last, row in enumerate(appendix.unit_rows(), start=HEADER_ROW + 1):
        sheet.cell(last, 1, row.code)
        # Cells addressed by their row number: sheet.max_row scans every cell, so asking it per row
        # made a national year's 10.600 rows take minutes.
        for column, source in enumerate(row.cells, start=2):
            number, number_format = printed_number(source)
            target = sheet.cell(last, column, source.text if number is None else number)
            target.number_format = number_format or "@"
        sheet.cell(last, len(row.cells) + 2, _remarks(appendix, row.cells))
    for note in appendix.notes:
        sheet.append([])
        sheet.append([note])
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(appendix.columns) + 2)}{last}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _widths(sheet, appendix)


def _remarks(appendix: Appendix, cells: tuple[Cell, ...]) -> str | None:
    """What a numeric cell prints beyond its number (the † of a rescaled change, a rank's move)."""
    remarks = [f"{column.label}: {cell.text}" for column, cell in zip(appendix.columns, cells, strict=True)
               if cell.value is not None and (match := _NUMBER.match(cell.text)) and match.end() < len(cell.text)]
    return "; ".join(remarks) or None


def _widths(sheet, appendix: Appendix) -> None:
    sheet.column_dimensions["A"].width = 11
    for index, column in enumerate(appendix.columns, start=2):
        longest = max([len(column.label) // 2] + [len(r.cells[index - 2].text) for r in appendix.unit_rows()])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 48)
    sheet.column_dimensions[get_column_letter(len(appendix.columns) + 2)].width = 40
