"""A survey form stores text from data as text (unit test: one form, no build)."""

from dataclasses import replace

from openpyxl import load_workbook

from cqdt.forms import write_form
from cqdt.inputs import open_values, sheet_values
from cqdt.pipeline import load_year


def test_a_unit_name_that_looks_like_a_formula_stays_text_in_its_form(tmp_path):
    year = load_year(2021)
    unit = replace(year.registry.group("department")[0], name='=HYPERLINK("http://x","Sở")')
    write_form(year, "department", unit, tmp_path / "phieu.xlsx")
    sheet = load_workbook(tmp_path / "phieu.xlsx")["Sẵn sàng"]
    assert sheet["B3"].value == unit.name and sheet["B3"].data_type == "s"
    assert sheet_values(open_values(tmp_path / "phieu.xlsx"), "Sẵn sàng")[2][1] == unit.name


def test_text_that_looks_like_a_formula_stays_text_in_a_collected_workbook(tmp_path):
    """The workbooks collect writes (cqdt.workbooks) keep «=…» from data as text, and add no row."""
    from cqdt.workbooks import write_province_workbook

    rows = [("dvc_muc_4", '=HYPERLINK("http://x","DVC")', 12, None), ("thpt_tong", "Trường THPT", 47, "hơn")]
    write_province_workbook(tmp_path / "toan-tinh.xlsx", rows, creator="thử")
    sheet = load_workbook(tmp_path / "toan-tinh.xlsx").worksheets[0]
    assert sheet["B2"].value == rows[0][1] and sheet["B2"].data_type == "s"
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [list(r) for r in rows]
