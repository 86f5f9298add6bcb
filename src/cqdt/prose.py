"""The report's sentences about results, written from the year's data and catalogue labels.

Every function returns Markdown (the notebooks pass it to `display.md`, which escapes it); group
names, plurals and class headings come from the catalogue, never from here.
"""

from __future__ import annotations

import pandas as pd

from .config import load_params
from .formatting import capital_first, join_words, vn_int, vn_number, vn_signed
from .pipeline import Year
from .robustness import UNSTABLE_WIDTH


def score(year: Year, total: float) -> str:
    return vn_number(total, year.params.score_decimals)


def intro_text(year: Year, tables: dict[str, pd.DataFrame]) -> str:
    """What the report covers: the decision, the units of each group, who is ranked."""
    cat = year.catalogue
    counts = join_words([f"{vn_int(len(tables[g]))} {cat.groups[g].plural}" for g in year.groups])
    ranked = [cat.groups[g].plural for g in year.groups if cat.groups[g].ranked]
    unranked = [cat.groups[g].plural for g in year.groups if not cat.groups[g].ranked]
    lines = [(f"Báo cáo này trình bày cơ sở của Quyết định số {year.params.decision.number}: kết quả chung "
              f"của từng chỉ số đánh giá và kết quả xếp hạng. Năm {year.params.year} có {counts} được đánh giá "
              f"theo {cat.title[:1].lower() + cat.title[1:]}.")]
    if ranked:
        lines.append(f"{capital_first(join_words(ranked))} được xếp hạng theo tổng điểm.")
    if unranked:
        lines.append(f"{capital_first(join_words(unranked))} được chấm điểm nhưng không xếp hạng.")
    unscored = [p.label for p in cat.pillars if not p.scored]
    if unscored:
        lines.append(f"{capital_first(join_words(unscored))} được đánh giá và công bố nhưng không tính vào tổng điểm.")
    return " ".join(lines)


def ranking_text(year: Year, tables: dict[str, pd.DataFrame], number: str) -> str:
    """Who leads and who trails in each group (the highest total where a group is not ranked)."""
    paragraphs = [f"## {number}. Kết quả xếp hạng"]
    for group in year.groups:
        spec, table = year.catalogue.groups[group], tables[group]
        ordered = table.sort_values("total", ascending=False, kind="stable")
        if not spec.ranked or len(table) < 4:
            best = ordered.iloc[0]
            verb = "được đánh giá nhưng không xếp hạng" if not spec.ranked else "được xếp hạng"
            paragraphs.append(f"**{spec.label}** {verb}; điểm cao nhất thuộc về {best['name']} với "
                              f"{score(year, best['total'])} điểm.")
            continue
        first, second = ordered.iloc[0], ordered.iloc[1]
        low, lowest = ordered.iloc[-2], ordered.iloc[-1]
        paragraphs.append(
            f"**{spec.label}.** Đứng đầu là {first['name']} với {score(year, first['total'])} điểm, tiếp theo là "
            f"{second['name']} với {score(year, second['total'])} điểm. Hai đơn vị cuối bảng là {low['name']} "
            f"({score(year, low['total'])} điểm) và {lowest['name']} ({score(year, lowest['total'])} điểm).")
    return "\n\n".join(paragraphs)


def change_text(year: Year, tables: dict[str, pd.DataFrame], changes: dict[str, pd.DataFrame] | None,
                number: str) -> str:
    """Who rose and who fell most since the previous year, group by group."""
    previous = year.params.previous_year
    if not changes:
        return (f"## {number}. So sánh với năm trước\n\nTệp tham số năm {year.params.year} không khai báo "
                "năm trước (previous_year) nên báo cáo không so sánh giữa hai năm.")
    lines = [f"## {number}. So sánh với năm {previous}", ""]
    before = load_params(previous).catalogue
    if year.params.comparison.through == "succession":
        lines += [f"Các đơn vị năm {year.params.year} không trùng với các đơn vị năm {previous} (sắp xếp đơn vị "
                  f"hành chính). Mỗi đơn vị được so với tỷ lệ điểm đạt bình quân năm {previous} của các đơn vị tiền "
                  "thân có kết quả (trọng số bằng nhau), quy ra điểm năm nay; đây là ước tính, không phải so sánh "
                  "trực tiếp.", ""]
    elif before == year.catalogue.id:
        lines += [f"Hai năm cùng dùng danh mục tiêu chí «{before}» nên tổng điểm được so sánh trực tiếp.", ""]
    else:
        lines += [f"Năm {previous} dùng danh mục «{before}», năm nay dùng «{year.catalogue.id}»; "
                  "khi điểm tối đa khác nhau, tổng điểm được so sánh theo tỷ lệ điểm đạt.", ""]
    for group in year.groups:
        lines += _group_changes(year, group, tables[group].join(changes[group]), previous)
    return "\n".join(lines)


def _group_changes(year: Year, group: str, frame: pd.DataFrame, previous: int) -> list[str]:
    label = year.catalogue.groups[group].label
    known = frame.dropna(subset=["total_change"])
    lines = []
    if known.empty:
        lines.append(f"**{label}**: không có đơn vị nào có kết quả năm {previous} để so sánh.")
    else:
        risers = known.sort_values("total_change", ascending=False, kind="stable").head(3)
        fallers = known.sort_values("total_change", kind="stable").head(3)
        note = "" if bool(frame["same_maximum"].iloc[0]) or year.params.comparison.through == "succession" else (
            " (điểm tối đa thay đổi giữa hai năm nên so sánh theo tỷ lệ điểm đạt)")
        lines.append(f"**{label}**{note}: tăng điểm nhiều nhất là " + "; ".join(
            _change_phrase(year, r) for r in risers.itertuples()) + ". Giảm nhiều nhất là " + "; ".join(
            _change_phrase(year, r) for r in fallers.itertuples()) + ".")
    new = frame.index[frame["total_change"].isna()]
    if len(new) and not known.empty:
        names = list(frame.loc[new, "name"])
        listed = ", ".join(names[:20]) + (f" và {vn_int(len(names) - 20)} đơn vị khác" if len(names) > 20 else "")
        lines.append(f"Có {vn_int(len(new))} đơn vị không có kết quả năm {previous}: {listed}.")
    return lines + [""]


def _change_phrase(year: Year, row) -> str:
    text = f"{row.name} ({vn_signed(row.total_change, year.params.score_decimals)} điểm"
    rank_change = getattr(row, "rank_change", None)
    if rank_change is not None and not pd.isna(rank_change) and rank_change != 0:
        text += f", {'tăng' if rank_change > 0 else 'giảm'} {abs(int(rank_change))} bậc"
    return text + ")"


def map_text(year: Year, number: str) -> str:
    """The heading of the map section and what the map and the box plots show."""
    lines = [f"## {number}. Bản đồ và phân bố kết quả", ""]
    settings = year.params.map
    if settings and settings.points:
        spec = year.catalogue.groups[settings.group]
        lines.append(f"Mỗi {spec.unit_noun} là một điểm tại tọa độ của đơn vị"
                     + (f", tô màu theo {spec.class_heading.lower()}" if spec.class_heading else "")
                     + "; tên đơn vị được ghi ở những chỗ đủ chỗ, ưu tiên các đơn vị dẫn đầu và cuối bảng. "
                     "Chưa có dữ liệu ranh giới được phép sử dụng của các đơn vị mới nên bản đồ chỉ vẽ đường bao tỉnh.")
    elif settings:
        spec = year.catalogue.groups[settings.group]
        lines.append(f"Bản đồ tô màu theo tổng điểm của từng {spec.unit_noun}, ghi kèm điểm"
                     + (f" và {spec.class_heading.lower()}." if spec.class_heading else "."))
    if settings and settings.attribution:
        lines.append(f"Nguồn bản đồ: {settings.attribution}")
    nested = [g for g in year.groups if year.catalogue.groups[g].parent]
    if nested:
        lines.append("Biểu đồ hộp thể hiện phân bố tổng điểm của các "
                     + join_words([year.catalogue.groups[g].plural for g in nested]) + " trong từng đơn vị cấp trên.")
    return "\n".join(lines)


def robustness_intro(year: Year, number: str) -> str:
    settings, term = year.params.robustness, year.catalogue.index_term
    return f"""## {number}. Độ vững của thứ hạng

Thứ hạng phụ thuộc vào trọng số ngầm định của các {term}. Để kiểm tra, tổng điểm được tính lại
{vn_int(settings.runs)} lần (hạt giống ngẫu nhiên {settings.seed}): mỗi lần, trọng số của từng {term}
được chọn ngẫu nhiên trong khoảng ±{vn_number(settings.weight_spread * 100, 0)}% và tổng điểm được tính
hoặc theo điểm của danh mục, hoặc theo tỷ lệ điểm đạt của từng {term} (mỗi cách một nửa số lần).
Biểu đồ cho thấy hạng chính thức, hạng trung vị và khoảng 5%–95% của các hạng mô phỏng."""


def robustness_text(label: str, frame: pd.DataFrame, term: str = "trụ cột") -> str:
    shaky = frame[~frame["robust"]]
    if shaky.empty:
        return f"**{label}:** thứ hạng của mọi đơn vị vững: khoảng 5%–95% hẹp hơn {UNSTABLE_WIDTH} bậc."
    units = "; ".join(f"{r.name} (hạng {int(r.rank)}, có thể từ {int(r.p05)} đến {int(r.p95)})"
                      for r in shaky.head(10).itertuples())
    if len(shaky) > 10:
        units += f" và {vn_int(len(shaky) - 10)} đơn vị khác"
    return (f"**{label}:** {vn_int(len(shaky))} đơn vị có thứ hạng chưa vững, tức là thay đổi từ {UNSTABLE_WIDTH} "
            f"bậc trở lên khi trọng số các {term} thay đổi: {units}.")
