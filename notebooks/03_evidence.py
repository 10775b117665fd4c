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
AS_OF = ""  # vintage date YYYY-MM-DD; "" = the latest computed vintage
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07
OUT_DIR = "out"  # exported tables go here
TECHNOLOGY = "4G"  # technology of the declared/measured cross-table

# %% [markdown]
# # Chất lượng số liệu — Evidence quality
#
# Vùng phủ doanh nghiệp công bố so với kết quả đo kiểm, theo từng doanh nghiệp; các thôn mà kết quả
# đo mâu thuẫn với bản đồ công bố; nội dung các báo cáo cách ly (dòng bị loại) khi tiếp nhận số liệu.
#
# Operators' declared coverage against measurements, per operator; villages where measurements
# contradict the declared map; what the quarantine reports of the ingests contain.
#
# **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)** — on the demo store the declared maps, drive tests
# and crowd tests are SYNTHETIC (with a few planted contradictions); exported files are then named
# `SYNTHETIC_…`.
#
# A declared village is *contradicted* when at least `contradiction_min_tests` measurements fall
# inside the declared coverage in the village and at least `contradiction_fail_share` of them miss
# the signal threshold (settings; rule in `villagecov.compute.evidence`). Contradicted declared
# coverage does not count for the indicators.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from villagecov import analysis
from villagecov.settings import Settings

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 200)
store_url = STORE_URL or Settings().store
out_dir = Path(OUT_DIR)
data = analysis.load(store_url, AS_OF or None, BOUNDARY_VERSION)
if data.synthetic:
    display(Markdown("> ⚠️ **SYNTHETIC** — dữ liệu giả lập, không phải số liệu thật của Quảng Bình / "
                     "synthetic demo data, not real figures."))
print(f"vintage analysed: {data.as_of}")

# %% [markdown]
# ## Công bố và đo kiểm theo doanh nghiệp — declared vs measured per operator

# %%
per_operator = analysis.declared_vs_measured(data.village_coverage)
tested = per_operator[per_operator["tests"] > 0]
tested

# %%
if len(tested):
    labels = tested["operator"] + " " + tested["technology"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    axes[0].barh(labels, 100 * tested["tests_ok_share"], color="#2e9e4f")
    axes[0].set_xlabel("% lần đo đạt ngưỡng / tests meeting the threshold")
    axes[0].set_xlim(0, 100)
    axes[1].barh(labels, tested["villages_contradicted"], color="#d7191c")
    axes[1].set_xlabel("Số thôn mâu thuẫn / villages contradicted")
    fig.suptitle(("SYNTHETIC — " if data.synthetic else "") + f"Công bố và đo kiểm / declared vs measured, {data.as_of}")
    plt.tight_layout()
    plt.show()

# %% [markdown]
# Trạng thái công bố (hàng) so với trạng thái đo (cột), các thôn có cả hai —
# declared status (rows) against measured status (columns), villages that have both:

# %%
analysis.agreement(data.village_coverage, TECHNOLOGY)

# %% [markdown]
# ## Thôn có kết quả đo mâu thuẫn — villages where measurements contradict the declared map

# %%
contradicted = analysis.name_communes(analysis.contradicted_villages(data.village_coverage, data.villages),
                                      data.admin_units)
contradicted

# %% [markdown]
# ## Báo cáo cách ly khi tiếp nhận — quarantine reports of the ingests

# %%
analysis.submissions_overview(data.submissions).head(15)

# %%
rejects, missing_reports = analysis.read_quarantine_reports(data.submissions)
by_reason = analysis.quarantine_by_reason(rejects)
if missing_reports:
    print("quarantine reports not found on disk:", *missing_reports, sep="\n  ")
by_reason

# %%
exports = {
    "declared_vs_measured": analysis.write_table(per_operator, out_dir, f"evidence_declared_vs_measured_{data.as_of}",
                                                 synthetic=data.synthetic),
    "contradicted": analysis.write_table(contradicted, out_dir, f"evidence_contradicted_villages_{data.as_of}",
                                         synthetic=data.synthetic),
    "quarantine": analysis.write_table(by_reason, out_dir, "quarantine_by_reason", synthetic=data.synthetic,
                                       xlsx=False),
}
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
