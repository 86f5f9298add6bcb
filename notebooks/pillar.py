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
# # Sổ tay chung của một trụ cột
#
# Chấm điểm một trụ cột (chỉ số chính) chưa có sổ tay trình bày riêng: tên, mô tả, các chỉ số toàn
# tỉnh và tiêu chí đều lấy từ danh mục tiêu chí và tệp chỉ số của năm. `make report` chạy sổ tay
# này với tham số `pillar` cho từng trụ cột như vậy; kết quả ghi vào `build/<năm>/pillars/<trụ cột>/`.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"
pillar = "readiness"

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, pillar, build)

# %%
md(run.overview())

# %%
run.show_indicators()
run.show_summary()
run.show_components()
run.show_charts()
run.show_unit_tables()
