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
BOUNDARY_VERSION = "2019"  # 2019 | 2025-01 | 2025-07 (districts exist only before 2025-07)
OUT_DIR = "out"  # exported tables and figures go here
LANG = "vi"  # vi | en: labels, findings and exported headings

# %% [markdown]
# # Tiến độ nhiệm vụ 8 và 9 — Progress on tasks 8 and 9
#
# **Câu hỏi:** đến kỳ báo cáo, tỉnh đã đi được bao xa so với kỳ gốc và mục tiêu của nhiệm vụ 8
# (phủ sóng di động 4G đến mọi thôn) và nhiệm vụ 9 (Internet, phát thanh, truyền hình, báo chí)?
# Huyện, xã nào còn xa mục tiêu nhất?
#
# **Question:** by the report period, how far has the province come from the baseline towards the
# targets of task 8 (4G in every village) and task 9 (Internet, radio, TV, press)? Which
# districts and communes are furthest behind?
#
# Mọi chỉ tiêu lấy nguyên từ bảng `indicators` (`villagecov compute`); kỳ gốc là kỳ sớm nhất có
# số liệu của từng chỉ tiêu. Tỷ lệ tính theo %. **Dữ liệu mẫu là dữ liệu GIẢ LẬP (SYNTHETIC)**:
# trên kho mẫu mọi thôn, trạm, vùng phủ và lần đo đều là giả lập; tệp xuất ra mang tiền tố
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
has_districts = not data.units("district").empty
unit_level = "district" if has_districts else "commune"
unit_label = ("Huyện" if has_districts else "Xã") if LANG == "vi" else ("District" if has_districts else "Commune")
export = {"out_dir": out_dir, "period": data.as_of, "boundary_version": BOUNDARY_VERSION, "lang": LANG,
          "synthetic": data.synthetic}
analysis.header(data, settings, LANG)

# %% [markdown]
# ## Tỉnh — Province

# %%
province = analysis.progress_long(data.indicators, "province", BOUNDARY_VERSION, lang=LANG)
province_wide = analysis.progress_wide(province)
analysis.or_why(analysis.progress_table(province_wide, LANG),
                "Kho chưa có chỉ tiêu cấp tỉnh cho ranh giới này.", "No province indicators for these boundaries.", LANG)

# %%
chart = analysis.figures.province_progress(province, tuple(i for i in analysis.HEADLINE if i.endswith("_share")),
                                           LANG, data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
note

# %% [markdown]
# ## Huyện hoặc xã — districts (communes on the 2025-07 boundaries)
#
# Huyện chỉ có trên ranh giới 2019 và 2025-01 (bị bãi bỏ từ 1/7/2025); với ranh giới 2025-07 bảng
# và biểu đồ dùng các xã mới.

# %%
units = analysis.progress_long(data.indicators, unit_level, BOUNDARY_VERSION, lang=LANG)
units_wide = analysis.progress_wide(units)
chart = analysis.figures.units_share(units, "t8.villages_4g_share", data.as_of, data.previous, unit_label, LANG,
                                     data.synthetic)
note = analysis.charts.publish(chart, **export)
plt.show()
display(note)
analysis.or_why(analysis.furthest_behind(units, "t8.villages_4g_share", data.as_of, n=15),
                "Không có đơn vị nào có chỉ tiêu thôn có 4G ở kỳ này.", "No unit has the 4G villages indicator at this period.",
                LANG)

# %% [markdown]
# ## Xã theo ranh giới 2025-07 — the 2025-07 communes (through the crosswalk)
#
# Chỉ các xã mới (sau sắp xếp 1/7/2025); cột "các xã cũ hợp thành" cho biết xã mới được lập từ
# những xã nào theo ranh giới 2019.

# %%
new_communes = analysis.progress_long(data.indicators, "commune", "2025-07", lang=LANG)
formed_from = analysis.lineage(data.crosswalk, data.admin_units, "2019", "2025-07")[
    ["unit_code", "n_from", "from_names"]]
new_wide = analysis.progress_wide(new_communes).merge(formed_from, on="unit_code", how="left")
analysis.or_why(analysis.furthest_behind(new_communes, "t8.villages_4g_share", data.as_of, n=10).merge(
    formed_from, on="unit_code", how="left"),
    "Kho chưa có ranh giới 2025-07.", "The store has no 2025-07 boundaries.", LANG)

# %% [markdown]
# ## Bảng báo cáo năm — the annual-report table

# %%
levels = ("province", "district") if has_districts else ("province", "commune")
report = analysis.annual_report_table(data.indicators, data.as_of, BOUNDARY_VERSION, levels=levels, lang=LANG)
report_name = analysis.export_name("annual_report", data.as_of, BOUNDARY_VERSION, data.synthetic)
report_files = analysis.write_table(
    analysis.with_headings(report), out_dir, report_name,
    title=f"Báo cáo kết quả thực hiện nhiệm vụ 8, 9 — số liệu đến {analysis.fmt_date(data.as_of)} "
          f"(ranh giới {BOUNDARY_VERSION})",
    notes=["Nguồn / source: villagecov, bảng indicators / indicators table", "Tỷ lệ tính theo % / shares in per cent",
           "Kỳ gốc: kỳ sớm nhất có số liệu của từng chỉ tiêu / baseline: the earliest period with data"],
    synthetic=data.synthetic,
)
analysis.with_headings(report).head(20)

# %% [markdown]
# ## Kết luận — findings

# %%
people = analysis.people_without_4g(data.village_summary)
findings = analysis.progress_findings(province, units, data.as_of, people, LANG)
display(Markdown(analysis.findings_markdown(findings, LANG)))

# %%
tables = {
    "progress_province": analysis.progress_table(province_wide, LANG),
    f"progress_{unit_level}s": analysis.progress_table(units_wide, LANG),
    "findings_progress": analysis.findings_table(findings),
}
exports = {"annual_report": report_files}
for stem, frame in tables.items():
    if len(frame):
        exports[stem] = analysis.export_table(frame, stem=stem, **export)
if len(new_wide):  # the 2025-07 communes: named with their own boundary version
    exports["progress_communes_2025-07"] = analysis.export_table(
        analysis.progress_table(new_wide, LANG), stem="progress_communes", **{**export, "boundary_version": "2025-07"})
for name, files in exports.items():
    print(name, *[str(p) for p in files.values()])
