"""The editable Word draft of the decision and the Excel appendices, read back as officials open them:
python-docx and openpyxl for the content, LibreOffice (headless) and poppler for the printed draft."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from cqdt.formatting import vn_number

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = yaml.safe_load((ROOT / "data" / "published.yaml").read_text(encoding="utf-8"))
DECIMALS = {2021: 2, 2022: 3}
APPENDIX = {"department": "I", "district": "II", "commune": "III"}


def published_rows(year: int):
    for group, rows in PUBLISHED[year]["scores"].items():
        for row in rows:
            yield group, row


def test_the_word_draft_holds_the_decision_and_every_published_figure(built_year):
    year, folder = built_year
    doc = Document(folder / f"du-thao-quyet-dinh-{year}.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    number = {2021: "489/QĐ-UBND", 2022: "318/QĐ-UBND"}[year]
    letterhead = doc.tables[0].rows[0].cells
    assert f"Số: {number}" in letterhead[0].text and "Độc lập - Tự do - Hạnh phúc" in letterhead[1].text
    dated = {2021: "Gia Lai, ngày 29 tháng 7 năm 2022", 2022: "Gia Lai, ngày 14 tháng 6 năm 2023"}[year]
    assert dated in letterhead[1].text
    for heading in ("QUYẾT ĐỊNH", "QUYẾT ĐỊNH:", "Phụ lục I", "Phụ lục II", "Phụ lục III"):
        assert heading in text.split("\n"), heading
    assert "Điều 1. Phê duyệt kết quả đánh giá" in text and "Điều 3. " in text
    assert "Nơi nhận:" in doc.tables[1].rows[0].cells[0].text
    assert "Lưu ý: bản mô phỏng từ dữ liệu tái dựng." in text  # the first page says what is invented
    assert [table.rows[0].cells[0].text for table in doc.tables[2:]] == ["Hạng", "Hạng", "TT"]
    tables = dict(zip(APPENDIX, doc.tables[2:], strict=True))
    for group, row in published_rows(year):
        cells = _row_of(tables[group], row["name"])
        heading = [c.text for c in tables[group].rows[0].cells]
        total = heading.index(next(h for h in heading if h.startswith("Tổng điểm")))
        assert cells[total] == vn_number(row["score"], DECIMALS[year]), row
        if "rank" in row:
            assert cells[0] == str(row["rank"]), row


def _row_of(table, name: str) -> list[str]:
    rows = [[c.text for c in r.cells] for r in table.rows if r.cells[1].text == name]
    assert len(rows) == 1, name
    return rows[0]


def test_the_word_draft_is_laid_out_as_nghi_dinh_30(built_2021):
    doc = Document(built_2021 / "du-thao-quyet-dinh-2021.docx")
    first = doc.sections[0]
    def mm(length):  # Word keeps lengths in twentieths of a point
        return round(length.mm, 1)

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
    assert [mm(m) for m in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)] == [20, 20, 30, 15]
    assert first.different_first_page_header_footer  # no page number on the first page
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    assert doc.core_properties.language == "vi-VN"
    assert doc.core_properties.title == "Dự thảo quyết định 489/QĐ-UBND — đánh giá CQĐT năm 2021"
    for table in doc.tables[2:]:  # each appendix repeats its header row on every page
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    communes = doc.tables[4]
    headings = [r.cells[0].text for r in communes.rows if len({c._tc for c in r.cells}) == 1]
    assert len(headings) == 17 and "Thành phố Pleiku" in headings  # units under their district
    bold_articles = [p for p in doc.paragraphs if p.text.startswith("Điều ")]
    assert len(bold_articles) == 3 and all(p.runs[0].bold for p in bold_articles)


def test_the_word_draft_prints_through_libreoffice(built_2021, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is installed by scripts/setup.sh --test"
    profile = tmp_path / "profile"  # a profile of its own: parallel test workers never share one
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(built_2021 / "du-thao-quyet-dinh-2021.docx")],
                   check=True, capture_output=True, timeout=300, env=os.environ | {"HOME": str(tmp_path)})
    pdf = tmp_path / "du-thao-quyet-dinh-2021.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.3" in info and "841.89" in info and "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "LiberationSerif" in fonts and "LiberationSerif-Bold" in fonts  # Times New Roman's metric twin
    assert "DejaVu" not in fonts  # no fallback font: every Vietnamese letter is in the serif
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for figure in ("117,69", "117,08", "148,43", "148,07", "127,61", "122,52", "60,90", "Số: 489/QĐ-UBND",
                   "QUYẾT ĐỊNH:", "Phụ lục III", "Nơi nhận:"):
        assert figure in text, figure
    first_page = text.split("\f")[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first_page and "Độc lập - Tự do - Hạnh phúc" in first_page


def test_the_excel_appendices_hold_typed_published_figures_in_the_official_order(built_year):
    year, folder = built_year
    book = load_workbook(folder / f"phu-luc-{year}.xlsx")
    assert book.sheetnames == ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    assert book.properties.language == "vi-VN" and book.properties.title.startswith("Phụ lục quyết định")
    sheets = dict(zip(APPENDIX, book.worksheets, strict=True))
    for group, sheet in sheets.items():
        header = [c.value for c in sheet[5]]
        assert header[:3] == ["Mã đơn vị", "Hạng" if group != "commune" else "TT", "Đơn vị"]
        assert sheet.freeze_panes == "A6" and sheet.auto_filter.ref.startswith("A5:")
        orders = [row[1] for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]]
        assert all(isinstance(order, int) for order in orders) and orders == sorted(orders)
    assert sheets["commune"].max_row >= 5 + 220 and sheets["department"]["C6"].value
    for group, row in published_rows(year):
        sheet = sheets[group]
        header = [c.value for c in sheet[5]]
        total = next(i for i, h in enumerate(header) if h.startswith("Tổng điểm"))
        found = [r for r in sheet.iter_rows(min_row=6) if r[0].value == str(row["code"])]
        assert len(found) == 1, row
        cell = found[0][total]
        assert isinstance(cell.value, float) and cell.value == row["score"], (row, cell.value)
        assert cell.number_format == "0." + "0" * DECIMALS[year]
        if "rank" in row:
            assert found[0][1].value == row["rank"]
