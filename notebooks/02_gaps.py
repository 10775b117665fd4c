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
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07: units of the tables, the map and the short list
OUT_DIR = "out"  # exported tables, figures and the map go here
LANG = "vi"  # vi | en: labels, findings and exported headings
W_POP = 0.5  # weight of the people without 4G
W_REMOTE = 0.3  # weight of being a remote village
W_NO_SIGNAL = 0.2  # weight of having no mobile signal at all
SHORTLIST_N = 20  # villages on the short list

# %% [markdown]
# # Phân tích vùng lõm sóng — Gap analysis
#
# **Câu hỏi:** bao nhiêu người, ở những thôn nào, còn chưa có sóng 4G; xã, huyện nào thiếu nhiều
# nhất; nên đầu tư cho thôn nào trước?
#
# **Question:** how many people, in which villages, still have no 4G; which communes and
# districts lack most; which villages should come first?
#
# **Một định nghĩa — one definition.** *Số người chưa có 4G* là số người sống ở phần chưa được phủ
# sóng của mỗi thôn: dân số × (1 − tỷ lệ dân số trong vùng phủ), cộng qua mọi thôn
# (`villagecov.compute.people`). Bản đồ, API, kế hoạch trạm và các sổ tay dùng cùng con số này;
# bảng đối chiếu bên dưới giải thích các con số cũ. Thôn *chưa đạt chuẩn 4G* theo đúng quy tắc của
# bộ tính chỉ tiêu (`t8.villages_4g_share`), nên số thôn khớp với bảng chỉ tiêu.
#
# Điểm ưu tiên = (W_POP · số người chưa có 4G / số lớn nhất + W_REMOTE · vùng sâu + W_NO_SIGNAL ·
# không có sóng) / tổng trọng số, từ 0 đến 1. **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)**; tệp
# xuất mang tiền tố `SYNTHETIC_` và bản đồ có dải cảnh báo.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from villagecov import analysis
from villagecov.maps.gaps import build_gaps_map, notebook_view, save_gaps_map
from villagecov.settings import Settings

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 200)
settings = Settings()
store_url = STORE_URL or settings.store
out_dir = Path(OUT_DIR)
data = analysis.load(store_url, AS_OF, BOUNDARY_VERSION)
weights = analysis.PriorityWeights(population=W_POP, remote=W_REMOTE, no_signal=W_NO_SIGNAL)
weights_text = (f"Trọng số: số người chưa có 4G {analysis.fmt_num(W_POP, 2)}, vùng sâu {analysis.fmt_num(W_REMOTE, 2)}, "
                f"không có sóng {analysis.fmt_num(W_NO_SIGNAL, 2)}") if LANG == "vi" else (
                f"Weights: people without 4G {W_POP:g}, remote {W_REMOTE:g}, no signal {W_NO_SIGNAL:g}")
export = {"out_dir": out_dir, "period": data.as_of, "boundary_version": BOUNDARY_VERSION, "lang": LANG,
          "synthetic": data.synthetic}
display(analysis.header(data, settings, LANG))
print(weights_text)

# %% [markdown]
# ## Số người chưa có 4G: một định nghĩa, đối chiếu các con số cũ — people without 4G, reconciled

# %%
reconciliation = analysis.reconcile_people(data.village_summary, data.indicators, data.as_of, BOUNDARY_VERSION,
                                           data.plans, LANG)
reconciliation

# %% [markdown]
# ## Thôn chưa có 4G — villages without 4G

# %%
status = analysis.village_status(data.village_summary, data.indicators, data.villages)
ranked = analysis.in_boundaries(analysis.rank_gaps(analysis.village_gaps(status), weights), data.admin_units,
                                data.crosswalk, BOUNDARY_VERSION)
summary = analysis.gap_summary(status)
summary.to_frame("value")

# %%
chart = analysis.figures.gap_kinds(ranked, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export, empty="Mọi thôn đều đạt chuẩn 4G ở kỳ này: không có vùng lõm."
                               if LANG == "vi" else "Every village meets the 4G rule at this period: no gaps.")
plt.show()
note

# %%
analysis.or_why(ranked.drop(columns="geometry").head(30), "Không có thôn nào chưa đạt chuẩn 4G ở kỳ này.",
                "No village is below the 4G rule at this period.", LANG)

# %% [markdown]
# ## Xã và huyện thiếu nhiều nhất — communes and districts with the largest gaps

# %%
commune_gaps = analysis.unit_gaps(status, data.admin_units, data.crosswalk, BOUNDARY_VERSION, "commune")
district_gaps = analysis.unit_gaps(status, data.admin_units, data.crosswalk, BOUNDARY_VERSION, "district")
has_districts = len(district_gaps) > 0
unit_gaps = district_gaps if has_districts else commune_gaps
unit_label = ("Huyện" if has_districts else "Xã") if LANG == "vi" else ("District" if has_districts else "Commune")
chart = analysis.figures.people_by_unit(unit_gaps, unit_label, LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
display(note)
commune_gaps.head(15)

# %% [markdown]
# ## Bản đồ — map of the gaps
#
# Trang độc lập (không cần Internet): thôn chưa có 4G theo số dân, viền khi thuộc vùng sâu, vùng
# xa; xã tô màu theo số thôn chưa có 4G (ranh giới của phiên bản đã chọn).

# %%
gaps_map = build_gaps_map(ranked, data.units("province"), data.units("commune"), lang=LANG, synthetic=data.synthetic,
                          commune_gaps=commune_gaps, shortlist_n=SHORTLIST_N)
map_path = save_gaps_map(gaps_map, out_dir / (analysis.export_name("gaps_map", data.as_of, BOUNDARY_VERSION,
                                                                   data.synthetic) + ".html"))
notebook_view(map_path.read_text(encoding="utf-8"), height=620)

# %% [markdown]
# ## Danh sách ưu tiên — the short list

# %%
short = analysis.shortlist(ranked, SHORTLIST_N)
analysis.or_why(short, "Không có thôn nào cần đưa vào danh sách.", "No village to put on the list.", LANG)

# %% [markdown]
# ## Kết luận — findings

# %%
findings = analysis.gap_findings(summary, unit_gaps, ranked, SHORTLIST_N, LANG)
display(Markdown(analysis.findings_markdown(findings, LANG)))

# %%
title = (f"Danh sách {SHORTLIST_N} thôn ưu tiên phủ sóng 4G — số liệu đến {analysis.fmt_date(data.as_of)} "
         f"(ranh giới {BOUNDARY_VERSION})")
exports = {
    "shortlist": analysis.export_table(short, stem="gap_shortlist", title=title, notes=[weights_text], **export),
    "ranked": analysis.export_table(ranked, stem="gap_villages", **export),
    "communes": analysis.export_table(commune_gaps, stem="gap_communes", **export),
    "reconciliation": analysis.export_table(reconciliation, stem="people_without_4g_reconciliation", **export),
    "findings": analysis.export_table(analysis.findings_table(findings), stem="findings_gaps", **export),
}
if has_districts:
    exports["districts"] = analysis.export_table(district_gaps, stem="gap_districts", **export)
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
print("map", map_path)
