"""The one label catalogue of the maps: Vietnamese first (default), English second.

Every string a planner can see on a map (legend, layer names, popups, panels, status and operator
names) comes from :data:`LABELS` through :func:`t`; the browser side receives the same catalogue
through :func:`js_labels`. Vietnamese strings keep their diacritics (UTF-8, NFC).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from villagecov.catalogue import CATALOGUE, GROUPS, lookup

Lang = Literal["vi", "en"]
_CATALOGUE_IDS = [*CATALOGUE, *(f"{i}:{g}" for i in CATALOGUE for g in GROUPS)]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"

_L: dict[str, tuple[str, str]] = {
    # page chrome
    "title.province": ("Bản đồ phủ sóng thôn bản – tỉnh Quảng Bình", "Village coverage map – Quảng Bình province"),
    "title.progress": ("Tiến độ phủ sóng: năm gốc và hiện tại", "Coverage progress: baseline and latest"),
    "title.district": ("Huyện", "District"),
    "title.commune": ("Xã", "Commune"),
    "title.index": ("Bản đồ phủ sóng viễn thông – Quảng Bình", "Telecom coverage maps – Quảng Bình"),
    "synthetic.banner": (
        "DỮ LIỆU GIẢ LẬP (SYNTHETIC) – không dùng để ra quyết định",
        "SYNTHETIC DATA – not for decisions",
    ),
    "lang.switch": ("English", "Tiếng Việt"),
    "lang.name": ("Tiếng Việt", "English"),
    "index.province": ("Toàn tỉnh", "Province overview"),
    "index.progress": ("Tiến độ (so sánh kỳ dữ liệu)", "Progress (compare vintages)"),
    "index.districts": ("Bản đồ theo huyện", "District maps"),
    "index.communes": ("Bản đồ theo xã", "Commune maps"),
    "index.built": ("Tạo lúc", "Built at"),
    # base layers
    "layer.offline_base": ("Nền ngoại tuyến (ranh giới tỉnh)", "Offline basemap (province outline)"),
    "layer.osm": ("OpenStreetMap (cần Internet)", "OpenStreetMap (needs Internet)"),
    # overlays
    "layer.villages": ("Thôn bản theo tình trạng phủ sóng", "Villages by coverage status"),
    "layer.remote": ("Thôn vùng sâu, vùng xa", "Remote villages"),
    "layer.sites": ("Trạm phát sóng", "Sites"),
    "layer.gaps": ("Thôn chưa có 4G (xếp hạng theo số dân bị ảnh hưởng)", "Villages without 4G (ranked by people affected)"),
    "layer.communes": ("Ranh giới xã", "Commune boundaries"),
    "layer.districts": ("Ranh giới huyện", "District boundaries"),
    "layer.declared": ("Vùng phủ sóng do nhà mạng công bố", "Coverage declared by the operator"),
    "layer.predicted": ("Tín hiệu mô phỏng", "Modelled signal"),
    "layer.services": ("Dịch vụ Nhiệm vụ 9", "Task 9 services"),
    "layer.boundary_version": ("phiên bản", "version"),
    # legend
    "legend.title": ("Chú giải", "Legend"),
    "legend.villages": ("Thôn bản (công nghệ tốt nhất, mọi nhà mạng)", "Villages (best technology, any operator)"),
    "class.5G": ("Có sóng 5G", "5G coverage"),
    "class.4G": ("Có sóng 4G", "4G coverage"),
    "class.3G": ("Chỉ có 3G", "3G only"),
    "class.2G": ("Chỉ có 2G", "2G only"),
    "class.partial": ("Có sóng một phần", "Partly covered"),
    "class.none": ("Không có sóng (lõm sóng)", "No signal"),
    "class.unknown": ("Chưa có dữ liệu", "No data"),
    "services.all": ("Đủ Internet, phát thanh, truyền hình, báo chí", "Internet, radio, TV and press"),
    "services.some": ("Thiếu một số dịch vụ", "Some services missing"),
    "services.no": ("Chưa có dịch vụ nào", "No service"),
    "legend.remote": ("Thôn vùng sâu, vùng xa", "Remote village"),
    "legend.gap": ("Thôn chưa có 4G (xếp hạng theo số dân chưa có 4G)", "Village without 4G (ranked by people without 4G)"),
    "legend.site": ("Trạm phát sóng di động (chữ: nhà mạng)", "Mobile site (letters: operator)"),
    # statuses (village_coverage.status)
    "status.covered": ("Có sóng", "Covered"),
    "status.partial": ("Có sóng một phần", "Partly covered"),
    "status.none": ("Không có sóng", "Not covered"),
    # popups and panels
    "popup.village": ("Thôn", "Village"),
    "popup.commune": ("Xã", "Commune"),
    "popup.district": ("Huyện", "District"),
    "popup.population": ("Dân số", "Population"),
    "popup.households": ("Số hộ", "Households"),
    "popup.remote": ("Vùng sâu, vùng xa", "Remote"),
    "popup.remote_reasons": ("Lý do", "Reasons"),
    "popup.coverage": ("Phủ sóng theo nhà mạng và công nghệ", "Coverage by operator and technology"),
    "popup.operator": ("Nhà mạng", "Operator"),
    "popup.services": ("Dịch vụ (Nhiệm vụ 9)", "Services (Task 9)"),
    "popup.speeds": ("Tốc độ đo được", "Measured speeds"),
    "popup.dl": ("Tải xuống", "Download"),
    "popup.ul": ("Tải lên", "Upload"),
    "popup.latency": ("Độ trễ", "Latency"),
    "popup.tests": ("số lần đo", "tests"),
    "popup.as_of": ("Số liệu đến", "Data as of"),
    "popup.yes": ("Có", "Yes"),
    "popup.no": ("Không", "No"),
    "popup.loading": ("Đang tải…", "Loading…"),
    "popup.unavailable": ("Không tải được thông tin thôn", "Village details could not be loaded"),
    "popup.no_data": ("Chưa có dữ liệu", "No data"),
    "popup.rank": ("Thứ hạng", "Rank"),
    "popup.uncovered": ("Dân số chưa có 4G", "People without 4G"),
    "popup.best": ("Sóng tốt nhất", "Best coverage"),
    "site.kind": ("Loại", "Kind"),
    "site.technologies": ("Công nghệ", "Technologies"),
    "site.height": ("Độ cao anten", "Antenna height"),
    "site.since": ("Hoạt động từ", "In service since"),
    "unit.m": ("m", "m"),
    "unit.mbps": ("Mbit/s", "Mbit/s"),
    "unit.ms": ("ms", "ms"),
    "search.placeholder": ("Tìm thôn, xã, huyện (có dấu hoặc không dấu)…", "Find a village, commune or district (with or without diacritics)…"),
    "search.none": ("Không tìm thấy", "No match"),
    "panel.indicators": ("Chỉ tiêu", "Indicators"),
    "panel.compare": ("Chỉ tiêu toàn tỉnh: kỳ gốc và kỳ mới nhất", "Province indicators: baseline and latest"),
    "panel.indicator": ("Chỉ tiêu", "Indicator"),
    "panel.value": ("Hiện tại", "Latest"),
    "panel.baseline": ("Năm gốc", "Baseline"),
    "panel.target": ("Mục tiêu", "Target"),
    "progress.baseline": ("Kỳ gốc", "Baseline"),
    "progress.latest": ("Kỳ mới nhất", "Latest"),
    # operators
    "operator.mobifone": ("MobiFone", "MobiFone"),
    "operator.vinaphone": ("VinaPhone (VNPT)", "VinaPhone (VNPT)"),
    "operator.viettel": ("Viettel", "Viettel"),
    "operator.vietnamobile": ("Vietnamobile", "Vietnamobile"),
    "operator.gmobile": ("Gmobile", "Gmobile"),
    "operator.fpt": ("FPT Telecom", "FPT Telecom"),
    "operator.vnpost": ("Bưu điện Việt Nam", "VNPost"),
    "operator.province": ("Tỉnh / xã", "Province / commune"),
    "operator.ANY": ("Bất kỳ nhà mạng nào", "Any operator"),
    # site kinds
    "kind.mobile_tower": ("Trạm BTS", "Mobile tower"),
    "kind.post_office": ("Bưu cục", "Post office"),
    "kind.commune_radio": ("Đài truyền thanh xã", "Commune radio"),
    "kind.fm_transmitter": ("Máy phát FM", "FM transmitter"),
    "kind.dtt_transmitter": ("Máy phát truyền hình số", "DTT transmitter"),
    "kind.fibre_pop": ("Điểm cáp quang", "Fibre PoP"),
    # Task 9 services
    "service.fixed_broadband": ("Internet cáp quang", "Fixed broadband"),
    "service.radio": ("Phát thanh", "Radio"),
    "service.tv": ("Truyền hình", "Television"),
    "service.press": ("Báo chí, xuất bản phẩm", "Press and publications"),
    "service.post": ("Bưu chính", "Post"),
    # remote reasons (codes used by the remoteness rules; unknown codes are shown as they are)
    "reason.official": ("Danh sách chính thức", "Official list"),
    "reason.official:not_remote": ("Không thuộc danh sách chính thức", "Not on the official list"),
    "reason.distance_to_seat": ("Xa trung tâm huyện", "Far from the district seat"),
    "reason.distance_to_commune_centre": ("Xa trung tâm xã", "Far from the commune centre"),
    "reason.elevation": ("Vùng núi cao", "High elevation"),
    "reason.border_commune": ("Xã biên giới", "Border commune"),
    "reason.mountainous_commune": ("Xã miền núi", "Mountainous commune"),
    # indicators
    "ind.t8.villages_4g_share": ("Tỷ lệ thôn có sóng 4G", "Villages with 4G"),
    "ind.t8.remote_villages_4g_share": ("Tỷ lệ thôn vùng sâu có 4G", "Remote villages with 4G"),
    "ind.t8.population_4g_share": ("Tỷ lệ dân số có 4G", "Population with 4G"),
    "ind.t8.population_2g_share": ("Tỷ lệ dân số có 2G", "Population with 2G"),
    "ind.t8.population_3g_share": ("Tỷ lệ dân số có 3G", "Population with 3G"),
    "ind.t8.population_5g_share": ("Tỷ lệ dân số có 5G", "Population with 5G"),
    "ind.t8.villages_no_signal": ("Số thôn lõm sóng", "Villages without any signal"),
    "ind.t8.villages_multi_operator_share": ("Tỷ lệ thôn có 4G của ≥ 2 nhà mạng", "Villages with 4G of ≥ 2 operators"),
    "ind.t8.sites_per_10k_people": ("Số trạm trên 10.000 dân", "Sites per 10,000 people"),
    "ind.t8.median_dl_mbps": ("Tốc độ tải xuống trung vị (Mbit/s)", "Median download (Mbit/s)"),
    "ind.t9.villages_fixed_broadband_share": ("Tỷ lệ thôn có Internet cáp quang", "Villages with fixed broadband"),
    "ind.t9.villages_internet_share": ("Tỷ lệ thôn có Internet", "Villages with Internet"),
    "ind.t9.villages_radio_share": ("Tỷ lệ thôn có phát thanh", "Villages with radio"),
    "ind.t9.villages_tv_share": ("Tỷ lệ thôn có truyền hình", "Villages with TV"),
    "ind.t9.villages_press_share": ("Tỷ lệ thôn có báo chí", "Villages with press"),
    "ind.t9.villages_all_services_share": ("Tỷ lệ thôn có đủ Internet, phát thanh, truyền hình, báo chí", "Villages with Internet, radio, TV and press"),
    # predicted / declared signal rasters (colours: villagecov.signal_classes)
    "legend.signal": ("Tín hiệu mô phỏng (so với ngưỡng; 4G/5G: RSRP −105 dBm)", "Modelled signal (vs threshold; 4G/5G: RSRP −105 dBm)"),
    "signal.no_service": ("Không có dịch vụ (dưới ngưỡng − 10 dB)", "No service (below threshold − 10 dB)"),
    "signal.weak": ("Yếu (ngưỡng − 10 dB … ngưỡng)", "Weak (threshold − 10 dB … threshold)"),
    "signal.fair": ("Trung bình (ngưỡng … + 10 dB)", "Fair (threshold … + 10 dB)"),
    "signal.good": ("Tốt (+ 10 … + 20 dB)", "Good (+ 10 … + 20 dB)"),
    "signal.excellent": ("Rất tốt (≥ ngưỡng + 20 dB)", "Excellent (≥ threshold + 20 dB)"),
    # gaps map (analysts' notebook 02)
    "gaps.title": ("Thôn chưa có 4G – ưu tiên đầu tư", "Villages without 4G – priorities"),
    "gaps.layer.points": ("Thôn chưa có 4G (theo thứ hạng ưu tiên)", "Villages without 4G (by priority rank)"),
    "gaps.layer.shortlist": ("Danh sách ưu tiên", "Shortlist"),
    "gaps.layer.communes": ("Xã: số thôn chưa có 4G", "Communes: villages without 4G"),
    "gaps.rank": ("Thứ hạng", "Rank"),
    "gaps.village": ("Thôn", "Village"),
    "gaps.commune": ("Xã", "Commune"),
    "gaps.population": ("Dân số", "Population"),
    "gaps.priority": ("Điểm ưu tiên", "Priority score"),
    "gaps.gap": ("Tình trạng", "Status"),
    "gaps.remote": ("Vùng sâu, vùng xa", "Remote"),
    "gaps.no_signal": ("Lõm sóng (không có sóng)", "No signal at all"),
    "gaps.no_4g": ("Chưa có 4G", "No 4G"),
    "gaps.yes": ("Có", "Yes"),
    "gaps.no": ("Không", "No"),
    "gaps.villages_no_4g": ("Số thôn chưa có 4G", "Villages without 4G"),
    # the site plan on the province map (maps/plan.py; sent to the browser by its layer only)
    "plan.layer": ("Trạm đề xuất", "Proposed sites"),
    "plan.plan": ("kế hoạch", "plan"),
    "plan.sites_unit": ("trạm", "sites"),
    "plan.site": ("Trạm đề xuất", "Proposed site"),
    "plan.rank": ("Thứ tự ưu tiên", "Rank"),
    "plan.kind": ("Loại", "Kind"),
    "plan.kind.colocation": ("Dùng chung trạm hiện có", "Co-location on an existing tower"),
    "plan.kind.hilltop": ("Trạm mới trên đỉnh đồi", "New tower on a hilltop"),
    "plan.kind.grid": ("Trạm mới", "New tower"),
    "plan.existing_site": ("Trạm hiện có", "Existing tower"),
    "plan.cost": ("Tổng chi phí", "Total cost"),
    "plan.capex": ("Vốn đầu tư", "Capital cost"),
    "plan.opex": ("Chi phí vận hành mỗi năm", "Operating cost per year"),
    "plan.backhaul": ("Truyền dẫn", "Backhaul"),
    "plan.backhaul.existing": ("Có sẵn", "Existing"),
    "plan.backhaul.fibre": ("Cáp quang", "Fibre"),
    "plan.backhaul.microwave": ("Vi ba", "Microwave"),
    "plan.villages": ("Số thôn được phủ sóng", "Villages covered"),
    "plan.population": ("Số dân được phủ sóng", "People covered"),
    "plan.villages_layer": ("Thôn được phủ sóng theo kế hoạch", "Villages the plan covers"),
    "plan.legend": ("Kế hoạch", "Plan"),
    "plan.villages_unit": ("thôn", "villages"),
    "plan.people_unit": ("người", "people"),
    "plan.rank_note": ("Số trên trạm: thứ tự ưu tiên", "Number on a site: priority rank"),
    "plan.in_unit": ("Trong", "In"),
    "plan.province_totals": ("Toàn tỉnh", "Province"),
    "plan.none_in_unit": ("kế hoạch chưa phủ thôn nào", "the plan covers none of its villages"),
    # page shell: panel, groups, views, lists, print, search, Leaflet controls (maps/shell.py, app.js)
    "layer.infrastructure": ("Hạ tầng khác (bưu cục, đài, truyền hình, cáp quang)", "Other infrastructure (post, radio, TV, fibre)"),
    "layer.newly": ("Thôn mới có 4G so với kỳ gốc", "Villages newly covered by 4G since the baseline"),
    "layer.challenges": ("Thôn có phản ánh đang xem xét", "Villages with a report under review"),
    "layer.service": ("Dịch vụ", "Service"),
    "legend.declared": ("Vùng phủ sóng do nhà mạng công bố (chưa kiểm chứng)", "Coverage declared by operators (unverified)"),
    "legend.infrastructure": ("Hạ tầng khác (chữ: loại)", "Other infrastructure (letters: kind)"),
    "legend.challenge": ("Thôn có phản ánh đang xem xét", "Village with a report under review"),
    "legend.newly": ("Mới có 4G so với kỳ gốc", "Newly covered by 4G since the baseline"),
    "legend.yes": ("Có", "Available"),
    "legend.no": ("Chưa có", "Not available"),
    "legend.unknown": ("Chưa khảo sát", "Not surveyed"),
    "group.base": ("Bản đồ nền", "Basemap"),
    "group.coverage": ("Phủ sóng di động", "Mobile coverage"),
    "group.task9": ("Dịch vụ Nhiệm vụ 9", "Task 9 services"),
    "group.infrastructure": ("Hạ tầng", "Infrastructure"),
    "group.plan": ("Kế hoạch", "Plan"),
    "group.evidence": ("Chứng cứ và phản ánh", "Evidence and reports"),
    "group.boundaries": ("Ranh giới", "Boundaries"),
    "view.title": ("Câu hỏi thường gặp", "Questions"),
    "view.no_4g": ("Thôn nào chưa có 4G?", "Which villages lack 4G?"),
    "view.no.internet": ("Thôn nào chưa có Internet?", "Which villages lack Internet?"),
    "view.no.fixed_broadband": ("Thôn nào chưa có cáp quang?", "Which villages lack fibre?"),
    "view.no.radio": ("Thôn nào chưa có phát thanh?", "Which villages lack radio?"),
    "view.no.tv": ("Thôn nào chưa có truyền hình?", "Which villages lack TV?"),
    "view.no.press": ("Thôn nào chưa có báo chí?", "Which villages lack the press?"),
    "view.no.post": ("Thôn nào chưa có bưu chính?", "Which villages lack the post?"),
    "service.internet": ("Internet (cáp quang hoặc 4G/5G)", "Internet (fibre or 4G/5G)"),
    "ui.skip": ("Chuyển tới ô tìm kiếm", "Skip to search"),
    "ui.panel": ("Bảng", "Panel"),
    "ui.panel_open": ("Mở bảng lớp, chú giải và danh sách", "Open layers, legend and lists"),
    "ui.close": ("Đóng", "Close"),
    "ui.layers": ("Lớp bản đồ", "Map layers"),
    "ui.list": ("Thôn trong khung nhìn", "Villages in view"),
    "ui.list_lacking": ("Chỉ thôn còn thiếu", "Only villages lacking it"),
    "ui.list_count": ("thôn", "villages"),
    "ui.csv": ("Tải CSV", "Download CSV"),
    "ui.plan_sites": ("Kế hoạch: từng trạm và các thôn trạm phủ", "Plan: each site and the villages it covers"),
    "ui.print": ("In / lưu PDF (A4 ngang)", "Print / save PDF (A4 landscape)"),
    "ui.print_a3": ("In A3 ngang", "Print A3 landscape"),
    "ui.share": ("Sao chép liên kết", "Copy link"),
    "ui.copied": ("Đã sao chép liên kết", "Link copied"),
    "ui.loading": ("Đang tải dữ liệu…", "Loading data…"),
    "ui.period": ("Kỳ dữ liệu", "Period"),
    "ui.north": ("B", "N"),
    "ui.north_name": ("Hướng Bắc", "North"),
    "ui.status": ("Tình trạng", "Status"),
    "ui.people_affected": ("Số dân bị ảnh hưởng", "People affected"),
    "ui.breadcrumb": ("Vị trí", "You are here"),
    "ui.units_in": ("Đơn vị trực thuộc", "Units within"),
    "ui.boundaries_2025": ("Ranh giới sau sáp nhập (01/07/2025)", "Boundaries after the merger (1 July 2025)"),
    "ui.boundaries_2019": ("Ranh giới 2019", "2019 boundaries"),
    "footer.sources": ("Nguồn", "Sources"),
    "footer.printed": ("In ngày", "Printed"),
    "footer.built": ("Bản đồ tạo ngày", "Map built"),
    "footer.period": ("Kỳ dữ liệu", "Period"),
    "footer.share_base": ("Tỷ lệ % tính trên dân số của thôn", "Percentages are of the village's population"),
    "search.kind.village": ("Thôn", "Village"),
    "search.kind.commune": ("Xã", "Commune"),
    "search.kind.district": ("Huyện", "District"),
    "search.more": ("Xem thêm kết quả", "More results"),
    "search.count": ("kết quả", "results"),
    "popup.of_population": ("dân số thôn", "of the village's people"),
    "popup.report": ("Báo sai sót tại đây", "Report a problem here"),
    "leaflet.zoom_in": ("Phóng to", "Zoom in"),
    "leaflet.zoom_out": ("Thu nhỏ", "Zoom out"),
    "leaflet.fullscreen": ("Toàn màn hình", "Full screen"),
    "leaflet.fullscreen_exit": ("Thoát toàn màn hình", "Exit full screen"),
    "leaflet.minimap_show": ("Hiện bản đồ nhỏ", "Show minimap"),
    "leaflet.minimap_hide": ("Ẩn bản đồ nhỏ", "Hide minimap"),
    # challenges ("report a problem here")
    "challenge.title": ("Báo sai sót về phủ sóng", "Report a coverage problem"),
    "challenge.village": ("Thôn", "Village"),
    "challenge.operator": ("Nhà mạng", "Operator"),
    "challenge.technology": ("Công nghệ", "Technology"),
    "challenge.problem": ("Sai sót", "What is wrong"),
    "challenge.problem.no_signal": ("Không có sóng dù bản đồ ghi có", "No signal although the map shows coverage"),
    "challenge.problem.weak_signal": ("Sóng yếu, hay rớt cuộc gọi", "Weak signal, dropped calls"),
    "challenge.problem.slow_data": ("Internet di động rất chậm", "Mobile Internet very slow"),
    "challenge.problem.has_signal": ("Có sóng dù bản đồ ghi không", "Signal although the map shows none"),
    "challenge.problem.service_missing": ("Thiếu dịch vụ Nhiệm vụ 9 (Internet, phát thanh, truyền hình, báo chí)", "A Task 9 service is missing (Internet, radio, TV, press)"),
    "challenge.problem.other": ("Khác", "Other"),
    "challenge.details": ("Mô tả thêm", "Details"),
    "challenge.contact": ("Liên hệ (điện thoại hoặc email, không bắt buộc)", "Contact (phone or e-mail, optional)"),
    "challenge.send": ("Gửi phản ánh", "Send report"),
    "challenge.sent": ("Đã nhận phản ánh, mã", "Report received, reference"),
    "challenge.failed": ("Chưa gửi được", "Could not send"),
    "challenge.any": ("Không rõ", "Not sure"),
    # dashboard
    "dash.title": ("Bảng điều hành phủ sóng – tỉnh", "Coverage dashboard – province"),
    "dash.cards": ("Chỉ tiêu chính", "Key indicators"),
    "dash.progress": ("Tiến độ so với mục tiêu", "Progress against target"),
    "dash.gaps": ("10 xã còn nhiều thôn chưa có 4G nhất", "Ten communes with the most villages without 4G"),
    "dash.no_target": ("chưa có mục tiêu chính thức", "no official target"),
    "dash.since": ("so với kỳ trước", "since the previous period"),
    "dash.villages_without": ("Thôn chưa có 4G", "Villages without 4G"),
    "dash.loading": ("Đang tải số liệu từ API…", "Loading figures from the API…"),
    "dash.failed": ("Không tải được số liệu từ API", "Could not load figures from the API"),
    "dash.live": ("Mọi số liệu trên trang được đọc trực tiếp từ API của hệ thống", "Every figure on this page is read live from the API"),
    "dash.base.villages": ("thôn", "villages"),
    "dash.base.people": ("người", "people"),
    "dash.of": ("trên", "of"),
    "dash.target": ("Mục tiêu", "Target"),
    "dash.baseline": ("Năm gốc", "Baseline"),
    "dash.latest": ("Hiện tại", "Latest"),
    "dash.up": ("tăng", "up"),
    "dash.down": ("giảm", "down"),
    "dash.flat": ("không đổi", "unchanged"),
    "dash.villages_total": ("Tổng số thôn", "Villages"),
    "dash.task8": ("Nhiệm vụ 8: hạ tầng và phủ sóng di động", "Task 8: infrastructure and mobile coverage"),
    "dash.task9": ("Nhiệm vụ 9: Internet, phát thanh, truyền hình, báo chí đến thôn", "Task 9: Internet, radio, TV and press in every village"),
}

# every indicator of the catalogue and its target-group breakdowns (villagecov.catalogue names them)
_L.update({f"ind.{i}": (d.name_vi, d.name_en) for i in _CATALOGUE_IDS if (d := lookup(i)) and f"ind.{i}" not in _L})
LABELS: dict[str, dict[Lang, str]] = {k: {"vi": vi, "en": en} for k, (vi, en) in _L.items()}


INDICATOR_ORDER: tuple[str, ...] = tuple(
    dict.fromkeys([*(k[len("ind.") :] for k in _L if k.startswith("ind.") and k[4:] in CATALOGUE), *CATALOGUE]))


def indicator_sort_key(indicator: str) -> tuple[int, str]:
    """Catalogue order (task 8 headline indicators first), unknown indicators last by name."""
    try:
        return (INDICATOR_ORDER.index(indicator), indicator)
    except ValueError:
        return (len(INDICATOR_ORDER), indicator)


def check_lang(lang: str) -> Lang:
    """``lang`` if it is a supported language, else :class:`ValueError`."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def t(key: str, lang: str = DEFAULT_LANG, default: str | None = None) -> str:
    """The label ``key`` in ``lang``; ``default`` (or the key) when the catalogue lacks it."""
    entry = LABELS.get(key)
    if entry is None:
        if default is not None:
            return default
        raise KeyError(f"no label {key!r} in maps.i18n.LABELS")
    return entry[check_lang(lang)]


def t_opt(prefix: str, code: str, lang: str) -> str:
    """Label of an enum value (operator, service, reason…), the raw code when not catalogued."""
    return t(f"{prefix}.{code}", lang, default=code)


def js_labels(lang: str) -> dict[str, str]:
    """The catalogue in one language for the browser side (``VC.labels``); the gaps map's labels
    (``gaps.*``) are rendered server-side only, the plan layer's (``plan.*``) travel with it."""
    lang = check_lang(lang)
    return {k: v[lang] for k, v in LABELS.items() if not k.startswith(("gaps.", "plan."))}


def format_reasons(text: str | None, lang: str) -> list[str]:
    """Remote reasons as labels: ``"distance_to_seat=31.2km>25km;border_commune"`` →
    ``["Xa trung tâm huyện (31,2 km > 25 km)", "Xã biên giới"]``. Separators ``;`` or ``,``; codes
    missing from the catalogue are shown as they are. ``VC.reasons`` in the browser does the same.
    """
    out = []
    for part in (text or "").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        code, _, value = part.partition("=")
        label = t_opt("reason", code, lang)
        if value:
            value = re.sub(r"(\d)([a-z]+)", r"\1 \2", value).replace(">", " > ")
            if lang == "vi":
                value = re.sub(r"(\d)\.(\d)", r"\1,\2", value)
            label = f"{label} ({' '.join(value.split())})"
        out.append(label)
    return out


def fold(text: str) -> str:
    """Search key of a name: NFD, combining marks stripped, đ→d, lower case, single spaces.

    ``fold("Thôn Đồng Hóa") == fold("thon dong hoa") == "thon dong hoa"``. The browser uses
    the same rule (``VC.fold`` in ``static/villagecov/villagecov.js``).
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def format_date(iso: str | None, lang: str) -> str:
    """``2025-06-30`` → ``30/06/2025`` (the Vietnamese way; English pages too, as in the UK);
    anything else is returned as it is."""
    text = str(iso or "")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text[:10])
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else text


def file_name(stem: str, lang: str) -> str:
    """``stem.html`` in Vietnamese (default), ``stem.en.html`` in English."""
    return f"{stem}.html" if lang == "vi" else f"{stem}.{lang}.html"


def other_lang(lang: str) -> str:
    return "en" if lang == "vi" else "vi"
