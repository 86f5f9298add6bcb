"""Every edit reaches the report.

Each step records the files it read (build/<year>/deps/<step>.d), and make reruns a step when one
of them changes. Checked here, in a copy of the built 2021 project:
- each input (params, catalogue, registry, indicator config, template, geo data) is recorded by
  exactly the steps that read it, so that an edit of it alone reruns them;
- all edits applied and built for real, each is found in the HTML and in the PDF text.
The rebuild plans of single edits are in test_rebuild_plans.py.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from cqdt import timing
from cqdt.browser import CHROMIUM, CHROMIUM_ARGS
from cqdt.pipeline import load_year

from .conftest import copy_built, replace_in, run_make

PILLARS = load_year(2021).pillars  # the steps of a year come from its catalogue
EVERYTHING = {"ingest", *PILLARS, "ranking", "render"}


def readers(root: Path, file: str, year: int = 2021) -> set[str]:
    """The steps whose recorded reads include `file` (a path relative to the project)."""
    steps = set()
    for depfile in (root / "build" / str(year) / "deps").glob("*.d"):
        prerequisites = depfile.read_text(encoding="utf-8").split("\n\n", 1)[0]
        if re.search(rf"^  {re.escape(file)} \\$", prerequisites, re.M):
            steps.add(depfile.stem)
    return steps


def build(root: Path, year: int = 2021) -> set[str]:
    """Run `make report`; the steps it ran are those whose timing record it rewrote."""
    since = time.time()
    run_make(root, "report", f"YEAR={year}")
    return timing.steps_since(root / "build" / str(year) / "timings", since)


def html_text(root: Path, year: int = 2021) -> str:
    return (root / f"report/{year}/bao-cao-cqdt-{year}.html").read_text(encoding="utf-8")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def decision_pdf(root: Path, year: int = 2021) -> str:
    return pdf_text(root / f"report/{year}/bao-cao-cqdt-{year}.pdf")


def map_svg(html: str) -> str:
    return re.search(r'<g id="ban-do-huyen">.*?</svg>', html, re.S).group(0)


def map_page(pdf: str) -> str:
    return next(page for page in pdf.split("\f") if "Tổng điểm và mức độ của các huyện" in page)


@dataclass(frozen=True)
class Edit:
    """An edit of one input a year's build reads, and the steps that read that input."""

    name: str
    file: str
    old: str
    new: str
    readers: frozenset[str]


NEW_NAME = "Sở Tài chính (tên sửa)"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_COMMUNE = "<script>alert(2)</script> [x](javascript:alert(3))"
FORMULA_NAME = "=1+2 Sở Giao thông Vận tải"  # a formula, were it not kept as text
EDITS = [
    Edit("params: decision number", "params/2021.yaml", "number: 489/QĐ-UBND", "number: 490/QĐ-UBND",
         frozenset(EVERYTHING)),
    # Points moved between two criteria of one pillar: the pillar's total, and its input file, stay.
    Edit("catalogue: criterion points", "catalogues/gialai-169-575-tai-dung.yaml",
         "denominator: so_muc_tt_bat_buoc, max_points: 8}\n      - {id: P_CAPNHAT, pillar: presence, heading: "
         "Cổng/trang thông tin điện tử, label: \"Cập nhật tin bài (0,02 điểm/tin bài)\", rule: capped_count, field: "
         "so_tin_bai_dang, points_each: 0.02, max_points: 4}\n      - {id: P_DIDONG, pillar: presence, heading: "
         "Cổng/trang thông tin điện tử, label: Tương thích thiết bị di động, rule: yes_no, field: tuong_thich_di_dong, "
         "max_points: 4}",
         "denominator: so_muc_tt_bat_buoc, max_points: 9}\n      - {id: P_CAPNHAT, pillar: presence, heading: "
         "Cổng/trang thông tin điện tử, label: \"Cập nhật tin bài (0,02 điểm/tin bài)\", rule: capped_count, field: "
         "so_tin_bai_dang, points_each: 0.02, max_points: 4}\n      - {id: P_DIDONG, pillar: presence, heading: "
         "Cổng/trang thông tin điện tử, label: Tương thích thiết bị di động, rule: yes_no, field: tuong_thich_di_dong, "
         "max_points: 3}", frozenset(EVERYTHING)),
    Edit("registry: unit renamed", "data/reference/units.csv", "SBN02,Sở Tài chính,", f"SBN02,{NEW_NAME},",
         frozenset(EVERYTHING)),
    # The communes' web-page indicator counted over districts too: «(n/237)» instead of «(n/220)».
    Edit("indicator config", "config/chi-so-toan-tinh.yaml",
         "fields: [co_cong_ttdt], groups: [commune]}", "fields: [co_cong_ttdt], groups: [district, commune]}",
         frozenset(EVERYTHING)),
    # The render writes the decision from the results: a template edit reruns the render only.
    Edit("template: decision", "src/cqdt/templates/decision.html.j2", "QUYẾT ĐỊNH", "QUYẾT ĐỊNH (SỬA MẪU)",
         frozenset({"render"})),
    # KBang's boundary left out: its label leaves the map.
    Edit("geo data", "data/reference/geo/gialai_districts.geojson", '"code":"625"', '"code":"625x"',
         frozenset({"ranking"})),
]


@pytest.fixture(scope="module")
def edited(built_2021: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = copy_built(built_2021.parents[1], tmp_path_factory.mktemp("edited") / "project")
    before = {"html": html_text(root), "pdf": decision_pdf(root)}
    recorded = {edit.name: readers(root, edit.file) for edit in EDITS}
    idle = build(root)
    for edit in EDITS:
        replace_in(root / edit.file, edit.old, edit.new)
    # Untrusted text in the registry, shown as text (see test_markup_in_unit_names_renders_as_text).
    replace_in(root / "data/reference/units.csv", "SBN03,Sở Khoa học và Công nghệ,", f'SBN03,"{HOSTILE_NAME}",')
    replace_in(root / "data/reference/units.csv", "23557,Phường Yên Đỗ,", f"23557,{HOSTILE_COMMUNE},")
    replace_in(root / "data/reference/units.csv", "SBN04,Sở Giao thông Vận tải,", f"SBN04,{FORMULA_NAME},")
    ran = build(root)
    return {"root": root, "before": before, "recorded": recorded, "idle": idle, "ran": ran,
            "html": html_text(root), "pdf": decision_pdf(root)}


def test_a_built_project_rebuilds_nothing(edited):
    assert edited["idle"] == set()


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_each_input_is_recorded_by_the_steps_that_read_it(edited, edit):
    assert edited["recorded"][edit.name] == set(edit.readers)


def test_decision_number_reaches_html_and_pdf(edited):
    assert "490/QĐ-UBND" not in edited["before"]["html"] and "490/QĐ-UBND" not in edited["before"]["pdf"]
    assert "Số: 490/QĐ-UBND" in edited["html"] and "Số: 489/QĐ-UBND" not in edited["html"]
    assert re.search(r"Số: 490/QĐ-UBND", edited["pdf"]) and not re.search(r"Số: 489/QĐ-UBND", edited["pdf"])


def test_criterion_points_reach_the_methodology_annex(edited):
    row = '<tr><td>P_MUC_TT</td><td>Tỷ lệ mục thông tin bắt buộc được cung cấp</td><td>Hiện diện</td><td class="num">{}</td>'
    assert edited["before"]["html"].count(row.format(8)) == 2 and edited["html"].count(row.format(8)) == 1
    assert edited["html"].count(row.format(9)) == 1
    rows = [line for line in edited["pdf"].splitlines() if line.startswith("P_MUC_TT")]
    assert re.search(r"\b9 9 ×", rows[0]) and re.search(r"\b8 8 ×", rows[1])


def test_unit_name_reaches_appendix_and_scorecards(edited):
    assert NEW_NAME not in edited["before"]["html"]
    assert edited["html"].count(NEW_NAME) >= 3  # appendix row, ranking text or tables, scorecard
    assert NEW_NAME in edited["pdf"]
    cards = pdf_text(edited["root"] / "report/2021/phieu-ket-qua-don-vi-2021.pdf")
    assert NEW_NAME in cards


def test_indicator_config_reaches_the_narrative(edited):
    assert "(220/220) đơn vị có trang thông tin điện tử" in edited["before"]["html"]
    assert re.search(r"\(\d+/237\) đơn vị có trang thông tin điện tử", edited["html"])
    assert re.search(r"\(\d+/237\)\s+đơn\s+vị\s+có\s+trang", edited["pdf"])


def test_template_wording_reaches_html_and_pdf(edited):
    assert "QUYẾT ĐỊNH (SỬA MẪU)" in edited["html"] and "QUYẾT ĐỊNH (SỬA MẪU)" in edited["pdf"]


def test_geo_data_reaches_the_map(edited):
    assert "KBang" in map_svg(edited["before"]["html"]) and "KBang" not in map_svg(edited["html"])
    assert "KBang" in map_page(edited["before"]["pdf"]) and "KBang" not in map_page(edited["pdf"])


def test_all_edits_together_rebuilt_everything_once(edited):
    assert edited["ran"] == EVERYTHING


def test_a_unit_name_that_looks_like_a_formula_stays_text_in_the_excel_appendices(edited):
    sheet = load_workbook(edited["root"] / "report/2021/phu-luc-2021.xlsx")["Phụ lục I"]
    row = next(r for r in sheet.iter_rows(min_row=6) if r[0].value == "SBN04")
    name = next(cell for cell in row if cell.value == FORMULA_NAME)
    assert name.data_type == "s"  # text, which Excel shows as written and never computes


def test_markup_in_unit_names_renders_as_text(edited):
    dialogs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((edited["root"] / "report/2021/bao-cao-cqdt-2021.html").as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        assert dialogs == []
        assert page.locator("img").count() == 0
        assert page.locator("#bang-i").inner_text().count(HOSTILE_NAME) == 1
        assert "<script>alert(2)</script>" in page.locator("#bang-iii").inner_text()
        assert page.locator("a[href^='javascript']").count() == 0
        browser.close()
