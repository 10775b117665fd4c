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
TECHNOLOGY = "4G"  # technology of the declared/measured cross-table

# %% [markdown]
# # Chất lượng số liệu và so sánh doanh nghiệp — Evidence quality and operators compared
#
# **Câu hỏi:** có tin được vùng phủ mà doanh nghiệp công bố không; doanh nghiệp nào phủ sóng nhiều
# thôn nhất, thôn nào chỉ trông vào một doanh nghiệp; kết quả đo dựa trên bao nhiêu lần đo, chắc
# chắn đến đâu; số liệu nào bị loại khi tiếp nhận?
#
# **Question:** can the operators' declared coverage be trusted; which operator covers most
# villages and which villages depend on a single one; how many tests are the measured shares based
# on and how certain are they; what was rejected at ingest?
#
# Vùng phủ công bố của một doanh nghiệp ở một thôn bị *bác bỏ* theo quy tắc nêu ở ngưỡng áp dụng
# (`villagecov.compute.evidence`) và khi đó không được tính vào chỉ tiêu. Khoảng tin cậy 95 % là
# khoảng Wilson. **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)** (có cài sẵn vài mâu thuẫn); tệp xuất
# mang tiền tố `SYNTHETIC_`.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from villagecov import analysis
from villagecov.settings import Settings

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 200)
settings = Settings()
store_url = STORE_URL or settings.store
out_dir = Path(OUT_DIR)
data = analysis.load(store_url, AS_OF, BOUNDARY_VERSION)
export = {"out_dir": out_dir, "period": data.as_of, "boundary_version": BOUNDARY_VERSION, "lang": LANG,
          "synthetic": data.synthetic}
analysis.header(data, settings, LANG)

# %% [markdown]
# ## Công bố và đo kiểm theo doanh nghiệp — declared vs measured per operator

# %%
per_operator = analysis.with_intervals(analysis.declared_vs_measured(data.village_coverage))
tested = per_operator[per_operator["tests"] > 0]
chart = analysis.figures.evidence_per_operator(tested, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export, empty="Chưa có lần đo nào trong vùng công bố ở kỳ này (cửa sổ đo "
                               f"{settings.measurement_window_days} ngày)." if LANG == "vi" else
                               f"No tests inside declared coverage at this period ({settings.measurement_window_days}-day window).")
plt.show()
display(note)
analysis.or_why(tested, "Chưa có lần đo nào trong vùng công bố ở kỳ này.", "No tests inside declared coverage at this period.",
                LANG)

# %% [markdown]
# Trạng thái công bố (hàng) so với trạng thái đo (cột), các thôn có cả hai —
# declared status (rows) against measured status (columns), villages that have both:

# %%
cross = analysis.agreement(data.village_coverage, TECHNOLOGY)
analysis.or_why(cross[cross.to_numpy().sum(axis=1) > 0] if cross.to_numpy().sum() else cross.iloc[0:0],
                f"Không có thôn nào vừa có vùng phủ {TECHNOLOGY} công bố vừa có kết quả đo ở kỳ này.",
                f"No village has both declared and measured {TECHNOLOGY} at this period.", LANG)

# %% [markdown]
# ## Đo kiểm đã phủ đến đâu, chắc chắn đến đâu — how far testing reaches, how certain it is

# %%
reach = analysis.testing_reach(data.village_coverage, settings.contradiction_min_tests)
intervals = analysis.village_intervals(data.village_coverage, settings.contradiction_min_tests)
display(analysis.or_why(reach, "Không có vùng phủ công bố ở kỳ này.", "No declared coverage at this period.", LANG))
analysis.or_why(intervals.head(15), "Chưa có thôn nào được đo trong vùng công bố.",
                "No village was tested inside declared coverage.", LANG)

# %% [markdown]
# ## Doanh nghiệp so sánh — operators compared

# %%
coverage = analysis.operator_coverage(data.village_coverage, data.village_summary, settings, TECHNOLOGY)
single = analysis.single_operator_villages(data.village_coverage, data.village_summary, settings, TECHNOLOGY)
chart = analysis.figures.operators_compared(coverage, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
display(note)
coverage

# %% [markdown]
# ## Thôn có kết quả đo mâu thuẫn — villages where measurements contradict the declared map

# %%
contradicted = analysis.in_boundaries(analysis.contradicted_villages(data.village_coverage, data.villages),
                                      data.admin_units, data.crosswalk, BOUNDARY_VERSION)
analysis.or_why(contradicted, "Không có vùng phủ công bố nào bị kết quả đo bác bỏ ở kỳ này.",
                "No declared coverage is contradicted by the tests at this period.", LANG)

# %% [markdown]
# ## Báo cáo cách ly khi tiếp nhận — quarantine reports of the ingests

# %%
rejects, missing_reports = analysis.read_quarantine_reports(data.submissions)
by_reason = analysis.quarantine_by_reason(rejects)
if missing_reports:
    print("quarantine reports not found on disk:", *missing_reports, sep="\n  ")
analysis.or_why(by_reason, "Không có dòng nào bị loại khi tiếp nhận.", "No row was rejected at ingest.", LANG)

# %% [markdown]
# ## Kết luận — findings

# %%
findings = analysis.evidence_findings(per_operator, reach, coverage, single, int(by_reason["rows"].sum()), LANG)
display(Markdown(analysis.findings_markdown(findings, LANG)))

# %%
exports = {
    "declared_vs_measured": analysis.export_table(per_operator, stem="evidence_declared_vs_measured", **export,
                                                  kinds={"tests_ok_low": "share", "tests_ok_high": "share"}),
    "testing_reach": analysis.export_table(reach, stem="evidence_testing_reach", **export),
    "operators": analysis.export_table(coverage, stem="operators_4g", **export),
    "single_operator": analysis.export_table(single, stem="single_operator_villages", **export),
    "contradicted": analysis.export_table(contradicted, stem="evidence_contradicted_villages", **export),
    "quarantine": analysis.export_table(by_reason, stem="quarantine_by_reason", **export),
    "findings": analysis.export_table(analysis.findings_table(findings), stem="findings_evidence", **export),
}
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
