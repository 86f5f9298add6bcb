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
