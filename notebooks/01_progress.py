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
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07 (districts exist only before 2025-07)
OUT_DIR = "out"  # exported tables go here
LANG = "vi"  # vi | en: indicator names

# %% [markdown]
# # Tiến độ nhiệm vụ 8 và 9 — Progress on tasks 8 and 9
#
# Mọi chỉ tiêu theo tỉnh, huyện và xã qua các kỳ số liệu, bên cạnh giá trị kỳ gốc và mục tiêu;
# cùng các chỉ tiêu trên ranh giới xã 2025-07 (qua bảng chuyển đổi ranh giới); bảng báo cáo năm
# của Sở (CSV và XLSX).
#
# Every indicator by province, district and commune over the vintages, with the baseline and the
# target beside it; the same on the 2025-07 communes (through the boundary crosswalk); the table
# the Department sends in its annual report (CSV and XLSX).
#
# **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)** — on the demo store every village, site, coverage
# map and measurement is SYNTHETIC: the figures illustrate the method, they are not Quảng Bình's.
# Exported files are then named `SYNTHETIC_…`.
#
# Values come unchanged from the store's `indicators` table (`villagecov compute`); shares are
# fractions in [0, 1] in the tables and per cent in the report.

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
has_districts = not data.units("district").empty
if data.synthetic:
    display(Markdown("> ⚠️ **SYNTHETIC** — dữ liệu giả lập, không phải số liệu thật của Quảng Bình / "
                     "synthetic demo data, not real figures."))
print(f"store: {data.store_url}\nvintage analysed: {data.as_of}; all vintages: {', '.join(data.vintages)}\n"
      f"boundaries: {BOUNDARY_VERSION}; synthetic: {data.synthetic}")

# %% [markdown]
# ## Tỉnh — Province

# %%
province = analysis.progress_long(data.indicators, "province", BOUNDARY_VERSION, lang=LANG)
province_wide = analysis.progress_wide(province)
province_wide

# %%
headline = province[province["indicator"].isin(analysis.HEADLINE) & province["indicator"].str.endswith("_share")]
fig, ax = plt.subplots(figsize=(9, 4.5))
for label, rows in headline.groupby("label", sort=False):
    ax.plot(pd.to_datetime(rows["as_of"]), 100 * rows["value"], marker="o", label=label)
ax.axhline(100, color="grey", linestyle="--", linewidth=1, label="Mục tiêu / target")
ax.set_ylabel("%")
ax.set_ylim(0, 105)
ax.set_title(("SYNTHETIC — " if data.synthetic else "") + "Tỉnh: các chỉ tiêu chính / headline indicators")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# ## Huyện — Districts
#
# Districts exist on the 2019 and 2025-01 boundaries only (abolished on 1 July 2025).

# %%
districts = analysis.progress_long(data.indicators, "district", BOUNDARY_VERSION, lang=LANG)
districts_wide = analysis.progress_wide(districts)
districts_wide[districts_wide["indicator"] == "t8.villages_4g_share"] if has_districts else "no districts"

# %%
if has_districts:
    share4g = districts[districts["indicator"] == "t8.villages_4g_share"]
    table = share4g.pivot_table(index="unit_name", columns="as_of", values="value", aggfunc="first") * 100
    ax = table.plot.barh(figsize=(9, 5))
    ax.axvline(100, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("% thôn có 4G / villages with 4G")
    ax.set_ylabel("")
    ax.set_title(("SYNTHETIC — " if data.synthetic else "") + "Huyện: thôn có 4G qua các kỳ / by vintage")
    plt.show()

# %% [markdown]
# ## Xã — Communes: furthest behind the target

# %%
communes = analysis.progress_long(data.indicators, "commune", BOUNDARY_VERSION, lang=LANG)
communes_wide = analysis.progress_wide(communes)
analysis.furthest_behind(communes, "t8.villages_4g_share", data.as_of, n=15)

# %% [markdown]
# ## Xã theo ranh giới 2025-07 — the 2025-07 communes (through the crosswalk)
#
# The engine aggregates the villages into the merged communes of 1 July 2025; `from_names` lists
# the 2019 communes each one was formed from.

# %%
new_communes = analysis.progress_long(data.indicators, "commune", "2025-07", lang=LANG)
formed_from = analysis.lineage(data.crosswalk, data.admin_units, "2019", "2025-07")[["unit_code", "n_from", "from_names"]]
new_wide = analysis.progress_wide(new_communes).merge(formed_from, on="unit_code", how="left")
analysis.furthest_behind(new_communes, "t8.villages_4g_share", data.as_of, n=10).merge(
    formed_from, on="unit_code", how="left")

# %% [markdown]
# ## Bảng báo cáo năm — the annual-report table

# %%
levels = ("province", "district") if has_districts else ("province", "commune")
report = analysis.annual_report_table(data.indicators, data.as_of, BOUNDARY_VERSION, levels=levels, lang=LANG)
report_files = analysis.write_table(
    analysis.with_headings(report), out_dir, f"annual_report_{data.as_of}",
    title=f"Báo cáo kết quả thực hiện nhiệm vụ 8, 9 — số liệu đến {data.as_of} (ranh giới {BOUNDARY_VERSION})",
    notes=["Nguồn / source: villagecov, bảng indicators / indicators table", "Tỷ lệ tính theo % / shares in per cent"],
    synthetic=data.synthetic,
)
analysis.with_headings(report).head(20)

# %%
tables = {
    f"progress_province_{BOUNDARY_VERSION}": province_wide,
    f"progress_districts_{BOUNDARY_VERSION}": districts_wide,
    f"progress_communes_{BOUNDARY_VERSION}": communes_wide,
    "progress_communes_2025-07": new_wide,
}
exports = {"annual_report": report_files}
for stem, frame in tables.items():
    if len(frame):
        exports[stem] = analysis.write_table(frame, out_dir, stem, synthetic=data.synthetic, xlsx=False)
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
