"""Very long pages are printed in parts (bounded memory) that read as one numbered PDF."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from importlib import resources
from pathlib import Path

import pikepdf
import psutil
import pytest
from pypdf import PdfReader

from cqdt import pdf as pdf_module
from cqdt.pdf import Printer
from cqdt.printparts import continued, print_parts

CSS = (resources.files("cqdt") / "assets" / "report.css").read_text(encoding="utf-8")


def page(rows: int, cards: int = 0) -> str:
    body = "".join(f'<tr data-code="X{i:04d}"><td class="num">{i + 1}</td><td>Xã số {i + 1}</td></tr>\n'
                   for i in range(rows))
    card_html = "".join(f'<article class="card card-district" id="don-vi-H{i}"><h2>Huyện {i}</h2></article>\n'
                        for i in range(cards))
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Thử</title>"
            f"<style>{CSS}</style></head><body><main class=\"report\">\n"
            "<p>Quyết định</p><!-- ghi chú <table> -->\n"
            '<section class="appendix" id="phu-luc-iii"><h2 class="appendix-title">Phụ lục III</h2>\n'
            '<table class="data-table" id="bang-iii"><thead><tr><th>TT</th><th>Đơn vị</th></tr></thead>\n'
            f"<tbody>\n{body}</tbody></table></section>\n"
            f'<section class="scorecards">{card_html}</section>\n'
            "<h2>Phân tích</h2><br><img alt=\"\" src=\"data:,\"></main>\n<script>if (1 < 2) {}</script></body></html>")


def codes(html: str) -> list[str]:
    return re.findall(r'data-code="(X\d+)"', html)


def test_a_page_that_needs_no_cut_is_printed_whole():
    html = page(40, cards=3)
    assert print_parts(html, rows_per_part=40, cards_per_part=3) == [html]


def test_a_long_table_continues_in_the_next_part_with_its_header_and_without_its_title():
    html = page(10)
    parts = print_parts(html, rows_per_part=4, cards_per_part=100)
    assert [codes(p) for p in parts] == [[f"X{i:04d}" for i in range(0, 4)], [f"X{i:04d}" for i in range(4, 8)],
                                         ["X0008", "X0009"]]
    for later in parts[1:]:
        assert later.startswith(html[:html.index("<body>") + len("<body>")])  # same head and stylesheet
        opened = later[len(html[:html.index("<body>") + len("<body>")]):]
        assert opened.startswith('<main class="report"><section class="appendix" id="phu-luc-iii">'
                                 '<table class="data-table" id="bang-iii"><thead><tr><th>TT</th><th>Đơn vị</th>'
                                 "</tr></thead><tbody>")
        assert "Phụ lục III" not in later and "Quyết định" not in later
    assert "Phân tích" in parts[-1] and "Phân tích" not in parts[0] + parts[1]


def test_rows_are_counted_on_across_tables():
    table = page(3)[page(3).index('<table class="data-table"'):page(3).index("</table>") + len("</table>")]
    html = page(3).replace("</section>\n", "</section>\n" + table.replace("X000", "Y000"), 1)
    parts = print_parts(html, rows_per_part=4, cards_per_part=100)
    assert [re.findall(r'data-code="([XY]\d+)"', p) for p in parts] == [["X0000", "X0001", "X0002", "Y0000"],
                                                                        ["Y0001", "Y0002"]]


def test_scorecards_are_cut_between_cards():
    parts = print_parts(page(3, cards=5), rows_per_part=100, cards_per_part=2)
    assert [re.findall(r'id="don-vi-(H\d)"', p) for p in parts] == [["H0", "H1"], ["H2", "H3"], ["H4"]]
    assert parts[1].split("<body>", 1)[1].startswith('<main class="report"><section class="scorecards">')


def test_a_continued_part_numbers_its_pages_on():
    part = continued(page(3), 17)
    assert "html { counter-reset: page 17; }" in part
    assert part.index("counter-reset") < part.index("</head>")


@pytest.mark.slow
def test_parts_merge_into_one_pdf_numbered_throughout(tmp_path):
    html = page(400, cards=3)
    parts = print_parts(html, rows_per_part=150, cards_per_part=100)
    assert len(parts) == 3
    with Printer() as printer:
        printer.submit(parts, tmp_path / "phu-luc.pdf", date(2022, 7, 29)).result()
    pdf = tmp_path / "phu-luc.pdf"
    counts = [len(PdfReader(tmp_path / f"phu-luc.phan-{n}.pdf").pages) for n in (1, 2, 3)]
    assert len(PdfReader(pdf).pages) == sum(counts)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:sum(counts)]
    assert [p.strip().splitlines()[0].strip() for p in pages[1:]] == [str(n) for n in range(2, sum(counts) + 1)]
    assert pages[0].strip() == "Quyết định"  # the appendix starts on a page of its own
    assert all("Đơn vị" in p for p in pages[1:])  # the header row on every page of the table
    rows = [int(n) for n in re.findall(r"Xã số (\d+)", text)]
    assert rows == list(range(1, 401))
    reader = PdfReader(pdf)
    info = reader.metadata
    assert info["/Title"] == "Thử" and info["/CreationDate"].startswith("D:20220729")
    # The bookmarks of every part, the last part's ones pointing at their pages of the merged PDF.
    marks = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert marks == {"Phụ lục III": 1, "Phân tích": sum(counts) - 1}
    assert "Phân tích" in pages[-1] and "Phân tích" not in "".join(pages[:-1])
    assert reader.trailer["/Root"].get("/StructTreeRoot") is None  # no claim to the first part's tags alone
    assert b"/StructElem" not in pdf.read_bytes()  # nor any of its elements, which a bookmark's /SE would keep
    # The parts are printed untagged (the merged PDF could not keep their tags), their bookmarks
    # made from where their headings landed, and nothing of that left behind.
    assert [PdfReader(tmp_path / f"phu-luc.phan-{n}.pdf").trailer["/Root"].get("/StructTreeRoot")
            for n in (1, 2, 3)] == [None, None, None]
    assert "/Dests" not in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "vi"  # the page's language, as a tagged PDF declares it


def outline_tree(pdf: Path) -> list[tuple[str, int, list]]:
    """Each bookmark's title, 0-based page and children."""
    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        pages = {page.objgen: number for number, page in enumerate(document.pages)}

        def tree(items) -> list:
            return [(item.title, pages[item.destination[0].objgen], tree(item.children)) for item in items]
        return tree(outline.root)


def shape(tree: list) -> list:
    return [(title, shape(children)) for title, _page, children in tree]


def test_a_pdf_printed_in_parts_has_the_bookmarks_chromium_gives_it_printed_whole(tmp_path):
    rows = "".join(f"<tr><td>{i}</td><td>Xã số {i}</td></tr>" for i in range(1, 301))
    html = ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Thử</title>"
            f"<style>{CSS}</style></head><body><main class=\"report\">"
            "<h1>Quyết định số 1</h1><p>Văn bản.</p>"
            '<h2 id="phu-luc">Phụ lục III</h2><table class="data-table"><thead><tr><th>TT</th><th>Xã</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>"
            '<h3 data-bookmark="Ghi chú của phụ lục">Ghi chú</h3><p>Ghi chú.</p>'
            '<div style="display: none"><h3>Không in</h3></div>'
            "<h2>Phân tích</h2><h3>Chi tiết <em>một</em></h3><p>Hết.</p></main></body></html>")
    parts = print_parts(html, rows_per_part=120)
    assert len(parts) == 3
    with Printer() as printer:
        whole = printer.submit([html], tmp_path / "ca-trang.pdf", date(2022, 7, 29))
        cut = printer.submit(parts, tmp_path / "theo-phan.pdf", date(2022, 7, 29))
        whole.result(), cut.result()
    expected = [("Quyết định số 1", [("Phụ lục III", [("Ghi chú của phụ lục", [])]),
                                     ("Phân tích", [("Chi tiết một", [])])])]
    assert shape(outline_tree(tmp_path / "ca-trang.pdf")) == expected  # Chromium's own, tagged
    merged = outline_tree(tmp_path / "theo-phan.pdf")
    assert shape(merged) == expected
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "theo-phan.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")
    shown = {"Quyết định số 1": "Quyết định số 1", "Phụ lục III": "Phụ lục III", "Ghi chú của phụ lục": "Ghi chú",
             "Phân tích": "Phân tích", "Chi tiết một": "Chi tiết một"}

    def each(tree: list):
        for title, page, children in tree:
            yield title, page
            yield from each(children)
    # Every bookmark points at the page of the merged PDF where its heading is printed.
    for title, page in each(merged):
        assert shown[title] in text[page], (title, page)
    assert [page for _title, page in each(merged)] == sorted(page for _title, page in each(merged))
    assert max(page for _title, page in each(merged)) == len(text) - 2  # «Phân tích» is on the last page


@pytest.mark.slow
def test_a_yielding_page_is_laid_out_by_its_own_renderers_at_a_lower_priority(tmp_path, monkeypatch):
    """The scorecards yield the processor to the decision: each part of a yielding page is laid out
    by the renderer of its own tab, lowered when the tab is taken and again once the page has loaded,
    its main thread (which lays out and prints) at the lower priority; other pages are not. (Chromium
    sets some of its other threads' priorities itself while a renderer starts: not checked.)"""
    lower = pdf_module._lower_priority
    lowered = []

    def lower_and_look(renderer: int) -> None:
        lower(renderer)
        process = psutil.Process(renderer)
        lowered.append((process, process.cmdline(), os.getpriority(os.PRIO_PROCESS, renderer)))

    monkeypatch.setattr(pdf_module, "_lower_priority", lower_and_look)
    places = pdf_module.heading_places
    finishing = []  # the niceness of the thread that reads each printed part, and of the one that finishes

    def places_and_look(*arguments):
        finishing.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return places(*arguments)

    finish = pdf_module.finish

    def finish_and_look(*arguments):
        finishing.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return finish(*arguments)

    monkeypatch.setattr(pdf_module, "heading_places", places_and_look)
    monkeypatch.setattr(pdf_module, "finish", finish_and_look)
    parts = print_parts(page(300), rows_per_part=150)
    assert len(parts) == 2
    with Printer() as printer:
        printer.submit(parts, tmp_path / "phieu.pdf", date(2022, 7, 29), yielding=True).result()
        assert len(lowered) == 4  # each part's renderer twice
        printer.submit([page(20)], tmp_path / "quyet-dinh.pdf", date(2022, 7, 29)).result()
    assert len(lowered) == 4  # the page printed at the usual priority lowered none
    # The yielding page's two parts read at the lower priority, the other page finished at the usual one.
    usual = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert finishing == [pdf_module.YIELDING_NICENESS, pdf_module.YIELDING_NICENESS, usual]
    assert lowered[0][0].pid == lowered[1][0].pid != lowered[2][0].pid == lowered[3][0].pid
    for process, arguments, niceness in lowered:
        assert "--type=renderer" in arguments
        assert niceness == pdf_module.YIELDING_NICENESS
        # The tab's own renderer: it ended when the part was printed and its tab closed (a spare
        # tab's renderer, wrongly taken, would live on).
        process.wait(timeout=10)
    assert len(PdfReader(tmp_path / "phieu.pdf").pages) > 2


def test_a_thread_that_yields_the_processor_runs_at_the_lower_priority_and_the_others_do_not():
    """The render's writing thread yields to the decision's renderer; the thread that starts it
    keeps its priority."""
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with ThreadPoolExecutor(max_workers=1, initializer=pdf_module.yield_processor) as writer:
        niceness = writer.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    assert niceness == max(before, pdf_module.YIELDING_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_every_tab_the_printer_opens_prints_a_part(tmp_path, monkeypatch):
    """The next page's tab is made while a page prints, until the last page is submitted; then only
    for a part still waiting: a renderer started beside the last part's print would be closed unused."""
    opened = []
    new_tab = Printer._new_tab

    async def counted(self):
        tab = await new_tab(self)
        opened.append(tab.renderer)
        return tab

    monkeypatch.setattr(Printer, "_new_tab", counted)
    parts = print_parts(page(300), rows_per_part=150)
    with Printer() as printer:
        printer.submit(parts, tmp_path / "phu-luc.pdf", date(2022, 7, 29)).result()
        # The next page's tab is made while the first page prints, before the next page is submitted.
        deadline = time.monotonic() + 10
        while len(opened) < len(parts) + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(opened) == len(parts) + 1
        printer.submit([page(20)], tmp_path / "quyet-dinh.pdf", date(2022, 7, 29), last=True).result()
    assert len(opened) == len(parts) + 1 == 3
    assert len(PdfReader(tmp_path / "quyet-dinh.pdf").pages) == 2  # the appendix starts a page of its own
