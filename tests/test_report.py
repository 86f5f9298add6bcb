"""The rendered 2021 report as reviewers see it: a real browser for the HTML, poppler for the PDF."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from cqdt.browser import CHROMIUM, CHROMIUM_ARGS

SEED_FIGURES = ["117,69", "117,08", "148,43", "148,07", "127,61", "122,52", "60,90", "251 điểm cầu", "47/47",
                "162/162", "52,13%", "147/282", "911", "hơn 4.830", "hơn 95%", "20/20", "17/17", "220/220",
                "508.364", "136 dịch vụ", "1.069 dịch vụ", "2.568.409", "100%"]


@pytest.fixture(scope="module")
def browser_page(built_2021):
    html = built_2021 / "bao-cao-cqdt-2021.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests, problems = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(html.as_uri(), wait_until="load")
        yield page, requests, problems, html
        browser.close()


def test_html_makes_no_request_and_logs_no_error(browser_page):
    page, requests, problems, html = browser_page
    assert [url for url in requests if url != html.as_uri()] == []
    assert problems == []
    assert page.evaluate("document.documentElement.lang") == "vi"


def body_rows(page, table_id):
    return page.locator(f"#{table_id} tbody tr:not(.group-row)")


def test_appendix_tables_hold_every_unit(browser_page):
    page = browser_page[0]
    assert (body_rows(page, "bang-i").count(), body_rows(page, "bang-ii").count(),
            body_rows(page, "bang-iii").count()) == (20, 17, 220)


def test_first_and_last_ranked_units_with_their_scores(browser_page):
    page = browser_page[0]
    first, second, last_two = (body_rows(page, "bang-i").nth(i) for i in (0, 1, 18))
    assert "Sở Thông tin và Truyền thông" in first.inner_text() and "117,69" in first.inner_text()
    assert "Văn phòng UBND tỉnh" in second.inner_text() and "117,08" in second.inner_text()
    tail = body_rows(page, "bang-i").nth(18).inner_text() + body_rows(page, "bang-i").nth(19).inner_text()
    assert "Ban Quản lý khu kinh tế tỉnh" in tail and "Sở Lao động - Thương binh và Xã hội" in tail
    districts = body_rows(page, "bang-ii")
    assert re.search(r"^1\s+Thành phố Pleiku.*148,43", districts.nth(0).inner_text(), re.S)
    assert re.search(r"^17\s+Huyện Đăk Đoa.*122,52", districts.nth(16).inner_text(), re.S)


def test_reconstructed_data_notice_is_visible_first(browser_page):
    page = browser_page[0]
    notice = page.locator("#thong-bao-tai-dung")
    assert notice.is_visible() and "tái dựng" in notice.inner_text()
    assert notice.bounding_box()["y"] < page.locator("h1.doc-kind").bounding_box()["y"]


def test_commune_table_is_searchable_and_sortable(browser_page):
    page = browser_page[0]
    page.fill('input[data-table="bang-iii"]', "hoi thuong")
    visible = page.locator("#bang-iii tbody tr:not(.group-row):visible")
    assert visible.count() == 1 and "Phường Hội Thương" in visible.first.inner_text()
    assert page.locator('.table-count[data-table="bang-iii"]').inner_text() == "1 đơn vị"
    page.fill('input[data-table="bang-iii"]', "")
    header = page.locator("#bang-iii thead th", has_text="Tổng điểm")
    header.click()
    header.click()  # descending
    assert "Phường Hội Thương" in body_rows(page, "bang-iii").first.inner_text()


def test_charts_are_embedded_as_svg(browser_page):
    page = browser_page[0]
    assert page.locator("svg.chart").count() >= 16
    assert page.locator("img").count() == 0


@pytest.fixture(scope="module")
def pdf(built_2021):
    return built_2021 / "bao-cao-cqdt-2021.pdf"


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ["-f", str(first)] if first else []
    pages += ["-l", str(last)] if last else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_pages_are_a4_and_fonts_embedded(pdf):
    reader = PdfReader(pdf)
    assert len(reader.pages) > 10
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    # The body font, subset and embedded under its PostScript name (e.g. «BAAAAA+LiberationSerif»).
    assert any(re.match(r"[A-Z]{6}\+LiberationSerif\s", line) for line in fonts), fonts


def test_pdf_carries_every_seed_figure_in_vietnamese_format(pdf):
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    missing = [figure for figure in SEED_FIGURES if figure not in text]
    assert missing == []
    assert "ngày 29 tháng 7 năm 2022" in text and "Số: 489/QĐ-UBND" in text


def test_pdf_page_numbers_start_on_page_two(pdf):
    first = pdf_text(pdf, 1, 1).strip().splitlines()
    second = pdf_text(pdf, 2, 2).strip().splitlines()
    assert not first[0].strip().isdigit()
    assert "tái dựng" in " ".join(first[:6])
    assert second[0].strip() == "2"


def test_pdf_appendices_start_on_new_pages_with_repeated_headers(pdf):
    reader = PdfReader(pdf)
    texts = [page.extract_text() for page in reader.pages]
    starts = [i for i, t in enumerate(texts) if re.search(r"Phụ lục (I|II|III)\s", t)]
    assert len(starts) == 3
    for index in starts:
        assert texts[index].lstrip().splitlines()[1].startswith("Phụ lục") or "Phụ lục" in texts[index][:80]
    commune_pages = [t for t in texts[starts[2]:] if "Xã " in t and "Tổng điểm" in t]
    assert len(commune_pages) >= 5  # the header repeats on every page of the long commune table
