"""Build every map of the store as HTML files plus an index (the only module here that reads a store).

Output folder layout (``vi`` is the default language, English files end in ``.en.html``)::

    index.html, index.en.html            links to all maps
    province.html, progress.html         province overview, baseline vs latest
    district-<code>.html, commune-<code>.html
    static/                              copy of maps/static (pages work from file:// too)

Pages reference their assets with the relative prefix ``static/`` by default, which resolves
to ``/maps/static/`` when the API serves the folder under ``/maps/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

import geopandas as gpd
import pandas as pd

from villagecov.errors import NotFound
from villagecov.maps.assets import copy_static, render_html
from villagecov.maps.collate import vi_key
from villagecov.maps.contract import ApiUrls
from villagecov.maps.dashboard import dashboard_html
from villagecov.maps.i18n import LANGS, check_lang, file_name, other_lang, t
from villagecov.maps.inputs import MapInputs, empty
from villagecov.maps.plan import latest_plan
from villagecov.maps.progress import build_progress_map
from villagecov.maps.province import build_province_map, latest_streams
from villagecov.maps.unit import build_unit_map
from villagecov.schema import LATEST
from villagecov.storage import Store


@dataclass
class BuildReport:
    """What :func:`build_all_maps` wrote: file names relative to ``out_dir`` and their sizes (bytes)."""

    out_dir: Path
    files: dict[str, int] = field(default_factory=dict)
    synthetic: bool = False

    def urls(self, base_url: str = "") -> list[str]:
        """URLs of the index, province and progress pages: Vietnamese first, index first."""
        root = base_url.rstrip("/") + "/maps/"
        kinds = ("index", "province", "progress", "dashboard")
        names = [n for n in self.files if n.split(".", 1)[0] in kinds]
        names.sort(key=lambda n: (n.count(".") > 1, kinds.index(n.split(".", 1)[0])))
        return [root + name for name in names]


def default_boundary_version(store: Store) -> str:
    """The boundary version most villages refer to ("2019" when there are none)."""
    villages = store.read("villages", as_of=LATEST)
    versions = villages["boundary_version"].dropna()
    return str(versions.mode().iloc[0]) if len(versions) else "2019"


def read_inputs(store: Store, boundary_version: str | None = None) -> MapInputs:
    """All frames the maps need, read from ``store`` (villages and sites at their latest vintage)."""
    version = boundary_version or default_boundary_version(store)
    units = store.read("admin_units", where={"version": version})
    communes = units[units["level"] == "commune"]
    if communes.empty:
        raise NotFound(f"no communes of boundary version {version} in the store: ingest boundaries first")
    districts = units[units["level"] == "district"]
    province = units[units["level"] == "province"]
    if province.empty:  # later versions may carry communes only
        every = store.read("admin_units", where={"level": "province"})
        province = every.tail(1) if len(every) else communes.dissolve().assign(name="", code="")
    villages = villages_on_version(store.read("villages", as_of=LATEST), store.read("crosswalk"), communes, version)
    plans = read_plans(store)
    indicators = store.read("indicators")
    if len(indicators):
        indicators = indicators[indicators["boundary_version"].astype(str) == version]
    return MapInputs(
        province=province,
        communes=communes,
        districts=districts if len(districts) else None,
        villages=villages,
        boundary_version=version,
        village_coverage=store.read("village_coverage"),
        village_summary=store.read("village_summary"),
        sites=store.read("sites", as_of=LATEST),
        coverage=store.read("coverage"),
        services=store.read("services"),
        indicators=indicators,
        plans=plans,
        plan_villages=read_plan_villages(store, plans),
    )


def read_plans(store: Store) -> pd.DataFrame:
    """The store's ``plans`` (empty for a store older than the plan tables)."""
    from villagecov.errors import StoreError

    try:
        return store.read("plans")
    except StoreError:
        return pd.DataFrame(columns=["plan_id", "created_at"])


def read_plan_villages(store: Store, plans: pd.DataFrame) -> pd.DataFrame:
    """The villages the latest of ``plans`` covers (the unit maps count theirs); empty without a plan."""
    plan = latest_plan(plans)
    if plan is None:
        return empty("plan_villages")
    return store.read("plan_villages", where={"plan_id": str(plan["plan_id"])})


def villages_on_version(
    villages: gpd.GeoDataFrame, crosswalk: pd.DataFrame, communes: gpd.GeoDataFrame, version: str
) -> gpd.GeoDataFrame:
    """Villages with ``commune_code`` on boundary ``version``: through the crosswalk (whole-unit
    merges, weight 1), else the commune containing the village's representative point."""
    other = villages["boundary_version"].astype(str) != version
    if not other.any():
        return villages
    out = villages.copy()
    cw = crosswalk[(crosswalk["to_version"] == version) & (crosswalk["level"] == "commune")]
    mapping = {(str(f), str(c)): str(t) for f, c, t in zip(cw["from_version"], cw["from_code"], cw["to_code"], strict=True)}
    keys = zip(out["boundary_version"].astype(str), out["commune_code"].astype(str), strict=True)
    mapped = pd.Series([mapping.get(k) for k in keys], index=out.index, dtype=object)
    missing = other & mapped.isna()
    if missing.any():
        pts = gpd.GeoDataFrame(geometry=out.loc[missing].geometry.representative_point(), crs=out.crs)
        hit = gpd.sjoin(pts, communes[["code", "geometry"]], predicate="within", how="left")
        hit = hit[~hit.index.duplicated()]
        mapped.loc[missing] = hit["code"].reindex(pts.index).to_numpy()
    out.loc[other, "commune_code"] = mapped[other].where(mapped[other].notna(), out.loc[other, "commune_code"])
    out.loc[other, "boundary_version"] = version
    return out


def index_html(report: BuildReport, data: MapInputs, lang: str, built_at: str) -> str:
    """The index page listing every map in ``lang`` (plain HTML, no script): district maps, then
    commune maps grouped by district, both in Vietnamese alphabetical order."""

    def link(prefix: str, code: str, name: str) -> str:
        page = file_name(f"{prefix}-{code}", lang)
        return f'<li><a href="{escape(page)}">{escape(name)}</a></li>' if page in report.files else ""

    def units(frame: pd.DataFrame | None) -> list[tuple[str, str, str]]:
        if frame is None or frame.empty:
            return []
        parents = frame["parent_code"] if "parent_code" in frame.columns else frame["code"]
        rows = zip(frame["code"].astype(str), frame["name"].astype(str), parents.astype(str), strict=True)
        return sorted(rows, key=lambda r: vi_key(r[1]))

    banner = f'<div class="banner" role="alert">{escape(t("synthetic.banner", lang))}</div>' if data.synthetic else ""
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t('title.index', lang))}</title>",
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#1a1a1a}"
        ".banner{background:#b00020;color:#fff;font-weight:bold;padding:.4em .8em;border-radius:4px}"
        "a{color:#08306b}li{padding:.25em 0}ul.cols{columns:3}@media (max-width:640px){ul.cols{columns:1}"
        "li a{display:inline-block;min-height:44px;line-height:44px}}</style></head><body>",
        banner,
        f"<h1>{escape(t('title.index', lang))}</h1>",
        f'<p><a href="{escape(file_name("index", other_lang(lang)))}" hreflang="{other_lang(lang)}">'
        f"{escape(t('lang.switch', lang))}</a></p>",
        f'<ul><li><a href="{file_name("province", lang)}">{escape(t("index.province", lang))}</a> '
        f"({escape(t('layer.boundary_version', lang))} {escape(data.boundary_version)})</li>",
    ]
    for version in ALT_VERSIONS:
        page = file_name(f"province-{version}", lang)
        if page in report.files:
            parts.append(f'<li><a href="{page}">{escape(t("index.province", lang))} – '
                         f"{escape(t('ui.boundaries_2025', lang))}</a></li>")
    parts += [f'<li><a href="{file_name("progress", lang)}">{escape(t("index.progress", lang))}</a></li>',
              f'<li><a href="{file_name("dashboard", lang)}">{escape(t("dash.title", lang))}</a></li></ul>']
    districts = units(data.districts)
    items = "".join(link("district", c, n) for c, n, _ in districts)
    if items:
        parts.append(f"<h2>{escape(t('index.districts', lang))}</h2><ul class=\"cols\">{items}</ul>")
    communes = units(data.communes)
    if communes and any(file_name(f"commune-{c}", lang) in report.files for c, _, _ in communes):
        parts.append(f"<h2>{escape(t('index.communes', lang))}</h2>")
        groups = [(n, c) for c, n, _ in districts] or [("", None)]
        for dname, dcode in groups:
            members = [r for r in communes if dcode is None or r[2] == dcode]
            items = "".join(link("commune", c, n) for c, n, _ in members)
            if items:
                parts.append((f"<h3>{escape(dname)}</h3>" if dname else "") + f'<ul class="cols">{items}</ul>')
    parts.append(f"<p><small>{escape(t('index.built', lang))} {escape(built_at)}</small></p></body></html>")
    return "".join(parts)


ALT_VERSIONS = ("2025-07",)  # boundary versions offered as a choice beside the default one


def local_time(now: dt.datetime | None = None) -> str:
    """``06/12/2026 21:05 (UTC+7)``: the time in Việt Nam, the Vietnamese way."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.timezone(dt.timedelta(hours=7)))
    return now.strftime("%d/%m/%Y %H:%M") + " (UTC+7)"


def build_all_maps(
    store: Store,
    out_dir: Path,
    base_url: str = "",
    langs: Iterable[str] = LANGS,
    *,
    boundary_version: str | None = None,
    asset_prefix: str = "static/",
    unit_maps: bool = True,
) -> BuildReport:
    """Write all maps of ``store`` into ``out_dir`` (created) and return what was written.

    ``base_url``: the API root as the browser sees it ("" = the origin that serves the maps).
    ``unit_maps``: also write one map per district and per commune.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = read_inputs(store, boundary_version)
    # The pages only list the latest coverage streams (their polygons come as tiles): reduce once.
    streams = [latest_streams(data.coverage, raster=r) for r in (False, True)]
    data = replace(data, coverage=pd.concat([f for f in streams if len(f)] or [data.coverage.iloc[0:0]]))
    urls = ApiUrls(base=base_url)
    report = BuildReport(out_dir=out_dir, synthetic=data.synthetic)
    copy_static(out_dir / "static")
    for stale in out_dir.glob("*.html"):  # pages of an earlier build (another boundary version…)
        if stale.name.split(".", 1)[0].split("-", 1)[0] in ("index", "province", "progress", "district", "commune",
                                                             "dashboard"):
            stale.unlink()
    langs = [check_lang(lang) for lang in langs]

    def write(stem: str, lang: str, element) -> None:
        name = file_name(stem, lang)
        html = render_html(element, asset_prefix)
        (out_dir / name).write_text(html, encoding="utf-8")
        report.files[name] = len(html.encode("utf-8"))

    for lang in langs:
        alt = file_name("province", other_lang(lang))
        alt_versions = [(f"{t('index.province', lang)} – {t('ui.boundaries_2025', lang)}", file_name(f"province-{v}", lang))
                        for v in ALT_VERSIONS if v != data.boundary_version and unit_maps]
        write("province", lang, build_province_map(data, urls, lang, alternate_url=alt, extra_links=alt_versions))
        alt = file_name("progress", other_lang(lang))
        write("progress", lang, build_progress_map(data, urls, lang, alternate_url=alt))
        if unit_maps:
            for level, frame in (("district", data.districts), ("commune", data.communes)):
                for code in ([] if frame is None else frame["code"].astype(str)):
                    stem = f"{level}-{code}"
                    m = build_unit_map(data, level, code, urls, lang, alternate_url=file_name(stem, other_lang(lang)))
                    write(stem, lang, m)
    for lang in langs:
        name = file_name("dashboard", lang)
        html = dashboard_html(data, urls, lang, alternate_url=file_name("dashboard", other_lang(lang)),
                              asset_prefix=asset_prefix)
        (out_dir / name).write_text(html, encoding="utf-8")
        report.files[name] = len(html.encode("utf-8"))
    for version in ALT_VERSIONS if unit_maps else ():
        if version == data.boundary_version:
            continue
        try:
            alt_data = read_inputs(store, version)
        except NotFound:  # the store has no units of that version
            continue
        alt_data = replace(alt_data, coverage=data.coverage)
        for lang in langs:
            stem = f"province-{version}"
            write(stem, lang, build_province_map(alt_data, urls, lang, alternate_url=file_name(stem, other_lang(lang)),
                                                 unit_links=False,
                                                 extra_links=[(t("ui.boundaries_2019", lang), file_name("province", lang))]))
    built_at = local_time()
    for lang in langs:
        name = file_name("index", lang)
        html = index_html(report, data, lang, built_at)
        (out_dir / name).write_text(html, encoding="utf-8")
        report.files[name] = len(html.encode("utf-8"))
    return report
