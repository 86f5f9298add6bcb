# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["hide"]
# # Phiếu kết quả từng đơn vị
#
# Một phiếu cho mỗi sở, ban, ngành, huyện và xã: điểm từng trụ cột so với trung vị và đơn vị cao nhất
# của nhóm, ba tiêu chí mạnh nhất và yếu nhất, thay đổi so với năm trước và điều kiện để lên mức độ
# cao hơn. Phiếu của sở và huyện được in thành tệp PDF riêng; phiếu của xã chỉ có trong bản HTML.

# %% tags=["parameters", "hide"]
year = 2021
build = ""

# %% tags=["section:scorecards"]
from cqdt.notebook import html, scorecards  # noqa: E402

html(scorecards(year, build))
