"""Rebuild plans: which steps rerun after an edit, by real builds (a pillar whose outputs did not
change does not rerun the ranking, which no dry run can show), and the previous year's workbooks
reaching the comparison."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cqdt.formatting import vn_signed

from .conftest import copy_built, replace_in, set_news_items
from .test_rebuild import EVERYTHING, build, decision_pdf, html_text, pdf_text, readers


def test_previous_years_workbook_reaches_the_comparison(built_2022: Path, tmp_path: Path):
    root = copy_built(built_2022.parents[1], tmp_path / "project")
    table = pd.read_csv(root / "build/2022/results/department.csv", dtype={"code": str}).set_index("code")
    before = table.loc["SBN02", "total_change"]
    recorded = json.loads((root / "build/2022/provenance.json").read_text(encoding="utf-8"))["files"]
    assert readers(root, "data/2021/so-ban-nganh.xlsx", 2022) == {"ranking"}
    set_news_items(root, 0)  # Sở Tài chính had fewer 2021 points, so its 2022 change grows
    assert build(root, 2022) == {"ranking", "render"}
    table = pd.read_csv(root / "build/2022/results/department.csv", dtype={"code": str}).set_index("code")
    after = table.loc["SBN02", "total_change"]
    assert after > before
    shown = vn_signed(after, 3)
    assert shown in html_text(root, 2022) and shown in decision_pdf(root, 2022)
    # The provenance lists the previous year's workbooks, with the hash of the edited one.
    now = json.loads((root / "build/2022/provenance.json").read_text(encoding="utf-8"))["files"]
    edited = "data/2021/so-ban-nganh.xlsx"
    assert now[edited] == hashlib.sha256((root / edited).read_bytes()).hexdigest() != recorded[edited]
    assert {"params/2021.yaml", "data/2021/toan-tinh.xlsx", "data/reference/geo/gialai_districts.geojson",
            "data/reference/units.csv"} <= set(now)
    page = html_text(root, 2022)
    assert edited in page and now[edited] in page and "src/cqdt/templates/decision.html.j2" in page


def render_forked(root: Path) -> bool:
    """Whether the last render step ran in a fork of the build's warm process (cqdt.kernels)."""
    record = json.loads((root / "build/2021/timings/render.json").read_text(encoding="utf-8"))
    return "forked by the build's warm process" in [mark["label"] for mark in record["marks"]]


def test_rebuild_plans_of_template_notebook_data_and_code_edits(built_copy: Path):
    root = built_copy
    assert render_forked(root)  # a cold build: its notebook steps made the warm process ready
    replace_in(root / "src/cqdt/templates/scorecards.html.j2", "</section>", "<p>Ghi chú mẫu phiếu</p></section>")
    assert build(root) == {"render"}
    assert not render_forked(root)  # nothing made a warm process ready, and the render made none
    assert "Ghi chú mẫu phiếu" in html_text(root)
    assert "Ghi chú mẫu phiếu" in pdf_text(root / "report/2021/phieu-ket-qua-don-vi-2021.pdf")

    replace_in(root / "notebooks/presence.py", "## 2. Mức độ hiện diện", "## 2. Mức độ hiện diện (đã sửa)")
    # ingest checks the names the notebooks declare; the pillar's outputs did not change: no ranking
    assert build(root) == {"ingest", "presence", "render"}
    assert render_forked(root)
    assert "Mức độ hiện diện (đã sửa)" in html_text(root) and "Mức độ hiện diện (đã sửa)" in decision_pdf(root)

    before = pd.read_csv(root / "build/2021/results/department.csv", dtype={"code": str}).set_index("code")
    code, items = set_news_items(root, 12)  # fewer news items, fewer presence points
    assert build(root) == {"ingest", "presence", "ranking", "render"}
    after = pd.read_csv(root / "build/2021/results/department.csv", dtype={"code": str}).set_index("code")
    # P_CAPNHAT gives 0,02 points per item, capped at 4.
    expected = before.loc[code, "presence"] - min(items * 0.02, 4) + 12 * 0.02
    assert after.loc[code, "presence"] == pytest.approx(expected, abs=1e-9)
    assert build(root) == set()

    # An edit of code reruns the steps that imported it: render code only the render (as the
    # template edit above showed), scoring code every step (the render imports it through the
    # pipeline's file contracts).
    assert readers(root, "src/cqdt/render.py") == readers(root, "src/cqdt/pdf.py") == {"render"}
    assert readers(root, "src/cqdt/scoring.py") == EVERYTHING


def test_a_pillar_without_its_own_narrative_is_run_by_the_generic_notebook(built_copy: Path):
    root = built_copy
    (root / "notebooks/transformation.py").unlink()
    # The ingest reran (it had read the narrative's names); the pillar's outputs did not change.
    assert build(root) == {"ingest", "transformation", "render"}
    html, pdf = html_text(root), decision_pdf(root)
    # Heading and figures from the catalogue and the indicator config, not from a narrative.
    assert "5. Mức độ chuyển đổi" in html and "5. Mức độ chuyển đổi" in pdf
    label = "Văn bản không mật được số hóa tại cơ quan cấp tỉnh, cấp huyện"
    assert f"<td>{label}</td>" in html
    assert re.search(rf"{label}\s+100% \([\d.]+/[\d.]+\)", pdf)
    assert re.search(r"Lượt văn bản điện tử gửi, nhận qua Trục liên thông\s+[\d.]+\n", pdf)
