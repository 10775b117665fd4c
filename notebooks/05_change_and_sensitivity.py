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
RADIUS_KM = 10.0  # a closed gap is attributed to the nearest new site within this distance
COVERED_SHARES = "0.5,0.6,0.7,0.8,0.9,0.95"  # covered thresholds tried (share of a village's people)
PARTIAL_SHARES = "0.1,0.2,0.3,0.4"  # partial thresholds tried (villages without any signal)
SIGNAL_THRESHOLDS = "-110,-105,-100,-95"  # 4G/5G signal thresholds tried, dBm (each recomputes the period)

# %% [markdown]
# # Thay đổi giữa hai kỳ và độ nhạy của các con số — Change between periods, and sensitivity
#
# **Câu hỏi:** từ kỳ trước đến kỳ này, những thôn nào hết lõm sóng 4G và nhờ trạm mới nào (theo
# ngày đưa vào hoạt động); thôn nào mất sóng? Các con số chính thay đổi bao nhiêu nếu đổi ngưỡng
# "được phủ sóng" (50–95 %) hay ngưỡng tín hiệu (−110…−95 dBm)?
#
# **Question:** between the previous period and this one, which villages left the 4G gaps and
# thanks to which new sites (by service date); which lost coverage? How much do the headline
# figures move with the covered threshold (50–95 %) and the signal threshold (−110…−95 dBm)?
#
# Một thôn hết lõm được gán cho trạm di động mới gần nhất (đưa vào hoạt động giữa hai kỳ, trong
# bán kính RADIUS_KM); thôn không có trạm mới gần đó hết lõm vì lý do khác (vùng phủ công bố mới,
# đo kiểm mới). Độ nhạy theo ngưỡng tín hiệu tính lại vùng phủ của kỳ bằng chính bộ tính
# (`villagecov.compute`). **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)**; tệp xuất mang tiền tố
# `SYNTHETIC_`.

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
# ## Thôn hết lõm sóng và trạm mới — gaps closed and the new sites

# %%
if data.previous is not None:
    closed = analysis.in_boundaries(
        analysis.change.closed_gaps(data.previous_summary, data.village_summary, data.villages, data.sites,
                                    data.previous, data.as_of, RADIUS_KM),
        data.admin_units, data.crosswalk, BOUNDARY_VERSION)
    opened = analysis.change.opened_gaps(data.previous_summary, data.village_summary)
else:
    closed = analysis.change.closed_gaps(data.village_summary.iloc[0:0], data.village_summary.iloc[0:0],
                                         data.villages, None, data.as_of, data.as_of)
    opened = closed.iloc[0:0]
per_site = analysis.change.by_site(closed)
chart = analysis.figures_plan.change_by_site(per_site, LANG, data.synthetic)
first = (f"{analysis.fmt_date(data.as_of, LANG)} là kỳ đầu tiên của kho: chưa có kỳ trước để so sánh."
         if LANG == "vi" else f"{analysis.fmt_date(data.as_of, LANG)} is the store's first period: nothing to compare with.")
note = analysis.charts.publish(chart, **export, empty=first if data.previous is None else "")
plt.show()
display(note)
analysis.or_why(per_site, first if data.previous is None else "Không có thôn nào hết lõm giữa hai kỳ.",
                first if data.previous is None else "No gap closed between the two periods.", LANG)

# %%
analysis.or_why(closed.head(20), first if data.previous is None else "Không có thôn nào hết lõm giữa hai kỳ.",
                first if data.previous is None else "No gap closed between the two periods.", LANG)

# %% [markdown]
# ## Độ nhạy theo ngưỡng phủ sóng — sensitivity to the covered and partial shares

# %%
covered = [float(x) for x in COVERED_SHARES.split(",") if x.strip()]
partial = [float(x) for x in PARTIAL_SHARES.split(",") if x.strip()]
shares = analysis.sensitivity.share_sensitivity(data.village_coverage, data.village_summary, settings, covered, partial)
chart = analysis.figures_plan.share_sensitivity(shares[shares["partial_share"] == settings.partial_share],
                                                settings.covered_share, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
display(note)
shares

# %% [markdown]
# ## Độ nhạy theo ngưỡng tín hiệu — sensitivity to the signal threshold

# %%
levels = [float(x) for x in SIGNAL_THRESHOLDS.split(",") if x.strip()]
thresholds = analysis.sensitivity.threshold_sensitivity(store_url, settings, data.as_of, data.village_summary, levels)
chart = analysis.figures_plan.threshold_sensitivity(thresholds, settings.threshold_dbm_4g, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
display(note)
thresholds

# %% [markdown]
# ## Kết luận — findings

# %%
findings = (analysis.change_findings(closed, per_site, opened, data.previous, data.as_of, LANG)
            + analysis.sensitivity_findings(shares[shares["partial_share"] == settings.partial_share], thresholds,
                                            settings.covered_share, LANG))
display(Markdown(analysis.findings_markdown(findings, LANG)))

# %%
exports = {
    "sensitivity_shares": analysis.export_table(shares, stem="sensitivity_shares", **export),
    "sensitivity_thresholds": analysis.export_table(thresholds, stem="sensitivity_signal_threshold", **export),
    "findings": analysis.export_table(analysis.findings_table(findings), stem="findings_change_sensitivity", **export),
}
if len(closed):
    exports["closed"] = analysis.export_table(closed, stem="change_gaps_closed", **export)
    exports["per_site"] = analysis.export_table(per_site, stem="change_by_new_site", **export)
if len(opened):
    exports["opened"] = analysis.export_table(opened, stem="change_gaps_opened", **export)
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
