# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["hide"]
# # Tổng hợp và xếp hạng (sổ tay chung)
#
# Sổ tay tổng hợp cho mọi cấu trúc danh mục: các nhóm đơn vị, chỉ số, cách xếp loại và lời văn đều
# lấy từ danh mục tiêu chí và tệp tham số của năm. Sổ tay đọc kết quả các sổ tay trụ cột
# (`build/<năm>/pillars/*`), cộng điểm các chỉ số được tính điểm, xếp hạng các nhóm được xếp hạng,
# xếp loại, so sánh với năm trước (nếu có `previous_year`) và ghi kết quả vào
# `build/<năm>/results/`; dự thảo Quyết định và các phụ lục do bước dựng báo cáo viết từ các kết
# quả đó. Năm nào cần lời văn riêng thì khai báo `ranking_notebook` trong tệp tham số (ví dụ sổ
# tay `ranking` của 2021–2022).

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = ranking_run(year, build)
sections = iter(["I", "II", "III", "IV", "V", "VI"])

# %% tags=["section:intro"]
html(f'<h1 class="analysis-start">Báo cáo kết quả đánh giá, xếp hạng năm {year}</h1>')
md(run.intro_text())
md(f"## {next(sections)}. Kết quả chung theo từng chỉ số")
svg(run.pillar_share_chart())

# %% tags=["section:highlights"]
md(run.ranking_text(next(sections)))
if run.classified_groups:
    md(f"**Số đơn vị theo {run.class_headings()}:**")
    html(run.level_table_html())
    svg(run.level_chart())

# %% tags=["section:highlights"]
md(run.change_text(next(sections)))

# %% tags=["section:highlights"]
map_figure = run.map_chart()
by_parent = [run.distribution_by_parent(group) for group in run.groups]
if map_figure or any(by_parent):
    html('<div class="page-break"></div>')  # the map starts a new page in the PDF
    md(run.map_text(next(sections)))
    for figure in [map_figure, *by_parent]:
        svg(figure)

# %% tags=["section:highlights"]
if run.ranked_groups:
    md("\n\n".join([run.robustness_intro(next(sections))]
                   + [run.robustness_text(group) for group in run.ranked_groups]))
    for group in run.ranked_groups:
        svg(run.robustness_chart(group))

# %% tags=["section:annex"]
html(run.methodology())
html(run.succession())
