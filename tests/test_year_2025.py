"""The merged province of 2025: its registry and succession come from the pinned packages, and the
year builds to a decision with two groups."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, built_once, run_cli, validation_copy

REFERENCE = ROOT / "data" / "reference" / "2025"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_135_wards_are_the_packages_list_by_code():
    from vietnam_provinces import ProvinceCode, Ward

    nso = {str(int(w.code)): w.name for w in Ward.iter_by_province(ProvinceCode(52))}
    registry = [r for r in rows(REFERENCE / "don-vi.csv") if r["group"] == "xa_phuong"]
    assert len(registry) == len(nso) == 135
    assert {r["code"]: r["name"] for r in registry} == nso
    assert sum(r["unit_type"] == "phường" for r in registry) == 25
    assert sum(r["unit_type"] == "xã" for r in registry) == 110


def test_every_former_commune_of_both_provinces_has_a_new_unit_or_is_listed():
    from vietnamadminunits.database.main import query

    former = query("SELECT ward, wardCode FROM admin_units_legacy WHERE provinceCode IN ('64', '52')")
    succession = [r for r in rows(REFERENCE / "ke-thua.csv") if r["old_province_code"]]
    linked = {r["old_code"] for r in succession}
    assert len(linked) == len(succession)  # each former commune goes to exactly one new unit
    exceptions = yaml.safe_load((REFERENCE / "don-vi.nguon.yaml").read_text(encoding="utf-8"))["exceptions"]
    unlinked = [f for f in former if f["wardCode"] not in linked]
    for commune in unlinked:
        assert any(f"mã {commune['wardCode']}" in text for text in exceptions), commune
    assert len(former) == 373 and unlinked == []
    new_codes = {r["code"] for r in rows(REFERENCE / "don-vi.csv") if r["group"] == "xa_phuong"}
    assert {r["new_code"] for r in succession} <= new_codes
    # Phường Hội Thương (23566, TP Pleiku) became Phường Pleiku (23575): the methodology notes' example.
    assert next(r["new_code"] for r in succession if r["old_code"] == "23566") == "23575"


def test_each_agency_names_its_predecessors_by_code():
    registry = {r["code"]: r for r in rows(ROOT / "data" / "reference" / "units.csv")}
    links = [r for r in rows(REFERENCE / "ke-thua.csv") if r["new_code"].startswith("CQ")]
    science = [r["old_code"] for r in links if r["new_code"] == "CQ08"]
    assert registry["SBN01"]["name"] == "Sở Thông tin và Truyền thông" and "SBN01" in science
    former_gia_lai = {r["old_code"] for r in links if r["old_code"].startswith("SBN")}
    assert former_gia_lai == {code for code, r in registry.items() if r["group"] == "department"}


def test_the_registry_command_rewrites_the_same_files(tmp_path):
    root = validation_copy(tmp_path / "project")
    before = {p.name: p.read_bytes() for p in (root / "data" / "reference" / "2025").iterdir()}
    for path in (root / "data" / "reference" / "2025").glob("*.csv"):
        path.unlink()
    result = run_cli(root, "registry", "--year", "2025")
    assert result.returncode == 0, result.stdout + result.stderr
    after = {p.name: p.read_bytes() for p in (root / "data" / "reference" / "2025").iterdir()}
    assert after == before


@pytest.fixture(scope="module")
def built_2025(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, 2025) / "report" / "2025"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_2025_decision_has_two_groups_and_says_it_is_reconstructed(built_2025):
    text = pdf_text(built_2025 / "bao-cao-cqdt-2025.pdf")
    assert "Năm 2025 là năm tái dựng" in text.split("\f")[0]
    article = re.sub(r"\s+", " ", text[text.index("Điều 1."):text.index("Điều 2.")])
    assert "1. Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số của 15 sở, ban, ngành thuộc tỉnh (chi tiết tại Phụ lục I);" in article
    assert "2. Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số của UBND 135 xã, phường (chi tiết tại Phụ lục II)." in article
    assert "Phụ lục III" not in text and "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ" in text


def test_each_2025_scorecard_says_what_the_unit_was_formed_from(built_2025):
    html = (built_2025 / "bao-cao-cqdt-2025.html").read_text(encoding="utf-8")
    assert html.count('<p class="card-origin">') == 150
    pleiku = html[html.index('id="don-vi-23575"'):]
    pleiku = pleiku[:pleiku.index("</article>")]
    assert "Phường Hội Thương" in pleiku and "Thành phố Pleiku, Tỉnh Gia Lai" in pleiku
    printed = re.sub(r"\s+", " ", pdf_text(built_2025 / "phieu-ket-qua-don-vi-2025.pdf"))
    assert "Hình thành từ: Sở Khoa học và Công nghệ, Sở Thông tin và Truyền thông (Tỉnh Gia Lai)" in printed


def test_the_2025_map_has_one_point_per_ward_inside_the_outline(built_2025):
    html = (built_2025 / "bao-cao-cqdt-2025.html").read_text(encoding="utf-8")
    figure = html[html.index('<g id="ban-do-diem">'):]
    figure = figure[:figure.index("</svg>")]
    dots = figure[figure.index('<g id="diem-loai-1">'):figure.index('legend_1">')]
    assert dots.count("<use ") == 135
    assert '<g id="duong-bao-tinh">' in figure
    assert "GPL-3.0" in html[html.index("Bản đồ và phân bố kết quả"):]


def test_a_ward_is_compared_with_the_mean_share_of_its_predecessors_in_2024(built_2025):
    """Phường Pleiku against the 2024 results of the former units it was formed from, recomputed here."""
    import pandas as pd

    from cqdt.pipeline import load_year, score_year_directly

    results = pd.read_csv(built_2025.parents[1] / "build" / "2025" / "results" / "xa_phuong.csv",
                          dtype={"code": str}).set_index("code")
    before = pd.concat(t["share"] for t in score_year_directly(load_year(2024)).values())
    predecessors = [r["old_code"] for r in rows(REFERENCE / "ke-thua.csv") if r["new_code"] == "23575"]
    assert "23566" in predecessors and all(code in before for code in predecessors)
    expected = (results.loc["23575", "share"] - before[predecessors].mean()) * 1000
    assert results.loc["23575", "total_change"] == pytest.approx(expected, abs=1e-6)
    assert results.loc["23575", "predecessors_compared"] == len(predecessors)
    # A ward formed from former Bình Định communes only has nothing to compare with.
    quy_nhon = [r["old_province_code"] for r in rows(REFERENCE / "ke-thua.csv") if r["new_code"] == "21583"]
    assert set(quy_nhon) == {"52"} and pd.isna(results.loc["21583", "total_change"])
    html = (built_2025 / "bao-cao-cqdt-2025.html").read_text(encoding="utf-8")
    assert "So với 2024*" in html and "Ước tính: so với tỷ lệ điểm đạt bình quân năm 2024" in html


def test_the_2024_registry_is_the_former_gia_lai_and_its_differences_from_2021_are_listed():
    registry = rows(ROOT / "data" / "reference" / "2024" / "don-vi.csv")
    assert [sum(r["group"] == g for r in registry) for g in ("department", "district", "commune")] == [20, 17, 218]
    note = yaml.safe_load((ROOT / "data" / "reference" / "2024" / "don-vi.nguon.yaml").read_text(encoding="utf-8"))
    earlier = {r["code"] for r in rows(ROOT / "data" / "reference" / "units.csv")}
    now = {r["code"] for r in registry}
    assert sorted(note["differences"]["removed"]) == sorted(
        f"{r['name']} (mã {r['code']})" for r in rows(ROOT / "data" / "reference" / "units.csv")
        if r["code"] in earlier - now)
    assert note["differences"]["added"] == [] and now <= earlier
    assert "mã 23674: Xã Đăk HLơ → Xã Kông Bơ La" in note["differences"]["renamed"]


@pytest.mark.slow  # builds 2024
def test_2024_builds_on_the_old_map_and_says_it_is_reconstructed(tmp_path_factory):
    report = built_once(tmp_path_factory, 2024) / "report" / "2024"
    text = pdf_text(report / "bao-cao-cqdt-2024.pdf")
    assert "Năm 2024 là năm tái dựng" in text.split("\f")[0]
    assert "Phụ lục III" in text and "(chi tiết tại Phụ lục III)" in re.sub(r"\s+", " ", text)
    assert (report / "phieu-ket-qua-don-vi-2024.pdf").stat().st_size > 0


def test_the_2025_forms_are_one_per_agency_and_ward(tmp_path):
    root = validation_copy(tmp_path / "project")
    result = run_cli(root, "forms", "--year", "2025")
    assert result.returncode == 0, result.stdout + result.stderr
    forms = sorted((root / "forms" / "2025").rglob("*.xlsx"))
    assert len([p for p in forms if p.parent.name == "xa_phuong"]) == 135
    assert len([p for p in forms if p.parent.name == "co_quan"]) == 15


def test_the_registry_command_says_when_a_year_has_no_registry_source(tmp_path):
    root = validation_copy(tmp_path / "project")
    result = run_cli(root, "registry", "--year", "2021")
    assert result.returncode == 2
    assert "2021.yaml" in result.stderr and "không có mục «registry»" in result.stderr


def test_a_comparison_through_succession_needs_a_succession_table(tmp_path):
    root = validation_copy(tmp_path / "project")
    params = root / "params" / "2024.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace(
        "previous_year: null\n", "previous_year: null\ncomparison: {through: succession}\n"), encoding="utf-8")
    result = run_cli(root, "validate", "--year", "2024")
    assert result.returncode == 2
    assert "2024.yaml" in result.stderr and "so sánh qua đơn vị tiền thân cần bảng kế thừa" in result.stderr
