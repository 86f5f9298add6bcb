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
# # Tổng hợp và xếp hạng
#
# Sổ tay này chỉ đọc kết quả của năm sổ tay trụ cột (`build/<năm>/pillars/*`), cộng điểm, xếp hạng
# sở, ban, ngành và huyện (xếp hạng cạnh tranh: bằng điểm thì đồng hạng, hạng kế tiếp bị bỏ qua),
# xếp mức độ cho cả ba nhóm, so sánh với năm trước nếu tệp tham số có `previous_year`, và ghi kết
# quả vào `build/<năm>/results/`. Dự thảo Quyết định và các phụ lục được bước dựng báo cáo
# (`make report`) viết từ các kết quả này.

# %% tags=["parameters", "hide"]
year = 2021
build = ""  # thư mục dựng: để trống là build/<năm>; hoặc tính từ thư mục dự án, ví dụ "build/thu-nghiem"

# %% tags=["names", "hide"]
# Các nhóm đơn vị mà lời văn của sổ tay này nhắc tới (kiểm tra với danh mục khi nạp số liệu).
uses = {"groups": ["department", "district", "commune"]}

# %% tags=["hide"]
from cqdt.notebook import *  # noqa: F403

run = ranking_run(year, build)
department, district, commune = (run.tables[g] for g in ("department", "district", "commune"))

# %% tags=["section:intro"]
html(f'<h1 class="analysis-start">Báo cáo kết quả đánh giá, xếp hạng mức độ Chính quyền điện tử năm {year}</h1>')
md(f"""
Báo cáo này trình bày cơ sở của Quyết định số {run.year.params.decision.number}: kết quả chung của từng
trụ cột đánh giá và kết quả xếp hạng. Năm {year} có {vn_int(len(department))} sở, ban, ngành,
{vn_int(len(district))} huyện, thị xã, thành phố và {vn_int(len(commune))} xã, phường, thị trấn được
đánh giá theo {run.year.catalogue.title.lower()}; sở, ban, ngành và cấp huyện được xếp hạng theo tổng
điểm, cấp xã được chấm điểm và xếp mức độ nhưng không xếp hạng.

## I. Kết quả chung theo từng trụ cột
""")
svg(run.pillar_share_chart())

# %% tags=["section:highlights"]
best_dept, second_dept = run.leaders("department", 2).itertuples()
last_dept = run.trailers("department", 2)
best_dist, second_dist = run.leaders("district", 2).itertuples()
low_dist = run.trailers("district", 2)
top_commune = run.leaders("commune", 1).iloc[0]
md(f"""
## II. Kết quả xếp hạng

**Sở, ban, ngành.** Đứng đầu là {best_dept.name} với {run.score(best_dept.total)} điểm, tiếp theo là
{second_dept.name} với {run.score(second_dept.total)} điểm. Hai đơn vị cuối bảng là
{last_dept.iloc[1]["name"]} ({run.score(last_dept.iloc[1]["total"])} điểm) và
{last_dept.iloc[0]["name"]} ({run.score(last_dept.iloc[0]["total"])} điểm).

**Huyện, thị xã, thành phố.** Dẫn đầu là {best_dist.name} với {run.score(best_dist.total)} điểm và
{second_dist.name} với {run.score(second_dist.total)} điểm; đứng cuối là {low_dist.iloc[1]["name"]}
({run.score(low_dist.iloc[1]["total"])} điểm) và {low_dist.iloc[0]["name"]}
({run.score(low_dist.iloc[0]["total"])} điểm).

**Xã, phường, thị trấn** được đánh giá nhưng không xếp hạng; điểm cao nhất thuộc về
{top_commune["name"]} với {run.score(top_commune["total"])} điểm.
""")

# %% tags=["section:highlights"]
md("**Số đơn vị theo mức độ Chính quyền điện tử:**")
html(run.level_table_html())
svg(run.level_chart())

# %% tags=["section:highlights"]
md(run.change_text())

# %% tags=["section:highlights"]
html('<div class="page-break"></div>')  # the map starts a new page in the PDF
md("""
## IV. Bản đồ kết quả cấp huyện

Bản đồ tô màu theo tổng điểm của từng huyện, thị xã, thành phố, ghi kèm điểm và mức độ. Cấp xã chưa có
dữ liệu ranh giới được phép sử dụng nên không vẽ trên bản đồ; biểu đồ tiếp theo thể hiện phân bố điểm
của các xã, phường, thị trấn trong từng huyện. Ranh giới hành chính: daohoangson/dvhcvn (GPL-3.0),
trích từ hệ thống bản đồ hành chính của Cổng Thông tin điện tử Chính phủ.
""")
svg(run.map_chart())
svg(run.distribution_by_parent("commune"))

# %% tags=["section:highlights"]
md(f"""
{run.robustness_intro()}

{run.robustness_text("department")}

{run.robustness_text("district")}
""")
svg(run.robustness_chart("department"))
svg(run.robustness_chart("district"))

# %% tags=["section:annex"]
html(run.methodology())
