"""The decision's wording comes from params: Điều 1 has one item per group present, each naming
its appendix; Điều 2 and 3 are templates filled from the year (unit tests)."""

from __future__ import annotations


import pandas as pd

from cqdt.fragments import appendix_numbers, articles
from cqdt.pipeline import load_year

from .conftest import rejected_after, validation_copy


def tables(**counts: int) -> dict[str, pd.DataFrame]:
    return {group: pd.DataFrame(index=range(count)) for group, count in counts.items()}


def test_2021_articles_read_as_published():
    first, second, third = articles(load_year(2021), tables(department=20, district=17, commune=220))
    assert first["items"] == [
        "1. Kết quả đánh giá, xếp hạng của 20 sở, ban, ngành thuộc tỉnh (chi tiết tại Phụ lục I);",
        "2. Kết quả đánh giá, xếp hạng của UBND 17 huyện, thị xã, thành phố (chi tiết tại Phụ lục II);",
        "3. Kết quả đánh giá của UBND 220 xã, phường, thị trấn, không xếp hạng (chi tiết tại Phụ lục III)."]
    assert first["lead"].startswith("Phê duyệt kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử năm 2021 ")
    assert second["lead"] == "Tổ chức thực hiện:" and second["items"][0].endswith("tổ chức đánh giá năm 2022.")
    assert third["lead"].endswith("Quyết định có hiệu lực kể từ ngày ký./.") and third["items"] == []


def test_items_and_appendices_follow_the_groups_present():
    present = tables(department=1300, commune=10600)
    assert appendix_numbers(present) == {"department": "I", "commune": "II"}
    items = articles(load_year(2022), present)[0]["items"]
    assert items == [
        "1. Kết quả đánh giá, xếp hạng của 1.300 sở, ban, ngành thuộc tỉnh (chi tiết tại Phụ lục I);",
        "2. Kết quả đánh giá của UBND 10.600 xã, phường, thị trấn, không xếp hạng (chi tiết tại Phụ lục II)."]


def test_an_unknown_placeholder_in_the_wording_is_named(tmp_path):
    result = rejected_after(validation_copy(tmp_path / "project"), "params/2021.yaml",
                            "đánh giá năm {next_year}.", "đánh giá năm {nam_sau}.")
    assert ("tệp «2021.yaml»: mục «decision.articles.0.items»: mẫu câu dùng {nam_sau} nhưng chỉ được dùng "
            "{next_year}, {year}") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_change_compared_by_share_is_marked_with_the_plain_difference():
    """When a group's maximum changed, the printed change is rescaled: the appendix marks it (†) with
    the plain difference beside it and a footnote, and the scorecard says so in words."""
    import pandas as pd

    from cqdt.fragments import appendix_html, appendix_table
    from cqdt.pipeline import load_year, score_year_directly
    from cqdt.scorecards import _change

    year = load_year(2022)
    table = score_year_directly(year)["department"]
    previous = table["total"] - 5.0
    changes = pd.DataFrame({"previous_total": previous, "total_change": table["share"] * 0 + 3.25,
                            "same_maximum": False, "previous_rank": table["rank"], "rank_change": 0.0})
    html = appendix_html(appendix_table(year, "department", table, "I", changes))
    first = table.index[0]
    assert "+3,250† (+5,000)" in html
    assert "† Điểm tối đa của nhóm thay đổi so với năm 2021" in html
    text = _change(changes.to_dict("index"), first, 3, 2021, False, table.loc[first, "total"])
    assert text.startswith("So với năm 2021: +3,250 điểm (tính theo tỷ lệ điểm đạt vì điểm tối đa thay đổi; "
                           "chênh lệch điểm thô +5,000)")
