"""Charts take their labels from data: any unit name is drawn as the text it is (unit tests)."""

import pandas as pd

from cqdt import charts


def test_a_unit_name_with_dollar_signs_is_text_not_mathtext():
    table = pd.DataFrame({"name": ["Xã $\\Ia_{Grai$ mới", "Phường Tây Sơn"], "points": [40.5, 52.25]},
                         index=["1", "2"])
    svg = charts.ranked_bars(table, "points", "Điểm của $A$", "Điểm", "#1f5f8b", 60)
    assert "Xã $\\Ia_{Grai$ mới" in svg and "Điểm của $A$" in svg


def test_a_point_map_of_an_unclassified_group_shows_every_unit():
    from cqdt.charts import point_map

    outline = [{"geometry": {"type": "Polygon", "coordinates": [[[108, 13], [109, 13], [109, 14], [108, 13]]]}}]
    points = {"1": (108.5, 13.2), "2": (108.7, 13.5), "3": (108.8, 13.1)}
    svg = point_map(outline, points, {"1": "", "2": "", "3": ""}, [], {"1": "Một"}, "Vị trí")
    dots = svg[svg.index('<g id="diem-loai-1">'):svg.index('<g id="legend_1">')]
    assert dots.count("<use ") == 3 and "Đơn vị (3)" in svg
