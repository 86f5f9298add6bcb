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
    dots = svg[svg.index('<g id="diem-loai-1">'):svg.index('legend_1">')]
    assert dots.count("<use ") == 3 and "Đơn vị (3)" in svg


def test_a_chart_is_an_image_with_its_title_and_a_description_from_its_data():
    table = pd.DataFrame({"name": ["Huyện Chư Sê", "Thành phố Pleiku", "Huyện Ia Pa"], "points": [40.5, 52.25, 31.0]},
                         index=["633", "622", "635"])
    svg = charts.ranked_bars(table, "points", "Mức độ hiện diện — huyện", "Điểm", "#1f5f8b", 60)
    opening = svg[:svg.index(">") + 1]
    assert 'role="img"' in opening and 'aria-labelledby="' in opening
    title, desc = opening.split('aria-labelledby="')[1].split('"')[0].split()
    assert f'<title id="{title}">Mức độ hiện diện — huyện</title>' in svg
    assert (f'<desc id="{desc}">Biểu đồ thanh ngang, 3 đơn vị xếp theo điểm: cao nhất Thành phố Pleiku (52,25), '
            "thấp nhất Huyện Ia Pa (31,00).</desc>") in svg


def test_two_charts_on_one_page_share_no_id():
    import re

    first = charts.histogram(pd.Series([1.0, 2.0, 3.0]), "Một", "Điểm", "#1f5f8b", 10)
    second = charts.histogram(pd.Series([4.0, 5.0, 6.0]), "Hai", "Điểm", "#1f5f8b", 10)
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (first, second)]
    assert ids[0] and not set(ids[0]) & set(ids[1])
    for svg, own in zip((first, second), ids, strict=True):  # every reference points inside its own chart
        assert set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)[0]) - {""} <= set(own)


def test_the_district_map_labels_do_not_overlap():
    import json
    from pathlib import Path

    from cqdt.formatting import short_unit_name
    from cqdt.pipeline import load_year

    root = Path(__file__).resolve().parents[1]
    features = json.loads((root / "data/reference/geo/gialai_districts.geojson").read_text(encoding="utf-8"))["features"]
    districts = load_year(2021).registry.group("district")
    labels = {u.code: f"{short_unit_name(u.name)}\n148,43 · III" for u in districts}
    values = {u.code: 120.0 + index for index, u in enumerate(districts)}
    figure, texts = charts.choropleth_figure(features, values, labels, "Bản đồ", "Tổng điểm")
    boxes = charts.label_boxes(figure, texts)
    overlapping = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert len(texts) == 17 and overlapping == []


def test_a_chart_keeps_its_view_box_and_scales_to_the_column():
    svg = charts.histogram(pd.Series([1.0, 2.0, 3.0]), "Một", "Điểm", "#1f5f8b", 10)
    opening = svg[:svg.index(">") + 1]
    assert 'class="chart" width="100%"' in opening and 'viewBox="0 0 ' in opening and "height=" not in opening


def test_the_printed_decision_holds_each_chart_as_the_same_svg_image_with_the_same_text_alternative():
    import base64
    import re

    from cqdt.render import decision_print_html

    table = pd.DataFrame({"name": ["Huyện Chư Sê", "Thành phố Pleiku"], "points": [40.5, 52.25]}, index=["633", "622"])
    svg = charts.ranked_bars(table, "points", "Mức độ <giao dịch> & huyện", "Điểm", "#1f5f8b", 60)
    page = f'<main><figure class="chart-figure">{svg}</figure><svg class="icon"></svg></main>'
    printed = decision_print_html(page)
    image = re.fullmatch(r'<main><figure class="chart-figure"><img class="chart" alt="([^"]*)" '
                         r'src="data:image/svg\+xml;base64,([^"]+)">\s*</figure><svg class="icon"></svg></main>', printed)
    assert image, printed[:300]
    assert image.group(1) == ("Mức độ &lt;giao dịch&gt; &amp; huyện Biểu đồ thanh ngang, 2 đơn vị xếp theo điểm: "
                              "cao nhất Thành phố Pleiku (52,25), thấp nhất Huyện Chư Sê (40,50).")
    assert base64.b64decode(image.group(2)).decode("utf-8") == svg.strip()  # the same element, byte for byte
