"""Survey forms: generated from the catalogue, filled, returned and consolidated."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from cqdt.forms import ANSWER_COLUMN, COLLECTED_NOTE, FIRST_ROW, META_SHEET, collect, write_forms
from cqdt.inputs import read_group
from cqdt.pipeline import load_year
from cqdt.scoring import score_pillar
from cqdt.workbooks import write_group_workbook

from .conftest import ROOT, copy_project, run_make

# Writes, fills and reads back a form per unit (257 workbooks): integration, not the fast tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def year():
    return load_year(2022)


@pytest.fixture(scope="module")
def blank_forms(tmp_path_factory, year):
    folder = tmp_path_factory.mktemp("forms")
    write_forms(year, folder)
    return folder


def shipped(year, group):
    return read_group(year.params.path(year.params.inputs[group]), group, year.catalogue, year.registry)


def shipped_data(year, out: Path) -> Path:
    """A data folder holding the year's shipped group workbooks, as collect finds data/<year>."""
    out.mkdir()
    for group in ("department", "district", "commune"):
        name = Path(year.params.inputs[group]).name
        shutil.copy(ROOT / "data" / "2022" / name, out / name)
    return out


def fill(form: Path, folder: Path, figures: dict[str, pd.DataFrame], year, resaved: bool) -> None:
    """Type the unit's figures into the answer column, as the unit's staff would, and send it back
    under a name of the sender's: the form is identified by its metadata. A form `resaved` comes back
    as another application saves it (openpyxl stands for one: every part of the file rewritten);
    the others with only the typed cells changed, the rest as the project wrote it (a tenth of the
    time: 257 forms through openpyxl took 17 s of the suite)."""
    book = CalamineWorkbook.from_path(str(form))
    meta = book.get_sheet_by_name(META_SHEET).to_python()
    group, code = meta[2][1], meta[3][1]
    values = figures[group].loc[code]
    fields = {f.id: f for f in year.catalogue.groups[group].fields}
    answers: dict[str, dict[int, object]] = {}  # sheet → row → the typed answer
    for name in book.sheet_names[1:]:
        if name == META_SHEET:
            continue
        rows = book.get_sheet_by_name(name).to_python()
        answers[name] = {row: typed(values[rows[row - 1][0]], fields[rows[row - 1][0]].kind)
                         for row in range(FIRST_ROW, len(rows) + 1)}
    returned = folder / f"{group}-{code}.xlsx"
    if resaved:
        opened = load_workbook(form)
        for name, typed_rows in answers.items():
            for row, answer in typed_rows.items():
                opened[name][f"{ANSWER_COLUMN}{row}"] = answer
        opened.save(returned)
    else:
        type_into(form, returned, [answers.get(name, {}) for name in book.sheet_names])


def typed(value: float, kind: str) -> object:
    return ("Có" if value == 1 else "Không") if kind == "yes_no" else (
        int(value) if float(value).is_integer() else float(value))


def type_into(form: Path, returned: Path, answers: list[dict[int, object]]) -> None:
    """The form with each answer typed into its empty answer cell (answers per sheet, in order)."""
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(returned, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", entry.filename)
            if found and answers[int(found.group(1)) - 1]:
                text = data.decode("utf-8")
                for row, answer in answers[int(found.group(1)) - 1].items():
                    cell = f"{ANSWER_COLUMN}{row}"
                    value = (f' t="inlineStr"><is><t>{xml_escape(answer)}</t></is></c>' if isinstance(answer, str)
                             else f"><v>{answer!r}</v></c>")
                    text, typed_cells = re.subn(rf'<c r="{cell}"( s="\d+")?/>', rf'<c r="{cell}"\g<1>{value}', text)
                    assert typed_cells == 1, (form, entry.filename, cell)
                data = text.encode("utf-8")
            target.writestr(entry, data)


@pytest.fixture(scope="module")
def filled_forms(tmp_path_factory, blank_forms, year):
    folder = tmp_path_factory.mktemp("returned")
    figures = {group: shipped(year, group) for group in ("department", "district", "commune")}
    for group in figures:
        for form in sorted((blank_forms / group).glob("*.xlsx")):
            fill(form, folder, figures, year, resaved=group == "department")
    return folder


def test_one_form_per_unit_with_locked_labels_and_validation(blank_forms, year):
    forms = sorted(blank_forms.rglob("*.xlsx"))
    assert len(forms) == 257 + 1  # one per unit, and the province-wide form
    assert [f.name for f in forms if f.parent.name == "toan-tinh"] == ["phieu-2022-toan-tinh.xlsx"]
    book = load_workbook(blank_forms / "department" / "phieu-2022-SBN01-so-thong-tin-va-truyen-thong.xlsx")
    assert book.sheetnames == ["Hướng dẫn", "Sẵn sàng", "Hiện diện", "Tương tác", "Giao dịch", "Chuyển đổi", META_SHEET]
    assert book[META_SHEET].sheet_state == "veryHidden"
    sheet = book["Sẵn sàng"]
    assert sheet.protection.sheet and (sheet["B2"].value, sheet["B3"].value) == ("SBN01", "Sở Thông tin và Truyền thông")
    assert sheet["B2"].protection.locked and not sheet[f"{ANSWER_COLUMN}{FIRST_ROW}"].protection.locked
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert kinds == {"list", "whole", "decimal"}
    assert "01/11/2021" in book["Hướng dẫn"]["A4"].value


def test_round_trip_reproduces_the_shipped_scores(filled_forms, year, tmp_path):
    result = collect(year, filled_forms, tmp_path)
    for path in result.written:  # figures from the units' forms are never labelled reconstructed
        guide = load_workbook(path)["Hướng dẫn"]
        assert guide["A2"].value == "Số liệu tổng hợp từ phiếu khảo sát của các đơn vị (make collect)."
        assert not any("TÁI DỰNG" in str(cell.value) for row in guide.iter_rows() for cell in row)
    assert result.rejected == {} and result.missing == [] and len(result.accepted) == 257
    for group in ("department", "district", "commune"):
        collected = read_group(tmp_path / Path(year.params.inputs[group]).name, group, year.catalogue,
                               year.registry)
        original = shipped(year, group)
        pd.testing.assert_frame_equal(collected, original)
        for pillar in year.pillars:
            pd.testing.assert_frame_equal(score_pillar(year.catalogue, group, pillar, collected),
                                          score_pillar(year.catalogue, group, pillar, original))


def copy_forms(source: Path, target: Path, codes: list[str]) -> list[Path]:
    target.mkdir()
    return [Path(shutil.copy(next(source.glob(f"*-{code}.xlsx")), target)) for code in codes]


def edit(path: Path, sheet: str, cell: str, value) -> None:
    book = load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def test_wrong_year_unknown_unit_duplicate_and_edited_lock_are_rejected(filled_forms, year, tmp_path):
    folder = tmp_path / "in"
    sots, pleiku, hoi_thuong, tai_chinh = copy_forms(filled_forms, folder, ["SBN01", "622", "23566", "SBN02"])
    edit(sots, META_SHEET, "B1", "2021")
    edit(pleiku, META_SHEET, "B4", "699")
    edit(tai_chinh, "Hiện diện", "A6", "so_tin_bai")  # someone removed the protection and edited a label
    duplicate = folder / "ban-sao.xlsx"
    shutil.copy(hoi_thuong, duplicate)
    out = tmp_path / "out"
    result = collect(year, folder, out)
    messages = {path.name: " | ".join(str(i) for i in issues) for path, issues in result.rejected.items()}
    assert "phiếu của năm 2021, không phải năm 2022" in messages[sots.name]
    assert "mã đơn vị của phiếu không có trong danh sách đơn vị" in messages[pleiku.name]
    assert "giá trị «699»" in messages[pleiku.name]
    assert "đơn vị 23566 có nhiều hơn một phiếu" in messages[duplicate.name]
    assert "ban-sao.xlsx" in messages[hoi_thuong.name]
    assert "trang «Hiện diện», dòng 6, cột «A», giá trị «so_tin_bai»: ô đã khóa bị sửa" in messages[tai_chinh.name]
    assert result.accepted == {} and len(result.missing) == 257


def test_good_forms_are_merged_and_replaced_workbooks_backed_up(filled_forms, year, tmp_path):
    out = shipped_data(year, tmp_path / "data")
    folder = tmp_path / "in"
    form, broken = copy_forms(filled_forms, folder, ["SBN03", "SBN04"])
    edit(form, "Hiện diện", "E8", 321)  # so_tin_bai_dang: a corrected figure
    edit(broken, "Giao dịch", "E5", "n/a")
    result = collect(year, folder, out)
    assert list(result.accepted) == ["SBN03"]
    issue = result.rejected[broken][0]
    assert (issue.sheet, issue.row, issue.value) == ("Giao dịch", 5, "n/a") and "không phải số" in issue.message
    assert [b.name[:12] for b in result.backups] == ["so-ban-nganh"] and result.backups[0].exists()
    merged = read_group(out / "so-ban-nganh.xlsx", "department", year.catalogue, year.registry)
    assert merged.loc["SBN03", "so_tin_bai_dang"] == 321
    assert merged.drop(index="SBN03").equals(shipped(year, "department").drop(index="SBN03"))


def test_lateness_comes_from_the_receipt_ledger_not_from_file_dates(filled_forms, year, tmp_path):
    """A form first received before the deadline stays on time when the folder is copied later; a
    form first seen after the deadline is late; the analyst's correction of a date is kept."""
    import csv
    import datetime as dt
    import os

    folder, out = tmp_path / "in", tmp_path / "data"
    on_time, _ = copy_forms(filled_forms, folder, ["SBN03", "SBN04"])
    deadline = year.params.survey.deadline
    result = collect(year, folder, out, today=deadline)
    assert result.late == []
    os.utime(on_time, (0, dt.datetime(2030, 1, 1).timestamp()))  # copied or downloaded much later
    late_form = Path(shutil.copy(next(filled_forms.glob("*-SBN05.xlsx")), folder))
    result = collect(year, folder, out, today=deadline + dt.timedelta(days=3))
    assert result.late == [late_form]
    with (out / "so-nhan-phieu.csv").open(encoding="utf-8") as handle:
        rows = {row["ma_don_vi"]: row["ngay_nhan"] for row in csv.DictReader(handle)}
    assert rows == {"SBN03": deadline.isoformat(), "SBN04": deadline.isoformat(),
                    "SBN05": (deadline + dt.timedelta(days=3)).isoformat()}
    ledger = (out / "so-nhan-phieu.csv").read_text(encoding="utf-8")
    (out / "so-nhan-phieu.csv").write_text(ledger.replace((deadline + dt.timedelta(days=3)).isoformat(),
                                                          deadline.isoformat()), encoding="utf-8")
    assert collect(year, folder, out, today=deadline + dt.timedelta(days=9)).late == []


def test_a_file_name_that_looks_like_a_formula_is_text_in_the_ledger(filled_forms, year, tmp_path):
    import csv

    folder = tmp_path / "in"
    form, = copy_forms(filled_forms, folder, ["SBN03"])
    form.rename(folder / "=HYPERLINK(1).xlsx")  # a sender's file name
    collect(year, folder, tmp_path / "data")
    collect(year, folder, tmp_path / "data")  # read back and written again: unchanged
    with (tmp_path / "data" / "so-nhan-phieu.csv").open(encoding="utf-8") as handle:
        assert [row["tep"] for row in csv.DictReader(handle)] == ["'=HYPERLINK(1).xlsx"]


def test_an_invalid_collected_workbook_stops_the_collection_and_is_left_as_it_was(filled_forms, year, tmp_path):
    """The figures already in data/ are read by the same checked reader as ingest: an invalid value
    there stops the collection with its place named, instead of being copied on silently."""
    from cqdt.errors import CqdtError

    out = shipped_data(year, tmp_path / "data")
    target = out / "so-ban-nganh.xlsx"
    book = load_workbook(target)
    sheet = book["Hiện diện"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "SBN05")
    column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == "so_tin_bai_dang")
    sheet.cell(row, column).value = "khoảng 300"
    book.save(target)
    before = target.read_bytes()
    copy_forms(filled_forms, tmp_path / "in", ["SBN03", "SBN04"])
    with pytest.raises(CqdtError) as caught:
        collect(year, tmp_path / "in", out)
    issue = caught.value.issues[0]
    assert (Path(issue.file).name, issue.sheet, issue.row, issue.value) == ("so-ban-nganh.xlsx", "Hiện diện", row, "khoảng 300")
    assert target.read_bytes() == before and not (out / ".sao-luu").exists()


def test_a_partly_collected_workbook_is_read_with_the_units_it_has(year, tmp_path):
    frame = shipped(year, "district").loc[["622", "639"]]
    path = tmp_path / "huyen.xlsx"
    write_group_workbook(path, "district", frame, year.catalogue, year.registry, title="Thử", note="Thử",
                         creator="thử")
    read = read_group(path, "district", year.catalogue, year.registry, complete=False)
    assert list(read.index) == ["622", "639"] and read.equals(frame.astype(read.dtypes))
    with pytest.raises(Exception, match="thiếu dòng số liệu của đơn vị 623"):
        read_group(path, "district", year.catalogue, year.registry)


def fill_province(form: Path, target: Path, figures: dict, change: dict | None = None) -> Path:
    """The Sở's staff type the province-wide figures into the form (values and qualifiers)."""
    book = load_workbook(form)
    sheet = book["Toàn tỉnh"]
    for row in range(2, sheet.max_row + 1):
        value, qualifier = figures[sheet.cell(row, 1).value]
        sheet.cell(row, 3).value = int(value) if float(value).is_integer() else value
        sheet.cell(row, 4).value = qualifier or None
    for cell, value in (change or {}).items():
        sheet[cell] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def test_the_province_wide_figures_have_a_form_that_collect_checks_and_writes(blank_forms, year, tmp_path):
    from cqdt.forms import province_fields
    from cqdt.inputs import read_province

    form = blank_forms / "toan-tinh" / "phieu-2022-toan-tinh.xlsx"
    sheet = load_workbook(form)["Toàn tỉnh"]
    keys = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert keys == list(province_fields(year)) and "thpt_tong" in keys and "dvc_muc_4" in keys
    assert sheet.protection.sheet and not sheet["C2"].protection.locked and sheet["A2"].protection.locked
    published = read_province(year.province_file())
    out = tmp_path / "data"
    out.mkdir()
    shutil.copy(year.province_file(), out / "toan-tinh.xlsx")
    returned = fill_province(form, tmp_path / "in" / "so-lieu-toan-tinh.xlsx", published)
    result = collect(year, tmp_path / "in", out)
    assert result.accepted == {"toan-tinh": returned} and not result.province_missing
    written = read_province(out / "toan-tinh.xlsx")
    assert {k: written[k] for k in keys} == {k: published[k] for k in keys}
    assert [b.name[:9] for b in result.backups] == ["toan-tinh"]


def test_a_province_form_with_a_part_above_its_whole_or_an_edited_row_is_rejected(blank_forms, year, tmp_path):
    from cqdt.inputs import read_province

    form = blank_forms / "toan-tinh" / "phieu-2022-toan-tinh.xlsx"
    published = read_province(year.province_file())
    sheet = load_workbook(form)["Toàn tỉnh"]
    row = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    part = fill_province(form, tmp_path / "a" / "a.xlsx", published, {f"C{row['thpt_day_tin_hoc']}": 470})
    edited = fill_province(form, tmp_path / "b" / "b.xlsx", published, {f"A{row['dvc_muc_3']}": "dvc_muc_5"})
    for returned, expected in ((part, "«thpt_day_tin_hoc» (470) lớn hơn «thpt_tong»"),
                               (edited, "dòng đã khóa bị sửa (phải là «dvc_muc_3»)")):
        result = collect(year, returned.parent, tmp_path / "out")
        assert result.province_missing and result.accepted == {}
        assert expected in str(result.rejected[returned][0]), result.rejected[returned]
    assert not (tmp_path / "out" / "toan-tinh.xlsx").exists()


def test_a_year_collected_from_forms_with_official_status_is_nowhere_called_reconstructed(filled_forms, blank_forms,
                                                                                            year, tmp_path):
    """The yearly cycle in a copy of the project whose params call the figures official: the units' forms
    and the province form returned, `make collect`, `make report`. The workbooks say they were collected,
    the first page of the report, the PDF and the Word draft name only the criteria as reconstructed, and
    the report prints the published results (the forms carry the figures that reproduce them)."""
    from docx import Document

    from cqdt.formatting import vn_number
    from cqdt.inputs import read_province

    root = copy_project(tmp_path / "project")
    params = root / "params" / "2022.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("data_status: reconstructed", "data_status: official"),
                      encoding="utf-8")
    returned = tmp_path / "returned"
    shutil.copytree(filled_forms, returned)
    fill_province(blank_forms / "toan-tinh" / "phieu-2022-toan-tinh.xlsx", returned / "toan-tinh.xlsx",
                  read_province(year.province_file()))
    run_make(root, "collect", "YEAR=2022", f"FORMS={returned}")
    for name in ("so-ban-nganh.xlsx", "huyen-thi-xa-thanh-pho.xlsx", "xa-phuong-thi-tran.xlsx"):
        guide = load_workbook(root / "data" / "2022" / name).worksheets[0]
        assert guide["A2"].value == COLLECTED_NOTE and "tái dựng" not in guide["A1"].value.casefold()
    run_make(root, "report", "YEAR=2022")

    folder = root / "report" / "2022"
    page = (folder / "bao-cao-cqdt-2022.html").read_text(encoding="utf-8")
    printed = subprocess.run(["pdftotext", str(folder / "bao-cao-cqdt-2022.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
    draft = "\n".join(p.text for p in Document(folder / "du-thao-quyet-dinh-2022.docx").paragraphs)
    for text in (page, printed, draft):
        assert "Lưu ý: số liệu chính thức, chấm theo bộ tiêu chí tái dựng." in " ".join(text.split())
        assert "dữ liệu tái dựng" not in text and "SỐ LIỆU TÁI DỰNG" not in text
    assert "số liệu: <strong>chính thức</strong>" in page
    published = yaml.safe_load((ROOT / "data" / "published.yaml").read_text(encoding="utf-8"))[2022]["scores"]
    for rows in published.values():
        for row in rows:
            shown = re.search(rf'<tr[^>]*data-code="{row["code"]}".*?</tr>', page, re.DOTALL).group(0)
            assert f">{vn_number(row['score'], year.params.score_decimals)}<" in shown, row
