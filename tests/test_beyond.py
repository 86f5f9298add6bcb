"""Beyond the decision: year-over-year change, scorecards, rank robustness, the map, the annex."""

import re
import subprocess

import pandas as pd
import pytest
from playwright.sync_api import expect, sync_playwright

from cqdt.browser import CHROMIUM, CHROMIUM_ARGS
from cqdt.formatting import vn_signed
from cqdt.pipeline import load_year, score_year_directly
from cqdt.robustness import rank_intervals

from .conftest import ROOT


@pytest.fixture(scope="module")
def page_2022(built_2022):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((built_2022 / "bao-cao-cqdt-2022.html").as_uri(), wait_until="load")
        yield page
        browser.close()


@pytest.fixture(scope="module")
def independent_changes():
    """2022 − 2021 totals and ranks, scored straight from the two years' workbooks."""
    before, after = score_year_directly(load_year(2021)), score_year_directly(load_year(2022))
    return before, after


@pytest.mark.parametrize("group, table, code", [
    ("department", "bang-i", "SBN01"), ("department", "bang-i", "SBN18"), ("department", "bang-i", "SBN17"),
    ("district", "bang-ii", "622"), ("district", "bang-ii", "629"), ("district", "bang-ii", "626"),
])
def test_appendix_rows_show_the_change_since_2021(page_2022, independent_changes, group, table, code):
    before, after = independent_changes
    delta = after[group].loc[code, "total"] - before[group].loc[code, "total"]
    moved = int(before[group].loc[code, "rank"] - after[group].loc[code, "rank"])
    arrow = f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "="
    cell = page_2022.locator(f'#{table} tr[data-code="{code}"] td.change').inner_text()
    assert cell == f"{vn_signed(delta, 3)} ({arrow})"


def test_sots_and_pleiku_changes_match_the_published_totals(page_2022):
    assert page_2022.locator('#bang-i tr[data-code="SBN01"] td.change').inner_text() == "+0,658 (=)"
    assert page_2022.locator('#bang-ii tr[data-code="622"] td.change').inner_text() == "+6,173 (=)"
    assert page_2022.locator('#bang-ii tr[data-code="639"] td.change').inner_text() == "+3,280 (▼1)"


def test_analysis_names_the_biggest_risers_and_fallers(page_2022, independent_changes):
    before, after = independent_changes
    delta = after["department"]["total"] - before["department"]["total"]
    riser, faller = after["department"].loc[delta.idxmax(), "name"], after["department"].loc[delta.idxmin(), "name"]
    text = page_2022.locator("main").inner_text()
    section = text[text.index("III. So sánh với năm 2021"):]
    assert f"tăng điểm nhiều nhất là {riser}" in section
    assert f"Giảm nhiều nhất là {faller}" in section
    assert "cùng dùng danh mục tiêu chí «gialai-169-575-tai-dung»" in section


def test_every_appendix_row_links_to_its_scorecard(page_2022):
    links = page_2022.locator("#bang-i a.unit-link, #bang-ii a.unit-link, #bang-iii a.unit-link")
    assert links.count() == 257
    assert page_2022.locator("article.card").count() == 257
    # The reviewer's way: follow the row's link; the card comes into view and is laid out (the
    # screen lays out only the cards near the viewport).
    page_2022.locator('#bang-i a.unit-link[href="#don-vi-SBN17"]').click()
    card = page_2022.locator("#don-vi-SBN17")
    expect(card).to_be_in_viewport()
    expect(card).to_contain_text("Tổng điểm 100,320/130", use_inner_text=True)
    text = card.inner_text()
    assert "Tổng điểm 100,320/130" in text and "Hạng 20/20" in text and "Mức độ III" in text
    assert "Để đạt mức II cần thêm 3,68 điểm (ngưỡng 104,00)" in text
    assert "So với năm 2021:" in text
    assert card.locator("table.card-pillars tbody tr").count() == 5


def test_scorecards_pdf_is_separate_and_holds_departments_and_districts(built_2022):
    pdf = built_2022 / "phieu-ket-qua-don-vi-2022.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("Mạnh nhất:") == 37  # 20 departments + 17 districts; commune cards stay in the HTML
    assert "Phiếu kết quả từng đơn vị năm 2022" in text
    decision = subprocess.run(["pdftotext", str(built_2022 / "bao-cao-cqdt-2022.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert "Mạnh nhất:" not in decision


def test_rank_intervals_are_reproducible_from_the_seed(independent_changes):
    _, after = independent_changes
    year = load_year(2022)
    table = after["department"]
    maxima = year.catalogue.groups["department"].pillar_max
    first = rank_intervals(table, maxima, runs=400, seed=7, spread=0.2, decimals=2)
    again = rank_intervals(table, maxima, runs=400, seed=7, spread=0.2, decimals=2)
    other = rank_intervals(table, maxima, runs=400, seed=8, spread=0.2, decimals=2)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert (first["p05"] <= first["median_rank"]).all() and (first["median_rank"] <= first["p95"]).all()
    assert first.loc["SBN01", "p05"] == 1 and first.loc["SBN17", "p95"] == 20


def test_report_states_the_robustness_of_each_group(page_2022):
    text = page_2022.locator("main").inner_text()
    section = text[text.index("V. Độ vững của thứ hạng"):]
    assert "1.000 lần (hạt giống ngẫu nhiên 2022)" in section
    assert re.search(r"Sở, ban, ngành:\s+(\d+ đơn vị có thứ hạng chưa vững|thứ hạng của mọi đơn vị vững)", section)


def test_map_of_the_17_districts_in_html_and_pdf(page_2022, built_2022):
    assert page_2022.locator("#ranh-gioi-huyen path").count() == 17
    pdf = subprocess.run(["pdftotext", str(built_2022 / "bao-cao-cqdt-2022.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    start = pdf.index("IV. Bản đồ kết quả cấp huyện")
    page = pdf[start:pdf.index("\f", start)]
    year = load_year(2022)
    for unit in year.registry.group("district"):
        short = re.sub(r"^(Thành phố|Thị xã|Huyện) ", "", unit.name)
        assert short in page, short
    assert "GPL-3.0" in page
    assert (ROOT / "data/reference/geo/NOTICE.md").is_file() and (ROOT / "data/reference/geo/COPYING").is_file()


def test_methodology_annex_lists_every_criterion(page_2022, built_2022):
    year = load_year(2022)
    annex = page_2022.locator("#phuong-phap").inner_text()
    pdf = subprocess.run(["pdftotext", str(built_2022 / "bao-cao-cqdt-2022.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    pdf_annex = pdf[pdf.index("Phụ lục phương pháp"):]
    for group in ("department", "district", "commune"):
        rows = page_2022.locator("#phuong-phap table").nth(("department", "district", "commune").index(group))
        assert rows.locator("tbody tr").count() == len(year.catalogue.criteria(group))
        for criterion in year.catalogue.criteria(group):
            assert criterion.id in annex and criterion.id in pdf_annex
    assert "Danh mục tái dựng." in annex
