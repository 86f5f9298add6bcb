"""The shipped workbooks, scored by the package, reproduce every published figure."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqdt.config import load_params
from cqdt.formatting import round_half_up, vn_int, vn_percent
from cqdt.pipeline import load_year, read_figures, score_year_directly
from cqdt.province import compute_indicator
from tools.reconstruct import generate_year

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tables_2021():
    return score_year_directly(load_year(2021))


@pytest.fixture(scope="module")
def tables_2022():
    return score_year_directly(load_year(2022))


def shown(table, code, decimals):
    return round_half_up(table.loc[code, "total"], decimals)


def test_2021_departments(tables_2021):
    table = tables_2021["department"]
    assert (shown(table, "SBN01", 2), table.loc["SBN01", "rank"]) == (117.69, 1)  # Sở TT&TT
    assert (shown(table, "SBN15", 2), table.loc["SBN15", "rank"]) == (117.08, 2)  # Văn phòng UBND tỉnh
    # Ban Quản lý Khu kinh tế tỉnh and Sở Lao động - TB&XH are the last two.
    assert set(table.index[table["rank"] >= 19]) == {"SBN19", "SBN18"}
    assert len(table) == 20 and sorted(table["rank"]) == list(range(1, 21))


def test_2021_districts(tables_2021):
    table = tables_2021["district"]
    expected = {"622": (148.43, 1), "639": (148.07, 2), "629": (127.61, 16), "626": (122.52, 17)}
    for code, (score, rank) in expected.items():
        assert (shown(table, code, 2), table.loc[code, "rank"]) == (score, rank), code


def test_2021_highest_commune_is_hoi_thuong(tables_2021):
    table = tables_2021["commune"]
    assert table["total"].idxmax() == "23566"
    assert shown(table, "23566", 2) == 60.90
    assert table["rank"].isna().all()  # communes are scored, not ranked
    assert len(table) == 220


def test_2022_scores_ranks_and_levels(tables_2022):
    departments, districts, communes = (tables_2022[g] for g in ("department", "district", "commune"))
    for code, score, rank in [("SBN01", 118.348, 1), ("SBN15", 117.512, 2), ("SBN11", 117.355, 3),
                              ("SBN17", 100.32, 20)]:
        assert (shown(departments, code, 3), departments.loc[code, "rank"]) == (score, rank), code
    for code, score, rank in [("622", 154.603, 1), ("634", 151.57, 2), ("639", 151.35, 3), ("631", 135.815, 17)]:
        assert (shown(districts, code, 3), districts.loc[code, "rank"]) == (score, rank), code
    assert departments["level"].value_counts().to_dict() == {"I": 16, "II": 2, "III": 2}
    assert districts["level"].value_counts().to_dict() == {"III": 8, "II": 6, "IV": 3}
    counts = communes["level"].value_counts().to_dict()
    assert (counts["III"], counts["IV"], counts.get("II", 0), counts.get("I", 0)) == (3, 13, 0, 0)


def test_2021_province_wide_figures_of_the_seed_article():
    year = load_year(2021)
    figures, province = read_figures(year)
    values = {s.id: compute_indicator(s, figures, province, Path("toan-tinh.xlsx")) for s in year.indicators}
    assert vn_int(values["diem_cau_hnth"].value) == "251"
    assert (values["thpt_tin_hoc"].numerator, values["thpt_tin_hoc"].denominator) == (47, 47)
    assert (values["thcs_tin_hoc"].numerator, values["thcs_tin_hoc"].denominator) == (162, 162)
    assert vn_percent(values["tieu_hoc_tin_hoc"].value) == "52,13%"
    assert (values["tieu_hoc_tin_hoc"].numerator, values["tieu_hoc_tin_hoc"].denominator) == (147, 282)
    assert vn_int(values["qlvb_dung_chung"].value) == "911"
    assert (vn_int(values["chung_thu_so"].value), values["chung_thu_so"].qualifier) == ("4.830", "hơn")
    assert values["thu_cong_vu"].value > 0.95
    for key, count in [("mot_cua_tinh", 20), ("mot_cua_huyen", 17), ("mot_cua_xa", 220)]:
        assert (values[key].numerator, values[key].denominator) == (count, count), key
    for key in ("ha_tang_mang", "ke_hoach_cqdt", "cong_ttdt", "qlvb_don_vi", "chu_ky_so_don_vi", "so_hoa_van_ban"):
        assert values[key].value == 1.0, key
    assert vn_int(values["ho_so_tiep_nhan"].value) == "508.364"
    assert (vn_int(values["dvc_muc_3"].value), vn_int(values["dvc_muc_4"].value)) == ("136", "1.069")
    assert vn_int(values["vb_lien_thong"].value) == "2.568.409"


def cell_values(path: Path) -> dict:
    book = load_workbook(path, read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


@pytest.mark.slow  # regenerates a year's workbooks
@pytest.mark.parametrize("year", [2021, 2022, 2024, 2025])
def test_generator_rerun_gives_identical_files(tmp_path, year):
    """The shipped workbooks are exactly what the generator writes: same bytes (no save time in the
    file or its zip entries), so a regeneration shows up in git only when a figure changed."""
    generate_year(year, tmp_path, load_params(year))
    shipped = sorted((ROOT / "data" / str(year)).glob("*.xlsx"))
    assert [p.name for p in shipped] == sorted(p.name for p in tmp_path.glob("*.xlsx"))
    for path in shipped:
        assert cell_values(path) == cell_values(tmp_path / path.name), path.name
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name
