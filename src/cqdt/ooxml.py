"""Office files (Excel workbooks, Word documents) saved byte for byte the same from the same content.

openpyxl, XlsxWriter and python-docx stamp the time of saving into docProps/core.xml and into every zip entry;
the file is rewritten with a fixed time in both, so that a rebuild changes no byte it need not. And
text from data stays text in a workbook, never a formula."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import xlsxwriter
    from openpyxl import Workbook

_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def save_stable(save: Callable[[IO[bytes]], None], path: Path, when: dt.datetime, language: str = "") -> None:
    """Call save(buffer) (a workbook's or document's own save), then write it to path stamped `when`,
    declaring `language` in its properties where its writer cannot (XlsxWriter)."""
    buffer = io.BytesIO()
    save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
                if language and b"<dc:language>" not in data:
                    data = data.replace(b"</cp:coreProperties>",
                                        b"<dc:language>" + language.encode() + b"</dc:language></cp:coreProperties>")
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6]), data,
                            compress_type=zipfile.ZIP_DEFLATED)


# Text from data (a unit's name «=…») stays text in an XlsxWriter workbook: never a formula for Excel
# to compute, nor read as a number or a link.
_XLSXWRITER_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                       "strings_to_numbers": False}


def write_xlsx(path: Path, when: dt.datetime, properties: dict[str, str],
               content: Callable[[xlsxwriter.Workbook], None], language: str = "") -> None:
    """A workbook written with XlsxWriter by content(book): text from data kept as text, `properties`
    (title, author…) and `language` declared, the same bytes from the same content."""
    import xlsxwriter

    def save(buffer: IO[bytes]) -> None:
        book = xlsxwriter.Workbook(buffer, _XLSXWRITER_OPTIONS)
        book.set_properties({**properties, "created": when})
        content(book)
        book.close()

    save_stable(save, path, when, language)


def keep_data_as_text(book: Workbook) -> None:
    """Text from data (a unit's name, a label) stays text: openpyxl would store «=…» as a live
    formula, which Excel would compute (and which would no longer read back as the name it was)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
