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
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07: units for the commune/district tables
OUT_DIR = "out"  # exported tables and the map go here
LANG = "vi"  # vi | en: map labels
W_POP = 0.5  # weight of population
W_REMOTE = 0.3  # weight of being a remote village
W_NO_SIGNAL = 0.2  # weight of having no mobile signal at all
SHORTLIST_N = 20  # villages on the short list

# %% [markdown]
# # Phân tích vùng lõm sóng — Gap analysis
#
# Thôn chưa có sóng 4G (và thôn không có sóng di động nào), dân số và mức độ vùng sâu, vùng xa của
# các thôn đó, xếp hạng theo điểm ưu tiên (trọng số ở ô tham số); các xã, huyện thiếu nhiều nhất;
# bản đồ; danh sách thôn cần ưu tiên đầu tư (xuất CSV/XLSX).
#
# Villages without 4G (and without any signal), their population and remoteness, ranked by a
# priority score whose weights are parameters below; the communes and districts with the largest
# gaps; a map; the short list of villages to act on first (exported as CSV/XLSX).
#
# **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)** — on the demo store every village and coverage map
# is SYNTHETIC; exported files are then named `SYNTHETIC_…` and the map carries a banner.
#
# Whether a village has 4G is the compute engine's own answer (the village rows of
# `t8.villages_4g_share`), so the counts here add up to the indicators.
#
# Priority score = (W_POP · population / largest population among the gaps + W_REMOTE · remote
# + W_NO_SIGNAL · no signal at all) / (W_POP + W_REMOTE + W_NO_SIGNAL), from 0 to 1.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from maps.gaps import build_gaps_map, notebook_view, save_gaps_map
from villagecov import analysis
from villagecov.settings import Settings

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 200)
store_url = STORE_URL or Settings().store
out_dir = Path(OUT_DIR)
data = analysis.load(store_url, AS_OF or None, BOUNDARY_VERSION)
weights = analysis.PriorityWeights(population=W_POP, remote=W_REMOTE, no_signal=W_NO_SIGNAL)
if data.synthetic:
    display(Markdown("> ⚠️ **SYNTHETIC** — dữ liệu giả lập, không phải số liệu thật của Quảng Bình / "
                     "synthetic demo data, not real figures."))
print(f"vintage analysed: {data.as_of}; boundaries: {BOUNDARY_VERSION}; weights: {weights}")

# %% [markdown]
# ## Thôn chưa có 4G — villages without 4G

# %%
status = analysis.village_status(data.village_summary, data.indicators, data.villages)
ranked = analysis.name_communes(analysis.rank_gaps(analysis.village_gaps(status), weights), data.admin_units)
analysis.gap_summary(status).to_frame("value")

# %%
ranked.drop(columns="geometry").head(30)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
kinds = ranked.groupby(["gap", "remote"]).size().unstack(fill_value=0)
kinds.plot.bar(ax=axes[0], stacked=True, rot=0)
axes[0].set_title("Số thôn / villages (remote = vùng sâu, vùng xa)")
axes[0].set_xlabel("")
axes[1].scatter(ranked["population"], ranked["priority"],
                c=ranked["remote"].map({True: "#6a1b9a", False: "#e6550d"}))
axes[1].set_xlabel("Dân số / population")
axes[1].set_ylabel("Điểm ưu tiên / priority")
axes[1].set_title("Ưu tiên theo dân số (tím = vùng sâu) / priority vs population")
fig.suptitle(("SYNTHETIC — " if data.synthetic else "") + f"Thôn chưa có 4G, {data.as_of}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Xã và huyện thiếu nhiều nhất — communes and districts with the largest gaps

# %%
commune_gaps = analysis.unit_gaps(status, data.admin_units, data.crosswalk, BOUNDARY_VERSION, "commune")
commune_gaps.head(15)

# %%
district_gaps = analysis.unit_gaps(status, data.admin_units, data.crosswalk, BOUNDARY_VERSION, "district")
new_commune_gaps = analysis.unit_gaps(status, data.admin_units, data.crosswalk, "2025-07", "commune")
district_gaps if len(district_gaps) else new_commune_gaps.head(15)

# %%
top = (district_gaps if len(district_gaps) else commune_gaps.head(15)).set_index("unit_name")
ax = top[["population_no_4g"]].sort_values("population_no_4g").plot.barh(figsize=(8, 4.5), legend=False)
ax.set_xlabel("Dân số chưa có 4G / people without 4G")
ax.set_ylabel("")
ax.set_title(("SYNTHETIC — " if data.synthetic else "") + "Dân số ở thôn chưa có 4G / people in villages without 4G")
plt.show()

# %% [markdown]
# ## Bản đồ — map of the gaps
#
# Self-contained page (no Internet needed): villages without 4G sized by population, ringed when
# remote; communes shaded by their number of villages without 4G.

# %%
communes_layer = data.units("commune")
gaps_map = build_gaps_map(ranked, data.units("province"), communes_layer, lang=LANG, synthetic=data.synthetic,
                          commune_gaps=commune_gaps, shortlist_n=SHORTLIST_N)
map_path = save_gaps_map(gaps_map, out_dir / ("SYNTHETIC_gaps_map.html" if data.synthetic else "gaps_map.html"))
notebook_view(map_path.read_text(encoding="utf-8"), height=620)

# %% [markdown]
# ## Danh sách ưu tiên — the short list

# %%
short = analysis.shortlist(ranked, SHORTLIST_N)
title = f"Danh sách {SHORTLIST_N} thôn ưu tiên phủ sóng 4G — số liệu đến {data.as_of}"
exports = {
    "shortlist": analysis.write_table(short, out_dir, f"gap_shortlist_{data.as_of}", title=title,
                                      notes=[f"Trọng số / weights: {weights}"], synthetic=data.synthetic),
    "ranked": analysis.write_table(ranked, out_dir, f"gap_villages_{data.as_of}", synthetic=data.synthetic,
                                   xlsx=False),
    "communes": analysis.write_table(commune_gaps, out_dir, f"gap_communes_{BOUNDARY_VERSION}_{data.as_of}",
                                     synthetic=data.synthetic, xlsx=False),
    "communes_2025-07": analysis.write_table(new_commune_gaps, out_dir, f"gap_communes_2025-07_{data.as_of}",
                                             synthetic=data.synthetic, xlsx=False),
}
if len(district_gaps):
    exports["districts"] = analysis.write_table(district_gaps, out_dir, f"gap_districts_{BOUNDARY_VERSION}_{data.as_of}",
                                                synthetic=data.synthetic, xlsx=False)
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
print("map", map_path)
short
