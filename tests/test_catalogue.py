from pathlib import Path

import pytest
import yaml

from cqdt.catalogue import load_catalogue
from cqdt.errors import CqdtError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "catalogues" / "gialai-169-575-tai-dung.yaml"


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def messages(error: CqdtError) -> str:
    return "\n".join(str(issue) for issue in error.issues)


def test_shipped_catalogue_is_a_declared_reconstruction_that_admits_published_totals():
    catalogue = load_catalogue(SHIPPED)
    assert catalogue.reconstructed
    assert "tái dựng" in catalogue.reconstruction_note
    maxima = {g: spec.max_points for g, spec in catalogue.groups.items()}
    assert maxima == {"department": 130, "district": 170, "commune": 80}
    assert maxima["department"] >= 118.348 and maxima["district"] >= 154.603 and maxima["commune"] >= 60.90
    assert [p.label for p in catalogue.pillars] == ["Điều kiện sẵn sàng", "Mức độ hiện diện", "Mức độ tương tác",
                                                   "Mức độ giao dịch", "Mức độ chuyển đổi"]


def test_maxima_that_do_not_add_up_are_rejected(tmp_path):
    def change(data):
        data["groups"]["department"]["criteria"][0]["max_points"] = 3  # R_LAN 2 → 3
    with pytest.raises(CqdtError) as caught:
        load_catalogue(write_variant(tmp_path, change))
    text = messages(caught.value)
    assert "trụ cột readiness khai báo tối đa 35 điểm nhưng các tiêu chí cộng lại 36 điểm" in text
    assert "variant.yaml" in text


def test_unknown_rule_is_rejected_with_its_name(tmp_path):
    def change(data):
        data["groups"]["district"]["criteria"][0]["rule"] = "geometric_mean"
    with pytest.raises(CqdtError) as caught:
        load_catalogue(write_variant(tmp_path, change))
    text = messages(caught.value)
    assert "quy tắc chấm điểm «geometric_mean» không được hỗ trợ" in text
    assert "'ratio'" in text
    assert "groups.district.criteria.0" in text


def test_duplicate_ids_and_unused_columns_are_rejected(tmp_path):
    def change(data):
        criteria = data["groups"]["commune"]["criteria"]
        criteria[1]["id"] = criteria[0]["id"]
        data["groups"]["commune"]["fields"].append(
            {"id": "cot_thua", "label": "Cột thừa", "sheet": "Sẵn sàng", "kind": "count"})
    with pytest.raises(CqdtError) as caught:
        load_catalogue(write_variant(tmp_path, change))
    text = messages(caught.value)
    assert "nhóm commune: mã tiêu chí R_MAYTINH bị trùng" in text
    assert "nhóm commune: cột cot_thua không được tiêu chí nào sử dụng" in text


def test_level_thresholds_must_descend(tmp_path):
    def change(data):
        data["groups"]["department"]["levels"]["rules"][1]["min_share"] = 0.95
    with pytest.raises(CqdtError) as caught:
        load_catalogue(write_variant(tmp_path, change))
    assert "ngưỡng các mức độ phải giảm dần" in messages(caught.value)


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ngroups: [\n", encoding="utf-8")
    with pytest.raises(CqdtError) as caught:
        load_catalogue(path)
    issue = caught.value.issues[0]
    assert "không đúng cú pháp YAML" in issue.message and issue.row is not None
