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
# # Trụ cột «Điều kiện sẵn sàng»
#
# Sổ tay chấm điểm trụ cột Điều kiện sẵn sàng cho ba nhóm đơn vị, tính các số liệu chung
# toàn tỉnh của trụ cột và ghi kết quả vào `build/<năm>/pillars/readiness/`.
# Chạy lại toàn bộ sổ tay sau khi sửa số liệu; `make report YEAR=<năm>` chạy nó tự động.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các tên (chỉ số toàn tỉnh, tiêu chí) mà phần trình bày dưới đây dùng: `make validate` đối chiếu
# với danh mục tiêu chí và tệp chỉ số của năm; các hàm hỗ trợ từ chối mọi tên khác.
uses = {"indicators": ["ha_tang_mang", "diem_cau_hnth", "thpt_tin_hoc", "thcs_tin_hoc", "tieu_hoc_tin_hoc", "ke_hoach_cqdt"],
        "criteria": {"department": ["R_ATTT_CAPDO"]}}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = pillar_run(year, "readiness", build)
ind = run.indicators

# %% [markdown]
# ## 1. Điều kiện sẵn sàng Chính quyền điện tử

# %%
md(f"""
**Hạ tầng công nghệ thông tin.** {share_text(ind["ha_tang_mang"])} cơ quan cấp tỉnh, cấp huyện có mạng
nội bộ và kết nối mạng diện rộng (WAN) của tỉnh cùng Internet băng thông rộng; Trung tâm tích hợp dữ liệu
của tỉnh vận hành các hệ thống thông tin dùng chung.

**Hệ thống hội nghị truyền hình.** Hệ thống hội nghị truyền hình do tỉnh quản lý, thiết bị trung tâm đặt
tại Trung tâm Công nghệ thông tin và Truyền thông, kết nối thông suốt với
{figure_text(ind["diem_cau_hnth"])} điểm cầu.

**An toàn thông tin.** Các cơ quan triển khai bảo đảm an toàn thông tin theo cấp độ và theo mô hình
«4 lớp»; tỉnh duy trì hệ thống giám sát an toàn thông tin (SOC) và Đội ứng cứu sự cố. Ở cấp tỉnh có
{run.units_with_full("department", "R_ATTT_CAPDO")} đơn vị đã được phê duyệt hồ sơ cấp độ an toàn
hệ thống thông tin.

**Nguồn nhân lực.** Môn tin học được giảng dạy tại {share_text(ind["thpt_tin_hoc"])} trường trung học
phổ thông, {share_text(ind["thcs_tin_hoc"])} trường trung học cơ sở và
{share_text(ind["tieu_hoc_tin_hoc"])} trường tiểu học trên địa bàn tỉnh.

**Môi trường chính sách.** {share_text(ind["ke_hoach_cqdt"])} cơ quan hành chính cấp tỉnh, cấp huyện
đã ban hành kế hoạch phát triển Chính quyền điện tử, hướng tới Chính quyền số và bảo đảm an toàn thông
tin năm {year}.

**Đầu tư cho công nghệ thông tin.** Điểm đầu tư được tính theo kinh phí của từng đơn vị so với đơn vị
chi cao nhất trong nhóm.
""")

# %% [markdown]
# Điểm trụ cột theo nhóm đơn vị:

# %%
run.show_summary()
run.show_charts()
run.show_unit_tables()
