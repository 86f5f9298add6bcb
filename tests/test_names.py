"""Names are checked, never guessed: what the notebooks and the indicator config name must exist
in the year's catalogue (validate reports it with the file; the helpers refuse at run time)."""

from __future__ import annotations


import pytest

from cqdt.errors import CqdtError
from cqdt.names import check_declared, declared_names

from .conftest import ROOT, rejected_after, run_cli, validation_copy

CATALOGUE = "catalogues/gialai-169-575-tai-dung.yaml"


def test_every_narrative_declares_what_it_uses():
    uses = declared_names(ROOT / "notebooks/readiness.py")
    assert "ha_tang_mang" in uses["indicators"] and uses["criteria"] == {"department": ["R_ATTT_CAPDO"]}
    assert declared_names(ROOT / "notebooks/transaction.py")["criteria"] == {}


def test_a_criterion_the_narrative_names_but_the_catalogue_lacks(tmp_path):
    result = rejected_after(validation_copy(tmp_path / "project"), CATALOGUE,
                            "{id: R_ATTT_CAPDO, pillar: readiness", "{id: R_ATTT_HSCD, pillar: readiness")
    assert ("tệp «readiness.py»: sổ tay dùng tiêu chí «R_ATTT_CAPDO» của nhóm «department» nhưng danh mục "
            "«gialai-169-575-tai-dung» không có tiêu chí này") in result.stderr
    assert "Traceback" not in result.stderr


def test_an_indicator_field_the_catalogue_lacks(tmp_path):
    result = rejected_after(validation_copy(tmp_path / "project"), "config/chi-so-toan-tinh.yaml",
                            "fields: [co_mang_lan, ket_noi_wan]", "fields: [co_mang_noi_bo, ket_noi_wan]")
    assert ("tệp «chi-so-toan-tinh.yaml»: chỉ số «ha_tang_mang» dùng cột số liệu «co_mang_noi_bo» của nhóm "
            "«department» nhưng danh mục «gialai-169-575-tai-dung» không có cột này") in result.stderr
    assert "nhóm «district»" in result.stderr  # every group it counts over is named


def test_an_indicator_the_narrative_names_but_the_config_lacks(tmp_path):
    result = rejected_after(validation_copy(tmp_path / "project"), "config/chi-so-toan-tinh.yaml",
                            "{id: chung_thu_so,", "{id: chung_thu_so_cap,")
    assert ("tệp «interaction.py»: sổ tay dùng chỉ số toàn tỉnh «chung_thu_so» nhưng tệp chỉ số của năm 2021 "
            "không có chỉ số này") in result.stderr


def test_at_run_time_an_undeclared_or_unknown_name_is_refused():
    declared = ["P_MUC_TT"]  # the notebook's criteria of the group at hand
    check_declared("presence", "criteria", "P_MUC_TT", declared, {"P_MUC_TT", "P_CONG"})
    with pytest.raises(CqdtError, match="sổ tay «presence» dùng tiêu chí «P_CONG» chưa khai báo"):
        check_declared("presence", "criteria", "P_CONG", declared, {"P_MUC_TT", "P_CONG"})
    with pytest.raises(CqdtError, match="sổ tay «presence» dùng tiêu chí «P_XYZ» không có trong cấu hình"):
        check_declared("presence", "criteria", "P_XYZ", declared, {"P_MUC_TT"})


def test_the_steps_of_a_year_come_from_its_catalogue(tmp_path):
    project = validation_copy(tmp_path / "project")
    table = run_cli(project, "steps", "--year", "2021").stdout
    assert "PILLARS := readiness presence interaction transaction transformation\n" in table
    assert "NOTEBOOK_presence := presence\n" in table
    (project / "notebooks/transformation.py").unlink()  # no narrative: the generic notebook runs it
    assert "NOTEBOOK_transformation := pillar\n" in run_cli(project, "steps", "--year", "2021").stdout

