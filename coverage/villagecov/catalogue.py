"""The one catalogue of Task 8 / Task 9 indicators: id, kind, names, unit, definition, numerator,
denominator and source, Vietnamese first. The compute engine, the CLI, the API, the maps, the
notebooks and the annual report all read it; nothing else lists indicators.

Kinds: ``share`` (numerator / denominator, a fraction in [0, 1], shown in per cent), ``count``
(value = numerator), ``rate`` (numerator / denominator where the denominator is already scaled,
e.g. people / 10,000), ``ratio`` (numerator / denominator, e.g. people per postal point) and
``median`` (median measured value; numerator empty, denominator = tests). ``basis``: ``village``
indicators are sums of village numerators and denominators; ``unit`` indicators are counted on
the units themselves (communes with a postal point, towers per 100 km² of a unit's area).

A breakdown by target group is the indicator id, a colon and the group (``t8.villages_4g_share:
zone_iii``): the same definition over the villages of that group only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["share", "count", "rate", "ratio", "median"]
Basis = Literal["village", "unit"]

TECHS = ("2G", "3G", "4G", "5G")
SRC_COVERAGE = "coverage (operators' declared / modelled maps) → village_coverage; villages (register)"
SRC_SURVEY = "services (Task 9 village survey); villages (register)"
SRC_SITES = "sites (register of towers, post offices, commune radio, fibre PoPs); admin_units; villages"
PLAN = "QĐ 1497/QĐ-TTg (2018)"

# target groups of the village register: id -> (Vietnamese, English, legal basis)
GROUPS: dict[str, tuple[str, str, str]] = {
    "remote": ("thôn vùng sâu, vùng xa", "remote villages", "remoteness rules (settings) or the official flag"),
    "especially_difficult": ("thôn đặc biệt khó khăn", "especially difficult villages", "QĐ 612/QĐ-UBDT (2021)"),
    "zone_iii": ("xã khu vực III", "zone III communes", "QĐ 861/QĐ-TTg (2021)"),
    "border": ("xã biên giới", "border communes", "list of border communes (Nghị định 34/2014/NĐ-CP)"),
    "ethnic_minority": ("thôn đồng bào dân tộc thiểu số", "ethnic-minority villages",
                        "village register (Chứt, Bru-Vân Kiều communities)"),
}


@dataclass(frozen=True)
class IndicatorDef:
    id: str
    task: Literal["8", "9"]
    kind: Kind
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    numerator: str
    denominator: str
    source: str
    definition: str = ""
    basis: Basis = "village"
    lower_is_better: bool = False
    group: str | None = None

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def unit(self, lang: str = "vi") -> str:
        return self.unit_vi if lang == "vi" else self.unit_en

    @property
    def base_id(self) -> str:
        return self.id.split(":", 1)[0]


def _share(id_: str, task: str, vi: str, en: str, num: str, den: str, source: str, definition: str = "",
           basis: Basis = "village") -> IndicatorDef:
    return IndicatorDef(id_, task, "share", vi, en, "%", "%", num, den, source, definition, basis)  # type: ignore[arg-type]


_COVERED = "covered: ≥ covered_share (80 %) of its population under the signal threshold of that technology"
_DEFS: list[IndicatorDef] = [
    _share("t8.villages_4g_share", "8", "Tỷ lệ thôn được phủ sóng 4G", "Villages covered by 4G",
           "villages covered by 4G (any operator)", "villages", SRC_COVERAGE, _COVERED),
    _share("t8.remote_villages_4g_share", "8", "Tỷ lệ thôn vùng sâu, vùng xa được phủ sóng 4G",
           "Remote villages covered by 4G", "remote villages covered by 4G", "remote villages", SRC_COVERAGE,
           _COVERED),
    *[_share(f"t8.population_{t.lower()}_share", "8", f"Tỷ lệ dân số được phủ sóng {t}", f"Population covered by {t}",
             f"people covered by {t} (any operator)", "people", SRC_COVERAGE,
             f"{t} only (not cumulative); people counted on the population surface")
      for t in TECHS],
    *[_share(f"t8.population_at_least_{t.lower()}_share", "8", f"Tỷ lệ dân số được phủ sóng từ {t} trở lên",
             f"Population covered by at least {t}", f"people covered by {t} or a newer technology", "people",
             SRC_COVERAGE, "SDG 9.c.1 (ITU): cumulative, so at least 2G ≥ at least 3G ≥ at least 4G ≥ at least 5G; "
             "per village the largest share among the technologies from this one up")
      for t in TECHS],
    *[_share(f"t8.area_{t.lower()}_share", "8", f"Tỷ lệ diện tích được phủ sóng {t}", f"Area covered by {t}",
             f"km² of village land covered by {t}", "km² of village land", SRC_COVERAGE,
             "geographic coverage (as Ofcom reports it): the covered share of the villages' area")
      for t in TECHS],
    IndicatorDef("t8.villages_no_signal", "8", "count", "Số thôn lõm sóng (không có sóng di động)",
                 "Villages without any mobile signal", "thôn", "villages", "villages with no technology at least "
                 "partial", "villages", SRC_COVERAGE, "thôn lõm sóng", lower_is_better=True),
    _share("t8.villages_multi_operator_share", "8", "Tỷ lệ thôn có sóng 4G của từ 2 doanh nghiệp trở lên",
           "Villages with 4G from two or more operators", "villages covered by the 4G of ≥ 2 operators", "villages",
           SRC_COVERAGE),
    _share("t8.households_4g_share", "8", "Tỷ lệ hộ gia đình ở thôn được phủ sóng 4G",
           "Households in villages covered by 4G", "households of villages covered by 4G",
           "households (villages whose households are known)", SRC_COVERAGE),
    IndicatorDef("t8.sites_per_10k_people", "8", "rate", "Số trạm BTS trên 10.000 dân",
                 "Mobile tower sites per 10,000 people", "trạm/10.000 dân", "sites/10,000 people",
                 "mobile tower sites in service (one per operator)", "people / 10,000", SRC_SITES),
    IndicatorDef("t8.towers_per_10k_people", "8", "rate", "Số cột ăng-ten (trạm vật lý) trên 10.000 dân",
                 "Physical towers per 10,000 people", "cột/10.000 dân", "towers/10,000 people",
                 "physical towers in service (operators' sites within tower_group_m of each other are one tower)",
                 "people / 10,000", SRC_SITES, basis="unit"),
    IndicatorDef("t8.towers_per_100km2", "8", "rate", "Số cột ăng-ten (trạm vật lý) trên 100 km²",
                 "Physical towers per 100 km²", "cột/100 km²", "towers/100 km²", "physical towers in service",
                 "unit area km² / 100", SRC_SITES, basis="unit"),
    IndicatorDef("t8.bts_per_10k_people", "8", "rate", "Số trạm thu phát sóng (BTS/NodeB/eNodeB/gNodeB) trên "
                 "10.000 dân", "Base stations (BTS/NodeB/eNodeB/gNodeB) per 10,000 people", "trạm/10.000 dân",
                 "base stations/10,000 people", "base stations in service: one per site and technology",
                 "people / 10,000", SRC_SITES, basis="unit"),
    IndicatorDef("t8.bts_per_100km2", "8", "rate", "Số trạm thu phát sóng trên 100 km²", "Base stations per 100 km²",
                 "trạm/100 km²", "base stations/100 km²", "base stations in service", "unit area km² / 100",
                 SRC_SITES, basis="unit"),
    _share("t8.shared_towers_share", "8", "Tỷ lệ cột ăng-ten dùng chung", "Shared towers",
           "physical towers carrying the sites of ≥ 2 operators", "physical towers", SRC_SITES, basis="unit"),
    _share("t8.communes_fibre_share", "8", "Tỷ lệ xã có điểm truy nhập cáp quang", "Communes with fibre",
           "communes with a fibre PoP in service", "communes", SRC_SITES, basis="unit"),
    IndicatorDef("t8.median_dl_mbps", "8", "median", "Tốc độ tải xuống trung vị đo được",
                 "Median measured download speed", "Mbit/s", "Mbit/s", "—", "tests", "measurements (drive, crowd, "
                 "Ookla-style tiles) inside the villages"),
    _share("t8.communes_post_share", "8", "Tỷ lệ xã có điểm phục vụ bưu chính", "Communes with a postal service point",
           "communes with a post office / postal point in service", "communes", SRC_SITES, basis="unit"),
    _share("t8.villages_post_share", "8", "Tỷ lệ thôn có dịch vụ bưu chính", "Villages with postal service",
           "villages where the survey answers post = yes", "villages", SRC_SURVEY),
    IndicatorDef("t8.people_per_post_point", "8", "ratio", "Số dân bình quân trên một điểm phục vụ bưu chính",
                 "People per postal service point", "người/điểm", "people/point", "people",
                 "postal service points in service", SRC_SITES, basis="unit", lower_is_better=True),
    _share("t9.villages_fixed_broadband_share", "9", "Tỷ lệ thôn có Internet băng rộng cố định",
           "Villages with fixed broadband", "villages with fixed broadband available", "villages", SRC_SURVEY),
    _share("t9.villages_internet_share", "9", "Tỷ lệ thôn có Internet (cố định hoặc di động)",
           "Villages with Internet (fixed or mobile)", "villages with fixed broadband or covered by 4G/5G",
           "villages", f"{SRC_SURVEY}; {SRC_COVERAGE}"),
    _share("t9.villages_radio_share", "9", "Tỷ lệ thôn được nghe phát thanh", "Villages with radio",
           "villages with radio", "villages", SRC_SURVEY),
    _share("t9.villages_tv_share", "9", "Tỷ lệ thôn được xem truyền hình", "Villages with television",
           "villages with TV", "villages", SRC_SURVEY),
    _share("t9.villages_press_share", "9", "Tỷ lệ thôn có báo chí", "Villages with the press",
           "villages with the press", "villages", SRC_SURVEY),
    _share("t9.villages_all_services_share", "9", "Tỷ lệ thôn có đủ Internet, phát thanh, truyền hình và báo chí",
           "Villages with Internet, radio, TV and the press", "villages with all four", "villages",
           f"{SRC_SURVEY}; {SRC_COVERAGE}"),
    _share("t9.villages_loudspeaker_share", "9", "Tỷ lệ thôn có loa truyền thanh", "Villages reached by loudspeakers",
           "villages reached by the commune radio's loudspeakers", "villages", SRC_SURVEY),
    _share("t9.communes_radio_station_share", "9", "Tỷ lệ xã có đài truyền thanh cơ sở hoạt động",
           "Communes with a working radio station", "communes with a commune radio station in service", "communes",
           SRC_SITES, basis="unit"),
    _share("t9.radio_stations_ip_share", "9", "Tỷ lệ đài truyền thanh cơ sở ứng dụng viễn thông – CNTT (IP)",
           "Commune radio stations using telecom / IP technology", "stations in service whose technologies "
           "include IP, 4G/3G or telecom", "commune radio stations in service", SRC_SITES, basis="unit"),
    *[_share(f"t9.households_{svc}_share", "9", f"Tỷ lệ hộ gia đình ở thôn có {vi}", f"Households in villages with {en}",
             f"households of villages with {en}", "households (villages whose households are known)",
             SRC_SURVEY if svc != "internet" else f"{SRC_SURVEY}; {SRC_COVERAGE}")
      for svc, vi, en in (("fixed_broadband", "Internet băng rộng cố định", "fixed broadband available"),
                          ("internet", "Internet", "Internet"), ("radio", "phát thanh", "radio"),
                          ("tv", "truyền hình", "television"), ("press", "báo chí", "the press"),
                          ("all_services", "đủ 4 dịch vụ", "all four services"))],
]
CATALOGUE: dict[str, IndicatorDef] = {d.id: d for d in _DEFS}
HEADLINE = ("t8.villages_4g_share", "t8.remote_villages_4g_share", "t8.population_4g_share",
            "t8.villages_no_signal", "t8.villages_multi_operator_share", "t9.villages_internet_share",
            "t9.villages_all_services_share")


def split_id(indicator: str) -> tuple[str, str | None]:
    """``'t8.villages_4g_share:zone_iii'`` → (``'t8.villages_4g_share'``, ``'zone_iii'``)."""
    base, _, group = indicator.partition(":")
    return base, (group or None)


def lookup(indicator: str) -> IndicatorDef | None:
    """The definition of an id, breakdowns included (names say the group); None when unknown."""
    base, group = split_id(indicator)
    d = CATALOGUE.get(base)
    if d is None or group is None:
        return d
    vi, en, basis = GROUPS.get(group, (group, group, ""))
    return replace(d, id=indicator, name_vi=f"{d.name_vi} – {vi}", name_en=f"{d.name_en} – {en}", group=group,
                   denominator=f"{d.denominator} ({en})", source=f"{d.source}; target group: {basis}")


def kind(indicator: str) -> Kind | None:
    d = CATALOGUE.get(split_id(indicator)[0])
    return d.kind if d else None


def order_key(indicator: str) -> tuple[int, int, str]:
    """Catalogue order, each indicator's breakdowns right after it, unknown ids last."""
    base, group = split_id(indicator)
    ids = list(CATALOGUE)
    at = ids.index(base) if base in ids else len(ids)
    g = list(GROUPS).index(group) + 1 if group in GROUPS else (0 if group is None else len(GROUPS) + 1)
    return (at, g, indicator)


def records(lang: str = "vi") -> list[dict[str, object]]:
    """The catalogue as plain rows (API, CLI, report annex)."""
    return [{"indicator": d.id, "task": d.task, "kind": d.kind, "basis": d.basis, "name": d.name(lang),
             "name_vi": d.name_vi, "name_en": d.name_en, "unit": d.unit(lang), "numerator": d.numerator,
             "denominator": d.denominator, "source": d.source, "definition": d.definition,
             "lower_is_better": d.lower_is_better} for d in _DEFS]
