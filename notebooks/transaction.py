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
# # Trụ cột «Mức độ giao dịch»
#
# Chấm điểm dịch vụ công trực tuyến và hồ sơ thủ tục hành chính; kết quả ghi vào
# `build/<năm>/pillars/transaction/`.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các tên (chỉ số toàn tỉnh, tiêu chí) mà phần trình bày dưới đây dùng: `make validate` đối chiếu
# với danh mục tiêu chí và tệp chỉ số của năm; các hàm hỗ trợ từ chối mọi tên khác.
uses = {"indicators": ["ho_so_tiep_nhan", "ho_so_truc_tuyen", "dvc_muc_3", "dvc_muc_4"],
        "criteria": {}}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, "transaction", build)
ind = run.indicators

# %% [markdown]
# ## 4. Mức độ giao dịch

# %%
md(f"""
Trong năm {year}, hệ thống một cửa điện tử toàn tỉnh đã tiếp nhận {figure_text(ind["ho_so_tiep_nhan"])}
hồ sơ thủ tục hành chính, trong đó {vn_percent(ind["ho_so_truc_tuyen"].value)} được nộp trực tuyến.
Cổng Dịch vụ công của tỉnh cung cấp {figure_text(ind["dvc_muc_3"])} dịch vụ công trực tuyến mức độ 3
và {figure_text(ind["dvc_muc_4"])} dịch vụ công trực tuyến mức độ 4.
""")

# %%
run.show_summary()
run.show_charts()
run.show_unit_tables()
