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
# # Trụ cột «Mức độ tương tác»
#
# Chấm điểm quản lý văn bản và điều hành, chữ ký số, thư điện tử công vụ, một cửa điện tử và
# phần mềm chuyên ngành; kết quả ghi vào `build/<năm>/pillars/interaction/`.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các tên (chỉ số toàn tỉnh, tiêu chí) mà phần trình bày dưới đây dùng: `make validate` đối chiếu
# với danh mục tiêu chí và tệp chỉ số của năm; các hàm hỗ trợ từ chối mọi tên khác.
uses = {"indicators": ["qlvb_don_vi", "qlvb_dung_chung", "chu_ky_so_don_vi", "chung_thu_so", "thu_cong_vu", "mot_cua_tinh", "mot_cua_huyen", "mot_cua_xa"],
        "criteria": {"commune": ["I_KYSO_VB"]}}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, "interaction", build)
ind = run.indicators

# %% [markdown]
# ## 3. Mức độ tương tác

# %%
md(f"""
**Quản lý văn bản và điều hành.** {share_text(ind["qlvb_don_vi"])} đơn vị cấp tỉnh, cấp huyện, cấp xã
ứng dụng phần mềm quản lý văn bản và điều hành; toàn tỉnh có {figure_text(ind["qlvb_dung_chung"])}
cơ quan, đơn vị tham gia phần mềm dùng chung này.

**Chữ ký số.** {share_text(ind["chu_ky_so_don_vi"])} đơn vị cấp tỉnh, cấp huyện, cấp xã đã được cấp chữ
ký số chuyên dùng do Ban Cơ yếu Chính phủ cung cấp; tổng số chứng thư số đã cấp là
{figure_text(ind["chung_thu_so"])}. Ở cấp xã, {vn_int(run.units_below_full("commune", "I_KYSO_VB"))}
đơn vị chưa ký số toàn bộ văn bản điện tử phát hành.

**Thư điện tử công vụ.** Tỷ lệ cán bộ, công chức, viên chức được cấp hộp thư điện tử công vụ đạt
{vn_percent(ind["thu_cong_vu"].value)}, tức là hơn {floor_to(ind["thu_cong_vu"].value * 100, 5)}%.

**Một cửa điện tử.** Phần mềm một cửa điện tử liên thông được sử dụng tại
{count_text(ind["mot_cua_tinh"])} đơn vị cấp tỉnh, {count_text(ind["mot_cua_huyen"])} đơn vị cấp huyện và
{count_text(ind["mot_cua_xa"])} đơn vị cấp xã để tiếp nhận, xử lý hồ sơ thủ tục hành chính.
""")

# %%
run.show_summary()
run.show_charts()
run.show_unit_tables()
