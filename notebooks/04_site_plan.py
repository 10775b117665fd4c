# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# Tham số — parameters (papermill: `-p NAME value`); the notebook is explained below.
STORE_URL = ""  # GeoPackage path or postgresql+psycopg:// URL; "" = VILLAGECOV_STORE or var/villagecov.gpkg
AS_OF = ""  # period: 2024-12-31, 31/12/2024, 12/2024 or 2024 (the store's period that year); "" = the latest
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07: names of the communes in the tables
OUT_DIR = "out"  # exported tables and figures go here
LANG = "vi"  # vi | en: labels, findings and exported headings
BUDGET_VND = 20e9  # budget of the plan, VND
EXACT_TIME_LIMIT_S = 5  # time limit of the exact program (the plan's own; the budget curve gets 1 s per point)
CURVE_POINTS = 8  # budgets on the marginal cost curve

# %% [markdown]
# # Kế hoạch trạm mới — Site plan
#
# **Câu hỏi:** với một ngân sách cho trước, xây trạm 4G nào trước; mỗi người, mỗi thôn được phủ
# sóng mới tốn bao nhiêu; chi phí biên tăng thế nào khi ngân sách tăng; thuật toán tham lam kém
# phương án tối ưu chính xác bao xa?
#
# **Question:** for a given budget, which 4G sites to build first; what each person and village
# newly covered costs; how the marginal cost rises with the budget; how far the greedy heuristic
# is from the exact optimum?
#
# Kế hoạch lập bằng `villagecov.planning` trên số liệu của kỳ phân tích: vùng lõm là các thôn chưa
# đạt chuẩn 4G, trọng số là *số người chưa có 4G* (định nghĩa thống nhất); ứng viên là dùng chung
# trạm có sẵn, đỉnh đồi và điểm lưới; chi phí gồm đầu tư và vận hành. **Dữ liệu mẫu là dữ liệu GIẢ
# LẬP (SYNTHETIC)**; tệp xuất mang tiền tố `SYNTHETIC_`.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from villagecov import analysis
from villagecov.settings import Settings

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 200)
settings = Settings(plan_ilp_time_limit_s=EXACT_TIME_LIMIT_S)
store_url = STORE_URL or settings.store
out_dir = Path(OUT_DIR)
data = analysis.load(store_url, AS_OF, BOUNDARY_VERSION)
export = {"out_dir": out_dir, "period": data.as_of, "boundary_version": BOUNDARY_VERSION, "lang": LANG,
          "synthetic": data.synthetic}
display(analysis.header(data, settings, LANG))
print(("Ngân sách: " if LANG == "vi" else "Budget: ") + analysis.fmt_vnd(BUDGET_VND, LANG))

# %%
plan = analysis.siteplan.plan_period(data, settings, BUDGET_VND, curve_points=CURVE_POINTS)
sites = analysis.siteplan.site_table(plan, LANG)
methods = analysis.siteplan.greedy_vs_exact(plan)
curve = analysis.siteplan.marginal_curve(plan)
gap_people = float(plan.gaps["uncovered_pop"].sum()) if len(plan.gaps) else 0.0
for line in plan.notes:
    print("•", line)

# %% [markdown]
# ## Các trạm đề xuất, theo thứ tự ưu tiên — the proposed sites in priority order
#
# Chi phí mỗi người / mỗi thôn được phủ sóng mới; trạm không tự hoàn tất thôn nào được giải thích
# ở cột cuối.

# %%
analysis.or_why(sites, "Không có trạm nào được đề xuất với ngân sách này.", "No site is proposed within this budget.", LANG)

# %%
chart = analysis.figures_plan.plan_costs(sites, curve, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
note

# %% [markdown]
# ## Trạm hiệu quả nhất trên mỗi đồng — best sites per VND

# %%
analysis.or_why(analysis.siteplan.best_per_vnd(sites), "Không có trạm nào.", "No site.", LANG)

# %% [markdown]
# ## Đường chi phí biên; tham lam và tối ưu chính xác — the marginal cost curve; greedy vs exact

# %%
display(methods)
analysis.or_why(curve, "Không có đường ngân sách (không có ứng viên).", "No budget curve (no candidates).", LANG)

# %% [markdown]
# ## Kết luận — findings

# %%
findings = analysis.plan_findings(sites, methods, gap_people, BUDGET_VND, LANG)
display(Markdown(analysis.findings_markdown(findings, LANG)))

# %%
budget_note = ("Ngân sách: " if LANG == "vi" else "Budget: ") + analysis.fmt_vnd(BUDGET_VND, LANG)
exports = {
    "sites": analysis.export_table(sites, stem="site_plan_sites", notes=[budget_note], **export),
    "methods": analysis.export_table(methods, stem="site_plan_greedy_vs_exact", notes=[budget_note], **export),
    "curve": analysis.export_table(curve, stem="site_plan_marginal_cost", notes=[budget_note], **export),
    "findings": analysis.export_table(analysis.findings_table(findings), stem="findings_site_plan", **export),
}
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
