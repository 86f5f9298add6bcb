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
# # Trụ cột «Mức độ hiện diện»
#
# Chấm điểm cổng/trang thông tin điện tử của ba nhóm đơn vị; kết quả ghi vào
# `build/<năm>/pillars/presence/`.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các tên (chỉ số toàn tỉnh, tiêu chí) mà phần trình bày dưới đây dùng: `make validate` đối chiếu
# với danh mục tiêu chí và tệp chỉ số của năm; các hàm hỗ trợ từ chối mọi tên khác.
uses = {"indicators": ["cong_ttdt", "cong_ttdt_xa"],
        "criteria": {"commune": ["P_MUC_TT"]}}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, "presence", build)
ind = run.indicators

# %% [markdown]
# ## 2. Mức độ hiện diện

# %%
md(f"""
{share_text(ind["cong_ttdt"])} cơ quan quản lý nhà nước cấp tỉnh, cấp huyện có cổng/trang thông tin
điện tử. Các mục thông tin tối thiểu được đối chiếu với khoản 2 Điều 28 Luật Công nghệ thông tin,
Điều 10 Nghị định số 43/2011/NĐ-CP và Thông tư số 32/2017/TT-BTTTT; đây là kênh để người dân, doanh
nghiệp tìm thông tin và giám sát hoạt động của cơ quan nhà nước.

Ở cấp xã, {share_text(ind["cong_ttdt_xa"])} đơn vị có trang thông tin điện tử, nhưng
{vn_int(run.units_below_full("commune", "P_MUC_TT"))} xã, phường, thị trấn chưa cung cấp đủ các mục
thông tin bắt buộc.
""")

# %%
run.show_summary()
run.show_charts()
run.show_unit_tables()
