"""Charts take their labels from data: any unit name is drawn as the text it is (unit tests)."""

import pandas as pd

from cqdt import charts


def test_a_unit_name_with_dollar_signs_is_text_not_mathtext():
    table = pd.DataFrame({"name": ["Xã $\\Ia_{Grai$ mới", "Phường Tây Sơn"], "points": [40.5, 52.25]},
                         index=["1", "2"])
    svg = charts.ranked_bars(table, "points", "Điểm của $A$", "Điểm", "#1f5f8b", 60)
    assert "Xã $\\Ia_{Grai$ mới" in svg and "Điểm của $A$" in svg
