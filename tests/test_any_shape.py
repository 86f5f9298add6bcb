"""A year of another shape, from configuration alone: the fixture in tests/fixtures/dti/ (two ranked
groups, seven scored main indices on 1.000 points with component indices, one unscored index,
classification by bands, no district tier, no map) validates, builds HTML and both PDFs, and its
figures are recomputed here from the pillars' points."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cqdt.catalogue import Catalogue
from cqdt.errors import CqdtError
from cqdt.yamlio import load_model

from .conftest import ROOT, built_once, rejected_after, run_make, run_tool, validation_copy

FIXTURE = ROOT / "tests" / "fixtures" / "dti"
YEAR = 2030
GROUPS = ("co_quan", "xa_phuong")
SCORED = ["nhan_thuc", "the_che", "ha_tang", "nhan_luc", "an_toan", "hoat_dong", "du_lieu"]
BANDS = [("Tốt", 0.8), ("Khá", 0.65), ("Trung bình", 0.5), ("Yếu", 0.0)]


def install_fixture(root: Path) -> None:
    """The fixture year's params, catalogue and registry in a project copy, and its generated data."""
    shutil.copy(FIXTURE / f"{YEAR}.yaml", root / "params" / f"{YEAR}.yaml")
    shutil.copy(FIXTURE / "thu-nghiem-dti.yaml", root / "catalogues" / "thu-nghiem-dti.yaml")
    shutil.copy(FIXTURE / "units-thu-nghiem.csv", root / "data" / "reference" / "units-thu-nghiem.csv")
    result = run_tool(root, "tools.reconstruct", "--year", str(YEAR))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def built_shape(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, YEAR, install_fixture)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def fixture_catalogue(tmp_path: Path, edit=None) -> Catalogue:
    data = yaml.safe_load((FIXTURE / "thu-nghiem-dti.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    path = tmp_path / "danh-muc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_model(path, Catalogue, "danh mục tiêu chí")


# ------------------------------------------------------------------ the catalogue declares the shape

def test_the_fixture_catalogue_declares_two_groups_nested_indices_and_bands(tmp_path):
    cat = fixture_catalogue(tmp_path)
    assert cat.group_ids == list(GROUPS)
    assert cat.scored_pillars == SCORED and len(cat.pillars) == 8
    for group in cat.groups.values():
        assert group.max_points == 1000 == sum(group.pillar_max[p] for p in SCORED)
        assert group.classes() == {label: label for label, _ in BANDS}
        assert group.class_heading == "Xếp loại"


def test_component_maxima_must_add_up_to_their_index(tmp_path):
    def move_points(data):
        data["groups"]["xa_phuong"]["component_max"]["ha_tang_1"] = 80
    with pytest.raises(CqdtError) as error:
        fixture_catalogue(tmp_path, move_points)
    shown = str(error.value)
    assert "nhóm xa_phuong: chỉ số thành phần ha_tang_1 khai báo tối đa 80 điểm nhưng các tiêu chí cộng lại 90 điểm" in shown
    assert "trụ cột ha_tang khai báo tối đa 150 điểm nhưng các chỉ số thành phần cộng lại 140 điểm" in shown


def test_a_criterion_of_a_nested_index_must_name_one_of_its_components(tmp_path):
    def misplace(data):
        data["groups"]["co_quan"]["criteria"][0]["component"] = "the_che_1"
    with pytest.raises(CqdtError) as error:
        fixture_catalogue(tmp_path, misplace)
    assert "tiêu chí NHAN_THUC_11 phải thuộc một chỉ số thành phần của trụ cột nhan_thuc" in str(error.value)


def test_bands_must_cover_every_share(tmp_path):
    def no_floor(data):
        data["groups"]["co_quan"]["bands"]["rules"][-1]["min_share"] = 0.3
    with pytest.raises(CqdtError) as error:
        fixture_catalogue(tmp_path, no_floor)
    assert "loại thấp nhất phải bắt đầu từ 0" in str(error.value)


def test_the_unscored_index_stays_out_of_the_total_maximum(tmp_path):
    def count_it(data):
        data["groups"]["co_quan"]["max_points"] = 1100
    with pytest.raises(CqdtError) as error:
        fixture_catalogue(tmp_path, count_it)
    assert ("tổng điểm tối đa khai báo 1100 nhưng các trụ cột cộng lại 1000 (không kể các trụ cột không tính "
            "điểm)") in str(error.value)


# ------------------------------------------------------------------ params, registry and catalogue agree

def shape_copy(tmp_path: Path) -> Path:
    root = validation_copy(tmp_path / "project")
    shutil.copy(FIXTURE / f"{YEAR}.yaml", root / "params" / f"{YEAR}.yaml")
    shutil.copy(FIXTURE / "thu-nghiem-dti.yaml", root / "catalogues" / "thu-nghiem-dti.yaml")
    shutil.copy(FIXTURE / "units-thu-nghiem.csv", root / "data" / "reference" / "units-thu-nghiem.csv")
    return root


def validate_edited(tmp_path: Path, file: str, old: str, new: str):
    """`validate` of the fixture year after one edit: it must fail (exit 2) and say why."""
    return rejected_after(shape_copy(tmp_path), file, old, new, YEAR)


def test_params_must_name_a_workbook_for_every_group(tmp_path):
    result = validate_edited(tmp_path, f"params/{YEAR}.yaml", "  xa_phuong: data/2030/xa-phuong.xlsx\n", "")
    assert "2030.yaml" in result.stderr
    assert "thiếu tệp số liệu của nhóm «xa_phuong» (nhóm có trong danh mục «thu-nghiem-dti»)" in result.stderr


def test_a_registry_unit_of_a_group_the_catalogue_lacks_is_named_with_its_row(tmp_path):
    result = validate_edited(tmp_path, "data/reference/units-thu-nghiem.csv", "xa_phuong,90003,", "phuong,90003,")
    assert "units-thu-nghiem.csv" in result.stderr and "dòng 12, cột «group», giá trị «phuong»" in result.stderr
    assert "nhóm «phuong» của đơn vị 90003 không có trong danh mục «thu-nghiem-dti»" in result.stderr


def test_the_narrative_ranking_notebook_refuses_a_catalogue_without_its_groups(tmp_path):
    result = validate_edited(tmp_path, f"params/{YEAR}.yaml", "previous_year: null\n",
                             "previous_year: null\nranking_notebook: ranking\n")
    assert "ranking.py" in result.stderr
    assert "sổ tay viết về nhóm đơn vị «department» nhưng danh mục «thu-nghiem-dti» không có nhóm này" in result.stderr


# ------------------------------------------------------------------ the whole year, built

def test_the_steps_come_from_the_catalogue_and_params(built_shape):
    steps = (built_shape / "build" / str(YEAR) / "steps.mk").read_text(encoding="utf-8")
    assert f"PILLARS := {' '.join(SCORED)} kinh_te_so" in steps
    assert all(f"NOTEBOOK_{p} := pillar" in steps for p in [*SCORED, "kinh_te_so"])
    assert "NOTEBOOK_ranking := consolidation" in steps


def test_totals_ranks_and_bands_recomputed_from_the_pillars_points(built_shape):
    build = built_shape / "build" / str(YEAR)
    points = pd.concat([pd.read_csv(build / "pillars" / p / "points.csv", dtype={"code": str})
                        for p in [*SCORED, "kinh_te_so"]])
    for group in GROUPS:
        table = pd.read_csv(build / "results" / f"{group}.csv", dtype={"code": str}).set_index("code")
        own = points[points["group"] == group]
        scored = own[own["pillar"].isin(SCORED)].groupby("code")["points"].sum()
        unscored = own[own["pillar"] == "kinh_te_so"].groupby("code")["points"].sum()
        assert (table["total"] - scored.reindex(table.index)).abs().max() < 1e-6
        assert (table["kinh_te_so"] - unscored.reindex(table.index)).abs().max() < 1e-6
        assert unscored.sum() > 0  # reported, with points of its own
        shown = table["total"].round(2)
        expected_rank = shown.map(lambda value: 1 + int((shown > value).sum()))
        assert table["rank"].tolist() == expected_rank.tolist()
        expected_band = [next(label for label, share in BANDS if total / 1000 + 1e-9 >= share)
                         for total in table["total"]]
        assert table["level"].tolist() == expected_band


def test_the_decision_has_one_item_and_one_appendix_per_group(built_shape):
    text = pdf_text(built_shape / "report" / str(YEAR) / f"bao-cao-cqdt-{YEAR}.pdf")
    article = text[text.index("Điều 1."):text.index("Điều 2.")]
    items = re.findall(r"^\s*(\d)\. Kết quả đánh giá, xếp hạng của (.+?) \(chi tiết tại Phụ lục (\w+)\)", article,
                       flags=re.MULTILINE)
    assert items == [("1", "8 cơ quan cấp tỉnh", "I"), ("2", "UBND 18 xã, phường", "II")]
    assert "Phụ lục I\n" in text and "Phụ lục II\n" in text and "Phụ lục III" not in text
    assert "* Chỉ số kinh tế số: đánh giá và công bố, không tính vào tổng điểm." in text
    # Each nested index shows its component indices: mean points over maximum, per group.
    assert re.search(r"Hạ tầng: triển khai\s+[\d,]+ / 90\s+[\d,]+ / 90", text)
    assert "Xếp loại" in text and "Mức độ" not in text.split("Phụ lục phương pháp")[0]


def test_every_unit_has_a_scorecard_with_its_band(built_shape):
    html = (built_shape / "report" / str(YEAR) / f"bao-cao-cqdt-{YEAR}.html").read_text(encoding="utf-8")
    cards = (built_shape / "report" / str(YEAR) / f"phieu-ket-qua-don-vi-{YEAR}.pdf")
    registry = pd.read_csv(FIXTURE / "units-thu-nghiem.csv", dtype=str)
    assert html.count('<article class="card') == len(registry) == 26
    printed = pdf_text(cards)
    for name in registry["name"]:
        assert name in printed, name
    assert "Kinh tế số (không tính điểm)" in printed
    assert re.search(r"Xếp loại (Tốt|Khá|Trung bình|Yếu)", printed)


def test_the_forms_of_the_year_work_unchanged(built_shape, tmp_path):
    result = run_make(built_shape, "forms", f"YEAR={YEAR}")
    forms = sorted((built_shape / "forms" / str(YEAR)).rglob("*.xlsx"))
    assert len(forms) == 26, result.stdout
    assert {p.parent.name for p in forms} == set(GROUPS)


def test_the_first_page_says_the_figures_are_invented(built_shape):
    text = pdf_text(built_shape / "report" / str(YEAR) / f"bao-cao-cqdt-{YEAR}.pdf")
    first = text.split("\f")[0]
    assert "Số liệu thử nghiệm của bộ kiểm thử" in first and "Danh mục thử nghiệm" in first


def test_the_source_tree_names_no_group_pillar_or_criterion():
    """Code never names what a catalogue declares (the project's own catalogues and the fixture's):
    no id as a string literal in the package or its templates, no id at all in the Makefile. (Words
    such as «district» in prose or in a package's SQL column are not ids of ours.)"""
    names = set()
    for path in [*(ROOT / "catalogues").glob("*.yaml"), FIXTURE / "thu-nghiem-dti.yaml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names |= set(data["groups"]) | {p["id"] for p in data["pillars"]}
        for group in data["groups"].values():
            names |= {c["id"] for c in group["criteria"]} | {f["id"] for f in group["fields"]}
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    quoted = re.compile(r"""(["'])(""" + alternatives + r""")\1""")
    word = re.compile(r"\b(" + alternatives + r")\b")
    sources = [(path, quoted) for path in [*(ROOT / "src" / "cqdt").rglob("*.py"),
                                           *(ROOT / "src" / "cqdt" / "templates").rglob("*.j2")]]
    sources.append((ROOT / "Makefile", word))
    found = {f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
             for path, pattern in sources
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for match in pattern.finditer(line)}
    assert found == set()


def test_the_readme_example_catalogue_is_valid():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(id: vi-du.*?)```", text, flags=re.DOTALL).group(1)
    cat = Catalogue.model_validate(yaml.safe_load(block))
    assert cat.scored_pillars == ["ha_tang"] and cat.groups["xa_phuong"].max_points == 1000
