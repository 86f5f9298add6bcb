"""The printed PDFs as officials and assistive technology read them (poppler and pypdf): tagged, in
Vietnamese, each with its own title and bookmarks, no heading or fragment of a line left alone at
the foot or head of a page, and the scorecards packed the same way every year."""

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

NUMBERS = {2021: "489/QĐ-UBND", 2022: "318/QĐ-UBND"}
CARD_CODE = re.compile(r"\((SBN\d\d|\d{3})\)")


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every bookmark, in order."""
    reader = PdfReader(pdf)
    items = []

    def walk(nodes, depth):
        for node in nodes:
            if isinstance(node, list):
                walk(node, depth + 1)
            else:
                items.append((depth, node.title, reader.get_destination_page_number(node) + 1))
    walk(reader.outline, 0)
    return items


def test_the_pdfs_are_tagged_in_vietnamese_with_their_own_titles(built_year):
    year, folder = built_year
    decision, cards = folder / f"bao-cao-cqdt-{year}.pdf", folder / f"phieu-ket-qua-don-vi-{year}.pdf"
    assert pdfinfo(decision)["Tagged"] == "yes" and pdfinfo(cards)["Tagged"] == "yes"
    assert pdfinfo(decision)["Title"] == f"Quyết định {NUMBERS[year]} — đánh giá CQĐT năm {year}"
    assert pdfinfo(cards)["Title"] == f"Phiếu kết quả từng đơn vị — đánh giá CQĐT năm {year}"
    for pdf in (decision, cards):
        assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "vi"


def test_every_chart_of_the_decision_pdf_is_a_figure_with_the_charts_text_alternative(built_year):
    """The decision prints its charts as SVG images (render.decision_print_html): each is still a
    figure of the tagged PDF, named as the report's inline chart is (its title, then its description)."""
    import html

    import pikepdf

    year, folder = built_year
    page = (folder / f"bao-cao-cqdt-{year}.html").read_text(encoding="utf-8")
    named = []
    for opening, chart in re.findall(r'(<svg\b[^>]*\bclass="chart"[^>]*>)(.*?)</svg>', page, re.DOTALL):
        ids = re.search(r'aria-labelledby="([^"]*)"', opening).group(1).split()
        named.append(" ".join(html.unescape(re.search(rf'<(\w+) id="{i}">(.*?)</\1>', chart, re.DOTALL).group(2))
                              for i in ids))
    figures = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure" and str(node.get("/Alt", "")):
                figures.append(str(node.Alt))
            if "/K" in node:
                walk(node.K)
    with pikepdf.open(folder / f"bao-cao-cqdt-{year}.pdf") as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert len(named) >= 16 and figures == named


def test_the_decision_pdf_has_bookmarks_for_the_decision_and_each_appendix(built_year):
    year, folder = built_year
    marks = outline(folder / f"bao-cao-cqdt-{year}.pdf")
    assert marks[0] == (0, f"Quyết định số {NUMBERS[year]}", 1)
    appendices = [(title.split(".")[0], page) for depth, title, page in marks if title.startswith("Phụ lục ")]
    assert [name for name, _ in appendices[:3]] == ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    pages = pages_text(folder / f"bao-cao-cqdt-{year}.pdf")
    for name, page in appendices[:3]:  # each bookmark opens its appendix's page
        assert re.search(rf"^\s*{name}\s*$", pages[page - 1], re.MULTILINE), name
    assert any(title.startswith("Phụ lục phương pháp") for _, title, _ in marks)
    assert marks[2][1] == ("Phụ lục II. Kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử UBND các huyện, "
                           f"thị xã, thành phố năm {year}")  # the heading's own words, not as displayed


def test_the_scorecards_pdf_has_a_bookmark_per_group_and_per_card(built_year):
    year, folder = built_year
    marks = outline(folder / f"phieu-ket-qua-don-vi-{year}.pdf")
    groups = [title for depth, title, _ in marks if depth == 1]
    assert groups == ["Sở, ban, ngành", "Huyện, thị xã, thành phố"]
    assert sum(depth == 2 for depth, _, _ in marks) == 37


def test_decides_stays_with_article_1_and_no_line_of_the_decision_is_a_lone_fragment(built_year):
    year, folder = built_year
    pages = pages_text(folder / f"bao-cao-cqdt-{year}.pdf")
    with_decides = [text for text in pages if re.search(r"^\s*QUYẾT ĐỊNH:\s*$", text, re.MULTILINE)]
    assert len(with_decides) == 1 and "Điều 1." in with_decides[0]
    decision = "\n".join(pages[:3]).split("Nơi nhận:")[0]
    lone = [line.strip() for line in decision.splitlines() if len(line.split()) == 1 and not line.strip().isdigit()]
    assert lone == [], lone  # e.g. «I);» alone under «(chi tiết tại Phụ lục»
    assert "Phụ lục I);" in decision and "Phụ lục III)." in decision


def test_scorecards_are_printed_two_to_a_page_every_year(built_year):
    year, folder = built_year
    per_page = [CARD_CODE.findall(text) for text in pages_text(folder / f"phieu-ket-qua-don-vi-{year}.pdf")]
    per_page = [codes for codes in per_page if codes]
    assert sum(len(codes) for codes in per_page) == 37
    # Two cards on every page but the last of each group (20 departments, then 17 districts).
    assert [len(codes) for codes in per_page] == [2] * 10 + [2] * 8 + [1]
