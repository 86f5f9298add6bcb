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
# # Trụ cột «Mức độ chuyển đổi»
#
# Chấm điểm số hóa văn bản, văn bản điện tử liên thông, kết nối cơ sở dữ liệu và dữ liệu mở;
# kết quả ghi vào `build/<năm>/pillars/transformation/`.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các tên (chỉ số toàn tỉnh, tiêu chí) mà phần trình bày dưới đây dùng: `make validate` đối chiếu
# với danh mục tiêu chí và tệp chỉ số của năm; các hàm hỗ trợ từ chối mọi tên khác.
uses = {"indicators": ["so_hoa_van_ban", "vb_lien_thong"],
        "criteria": {}}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, "transformation", build)
ind = run.indicators

# %% [markdown]
# ## 5. Mức độ chuyển đổi

# %%
md(f"""
Qua kiểm tra, tại các cơ quan hành chính nhà nước cấp tỉnh và cấp huyện,
{vn_percent(ind["so_hoa_van_ban"].value)} văn bản không mật được số hóa và gửi, nhận qua Trục liên
thông văn bản của tỉnh; trong năm {year} có {figure_text(ind["vb_lien_thong"])} lượt văn bản điện tử
được gửi, nhận qua hệ thống liên thông.
""")

# %%
run.show_summary()
run.show_charts()
run.show_unit_tables()
