"""Each class of input error, reported in Vietnamese with file, sheet, row, column and value."""

import shutil
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cqdt.errors import CqdtError
from cqdt.inputs import read_group, read_province
from cqdt.pipeline import load_year

ROOT = Path(__file__).resolve().parents[1]
DEPARTMENTS = ROOT / "data" / "2021" / "so-ban-nganh.xlsx"


@pytest.fixture(scope="module")
def year():
    return load_year(2021)


def modified(tmp_path: Path, change, source: Path = DEPARTMENTS) -> Path:
    path = tmp_path / source.name
    shutil.copy(source, path)
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def issues_of(path: Path, year, group: str = "department"):
    with pytest.raises(CqdtError) as caught:
        read_group(path, group, year.catalogue, year.registry)
    return caught.value.issues


def column_of(sheet, name):
    return next(cell.column for cell in sheet[1] if cell.value == name)


def test_shipped_workbook_reads_every_unit_in_registry_order(year):
    frame = read_group(DEPARTMENTS, "department", year.catalogue, year.registry)
    assert frame.shape == (20, 39)
    assert frame.index[0] == "SBN01" and frame.index[-1] == "SBN20"
    assert frame.loc["SBN01", "co_mang_lan"] == 1.0


def test_unknown_unit_code(tmp_path, year):
    path = modified(tmp_path, lambda b: b["Sẵn sàng"].cell(row=3, column=1, value="SBN99"))
    found = [i for i in issues_of(path, year) if i.value == "SBN99"]
    assert len(found) == 1
    issue = found[0]
    assert (issue.file, issue.sheet, issue.row, issue.column) == (path, "Sẵn sàng", 3, "ma_don_vi")
    assert "mã đơn vị không có trong danh sách" in issue.message
    missing = [i for i in issues_of(path, year) if "thiếu dòng số liệu của đơn vị SBN02" in i.message]
    assert missing and missing[0].sheet == "Sẵn sàng"


def test_duplicate_unit_code_names_the_first_row(tmp_path, year):
    path = modified(tmp_path, lambda b: b["Hiện diện"].cell(row=5, column=1, value="SBN01"))
    issue = next(i for i in issues_of(path, year) if "bị trùng" in i.message)
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Hiện diện", 5, "ma_don_vi", "SBN01")
    assert "đã có ở dòng 2" in issue.message


@pytest.mark.parametrize("raw, expected", [
    ("n/a", "không phải số"),
    ("-", "không phải số"),
    ("không có", "không phải số"),
    ("12,5", "dấu phẩy thập phân"),
    ("1.234", "phân cách hàng nghìn"),
    (-3, "giá trị âm"),
    (12.5, "phải là số nguyên"),
    (250000, "vượt giá trị tối đa cho phép (20000)"),
    (None, "ô trống"),
])
def test_bad_values_are_named_by_cell(tmp_path, year, raw, expected):
    def change(book):
        sheet = book["Sẵn sàng"]
        sheet.cell(row=4, column=column_of(sheet, "tong_so_cbcc")).value = raw
    issue = next(i for i in issues_of(modified(tmp_path, change), year) if i.column == "tong_so_cbcc")
    assert expected in issue.message
    assert (issue.sheet, issue.row, issue.value) == ("Sẵn sàng", 4, raw)
    assert "so-ban-nganh.xlsx" in str(issue)


def test_yes_no_accepts_co_khong_and_rejects_other_text(tmp_path, year):
    def change(book):
        sheet = book["Sẵn sàng"]
        sheet.cell(row=2, column=column_of(sheet, "co_mang_lan"), value="không")
        sheet.cell(row=3, column=column_of(sheet, "co_mang_lan"), value="chưa rõ")
    issues = issues_of(modified(tmp_path, change), year)
    assert [(i.row, i.value) for i in issues] == [(3, "chưa rõ")]
    assert "chỉ nhận «Có»/«Không» hoặc 1/0" in issues[0].message


def test_numerator_above_denominator(tmp_path, year):
    def change(book):
        sheet = book["Giao dịch"]
        sheet.cell(row=2, column=column_of(sheet, "so_hs_truc_tuyen"), value=999999)
    issue = next(i for i in issues_of(modified(tmp_path, change), year) if i.column == "so_hs_truc_tuyen")
    assert "lớn hơn «Số hồ sơ TTHC tiếp nhận trong năm»" in issue.message
    assert issue.sheet == "Giao dịch" and issue.value.startswith("SBN01: 999999")


def test_formula_without_cached_value(tmp_path, year):
    def change(book):
        sheet = book["Sẵn sàng"]
        sheet.cell(row=6, column=column_of(sheet, "tong_so_cbcc"), value="=10*5")
    issue = next(i for i in issues_of(modified(tmp_path, change), year) if i.column == "tong_so_cbcc")
    assert "công thức =10*5 chưa có giá trị" in issue.message and issue.row == 6


def test_error_value_is_named_not_taken_for_an_empty_cell(tmp_path, year):
    def change(book):
        sheet = book["Sẵn sàng"]
        sheet.cell(row=4, column=column_of(sheet, "tong_so_cbcc"), value="#N/A")  # an Excel error value
    issue = next(i for i in issues_of(modified(tmp_path, change), year) if i.column == "tong_so_cbcc")
    assert issue.message.startswith("không phải số") and issue.value == "#N/A"
    assert (issue.sheet, issue.row) == ("Sẵn sàng", 4)


def test_missing_column_unknown_sheet_and_missing_sheet(tmp_path, year):
    def change(book):
        sheet = book["Tương tác"]
        sheet.cell(row=1, column=column_of(sheet, "so_vb_di"), value="so_van_ban_di")
        book["Chuyển đổi"].title = "Chuyen doi"
    issues = issues_of(modified(tmp_path, change), year)
    text = [str(i) for i in issues]
    assert any(i.sheet == "Chuyen doi" and "trang không có trong danh mục" in i.message for i in issues), text
    assert any(i.sheet == "Chuyển đổi" and i.message == "thiếu trang số liệu" for i in issues), text
    assert any(i.sheet == "Tương tác" and i.row == 1 and i.column == "so_vb_di" and "thiếu cột" in i.message
               for i in issues), text
    assert any(i.value == "so_van_ban_di" and "cột không có trong danh mục" in i.message for i in issues), text


def test_extra_title_row_is_reported_as_a_header_problem(tmp_path, year):
    def change(book):
        book["Hiện diện"].insert_rows(1)
        book["Hiện diện"].cell(row=1, column=1, value="BẢNG SỐ LIỆU")
    issue = next(i for i in issues_of(modified(tmp_path, change), year) if i.sheet == "Hiện diện")
    assert issue.row == 1 and "dòng 1 phải là dòng tiêu đề" in issue.message and issue.value == "BẢNG SỐ LIỆU"


def test_nfd_and_old_tone_names_still_match_by_code(tmp_path, year):
    source = ROOT / "data" / "2021" / "xa-phuong-thi-tran.xlsx"

    def change(book):
        sheet = book["Sẵn sàng"]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "23599":
                row[1].value = unicodedata.normalize("NFD", "Xã Chư Á")
    path = modified(tmp_path, change, source)
    frame = read_group(path, "commune", year.catalogue, year.registry)
    assert len(frame) == 220 and "23599" in frame.index
    assert year.registry.name("23599") == "Xã Chư Á"
    nhon_hoa = year.registry.by_code()["23942"]
    assert (nhon_hoa.name, nhon_hoa.local_name) == ("Thị trấn Nhơn Hoà", "Thị trấn Nhơn Hòa")


def test_not_a_workbook(tmp_path, year):
    path = tmp_path / "so-ban-nganh.xlsx"
    path.write_text("mã,tên\n", encoding="utf-8")
    issue = issues_of(path, year)[0]
    assert issue.message == "tệp không phải bảng tính Excel (.xlsx) hợp lệ" and issue.file == path


def test_province_figures_need_numbers(tmp_path):
    def change(book):
        book["Toàn tỉnh"].cell(row=2, column=3, value="khoảng 250")
    path = modified(tmp_path, change, ROOT / "data" / "2021" / "toan-tinh.xlsx")
    with pytest.raises(CqdtError) as caught:
        read_province(path)
    issue = caught.value.issues[0]
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Toàn tỉnh", 2, "gia_tri", "khoảng 250")


def with_raw_value(tmp_path: Path, sheet_xml: str, cell: str, raw: str) -> Path:
    """A copy of the departments' workbook whose cell holds `raw` as its stored number, as a damaged
    or hand-edited file can (Excel itself never writes NaN)."""
    import re
    import zipfile

    path = tmp_path / DEPARTMENTS.name
    with zipfile.ZipFile(DEPARTMENTS) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet_xml:
                text, count = re.subn(rf'<c r="{cell}"([^>]*)>.*?</c>', f'<c r="{cell}"><v>{raw}</v></c>',
                                      data.decode("utf-8"), count=1)
                assert count == 1
                data = text.encode("utf-8")
            target.writestr(item, data)
    return path


@pytest.mark.parametrize("raw", ["NaN", "INF"])
def test_a_stored_nan_or_infinity_is_rejected_by_cell(tmp_path, year, raw):
    sheet = load_workbook(DEPARTMENTS)["Sẵn sàng"]
    column = column_of(sheet, "kinh_phi_cntt_trieu_dong")
    cell = f"{sheet.cell(row=3, column=column).column_letter}3"
    issues = issues_of(with_raw_value(tmp_path, "xl/worksheets/sheet2.xml", cell, raw), year)
    assert [(i.sheet, i.row, i.column) for i in issues] == [("Sẵn sàng", 3, "kinh_phi_cntt_trieu_dong")]
    assert "không phải số hữu hạn (NaN hoặc vô cực)" in issues[0].message


def set_percent(value, number_format):
    def change(book):
        sheet = book["Sẵn sàng"]
        cell = sheet.cell(row=3, column=column_of(sheet, "ty_le_may_phong_chong_ma_doc"))
        cell.value, cell.number_format = value, number_format
    return change


def test_a_percent_cell_is_read_as_the_percentage_it_shows(tmp_path, year):
    """95 % typed in Excel is stored as 0,95 with a percent format: the project reads 95."""
    path = modified(tmp_path, set_percent(0.95, "0%"))
    frame = read_group(path, "department", year.catalogue, year.registry)
    assert frame.iloc[1]["ty_le_may_phong_chong_ma_doc"] == 95.0
    path = modified(tmp_path, set_percent(1, "0.0%"))  # 100,0 %
    assert read_group(path, "department", year.catalogue, year.registry).iloc[1]["ty_le_may_phong_chong_ma_doc"] == 100.0


def test_a_fraction_in_a_percent_field_without_percent_format_is_refused(tmp_path, year):
    issue = issues_of(modified(tmp_path, set_percent(0.95, "General")), year)[0]
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Sẵn sàng", 3, "ty_le_may_phong_chong_ma_doc", 0.95)
    assert issue.message.startswith("tỷ lệ phần trăm 0,95 nhỏ hơn 1: nếu là 95% hãy nhập số đó")
    frame = read_group(modified(tmp_path, set_percent(1, "General")), "department", year.catalogue, year.registry)
    assert frame.iloc[1]["ty_le_may_phong_chong_ma_doc"] == 1.0  # 1 %: a whole number, accepted
