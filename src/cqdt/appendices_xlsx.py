"""The decision's appendices as an Excel workbook (report/<year>/phu-luc-<year>.xlsx), for officials
who sort, filter and check them: one sheet per appendix in the decision's order, the figures as
numbers (at the value the decision prints, shown at its precision), Vietnamese headings, the header
row frozen and filtered, the rows in the official order. Written from the same model as the report
page (fragments.Appendix)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .fragments import Appendix, Cell, Decision, Row
from .ooxml import write_xlsx

HEADER_ROW = 5  # after the appendix number, its title, the decision it belongs to and a blank line
_NUMBER = re.compile(r"^([+−-]?)(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d+))?")
_A4 = 9  # Excel's paper size code


def write_appendices_xlsx(document: Decision, path: Path, title: str) -> None:
    def content(book: xlsxwriter.Workbook) -> None:
        formats = _Formats(book)
        for appendix in document.appendices:
            _sheet(book.add_worksheet(f"Phụ lục {appendix.number}"), appendix, formats)

    write_xlsx(path, dt.datetime.combine(document.d.date, dt.time()),
               {"title": title, "author": document.d.issuer_name}, content, language="vi-VN")


class _Formats:
    """The workbook's cell formats, made once (XlsxWriter keeps one record per format)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.bold = book.add_format({"bold": True})
        self.italic = book.add_format({"italic": True})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center"})
        self.text = book.add_format({"num_format": "@"})
        self._numbers: dict[str, Format] = {}
        self._book = book

    def number(self, number_format: str) -> Format:
        """The format of numbers shown as `number_format` («0.00»)."""
        if number_format not in self._numbers:
            self._numbers[number_format] = self._book.add_format({"num_format": number_format})
        return self._numbers[number_format]


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


def _sheet(sheet: Worksheet, appendix: Appendix, formats: _Formats) -> None:
    sheet.write(0, 0, f"Phụ lục {appendix.number}", formats.bold)
    sheet.write(1, 0, appendix.title, formats.bold)
    sheet.write(2, 0, appendix.reference, formats.italic)
    header = HEADER_ROW - 1  # XlsxWriter counts rows and columns from 0
    sheet.write_row(header, 0, ["Mã đơn vị"] + [column.label for column in appendix.columns] + ["Ghi chú"],
                    formats.header)
    rows = appendix.unit_rows()
    last = header
    for last, row in enumerate(rows, start=header + 1):
        sheet.write_string(last, 0, row.code)
        for column, source in enumerate(row.cells, start=1):
            number, number_format = printed_number(source)
            if number is None:
                sheet.write_string(last, column, source.text, formats.text)
            else:
                sheet.write_number(last, column, number, formats.number(number_format))
        remarks = _remarks(appendix, row.cells)
        if remarks:
            sheet.write_string(last, len(row.cells) + 1, remarks)
    line = last
    for note in appendix.notes:
        line += 2  # a blank line before each note
        sheet.write_string(line, 0, note)
    sheet.freeze_panes(header + 1, 0)
    sheet.autofilter(header, 0, last, len(appendix.columns) + 1)
    sheet.repeat_rows(header)
    sheet.set_landscape()
    sheet.set_paper(_A4)
    sheet.fit_to_pages(1, 0)
    _widths(sheet, appendix, rows)


def _remarks(appendix: Appendix, cells: tuple[Cell, ...]) -> str | None:
    """What a numeric cell prints beyond its number (the † of a rescaled change, a rank's move)."""
    remarks = [f"{column.label}: {cell.text}" for column, cell in zip(appendix.columns, cells, strict=True)
               if cell.value is not None and (match := _NUMBER.match(cell.text)) and match.end() < len(cell.text)]
    return "; ".join(remarks) or None


def _widths(sheet: Worksheet, appendix: Appendix, rows: list[Row]) -> None:
    sheet.set_column(0, 0, 11)
    for index, column in enumerate(appendix.columns, start=1):
        longest = max([len(column.label) // 2] + [len(r.cells[index - 1].text) for r in rows])
        sheet.set_column(index, index, min(max(longest + 2, 8), 48))
    sheet.set_column(len(appendix.columns) + 1, len(appendix.columns) + 1, 40)
