"""The publishing layer: the published layers (OGC collections), what each one is and how its
frame is built. The API serves them (collections, items, tiles, exports); it lives in the library
so that anything else publishing the same layers reads the same frames.

A layer frame is a GeoDataFrame in EPSG:4326 with the collection's properties and ``geometry``,
one row per feature, ordered by the feature id. Frames are cached per store state (see
:class:`LayerCache`), so paging and tiling do not re-read the store on every request.

Villages carry their coverage status per technology (any operator; the effective status of the
counted evidence kinds, as ``villagecov compute`` stored it in ``village_summary`` for the latest
computed vintage at or before the requested date), the number of operators covering them with 4G and their village-level
indicators (``ind_*``). Gaps are the villages whose 4G status is
``none`` or ``partial``, ranked by the population left without 4G (largest first). ``plan`` and
``plan-villages`` are versioned: they show one plan at a time (the latest, or ``plan_id=``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov import runs
from villagecov.compute.people import people_without
from villagecov.errors import NotFound
from villagecov.rules import gap_order, is_gap, latest_per_key, latest_vintage, whole_people
from villagecov.schema import LATEST, STORAGE_CRS, TECHNOLOGIES, table
from villagecov.storage import Store

Temporal = Literal["vintage", "time", "fixed"]

ADMIN_PROPS = ("code", "name", "name_ascii", "unit_type", "level", "parent_code", "version", "population",
               "area_km2")
VILLAGE_TILE_PROPS = ("village_id", "name", "commune_code", "population", "remote", "status_2g", "status_3g",
                      "status_4g", "status_5g", "pop_share_4g", "operators_4g")
VILLAGE_PROPS = ("village_id", "name", "commune_code", "boundary_version", "population", "households", "remote",
                 "remote_reasons", "derived", "synthetic", "as_of", "status_2g", "status_3g", "status_4g",
                 "status_5g", "pop_share_4g", "operators_4g")
GAP_PROPS = ("rank", "village_id", "name", "commune_code", "population", "uncovered_population", "remote",
             "status_4g", "pop_share_4g", "operators_4g")
SITE_PROPS = ("site_id", "kind", "operator", "technologies", "height_m", "in_service_from", "in_service_to",
              "n_cells", "synthetic", "as_of")
COVERAGE_PROPS = ("coverage_id", "operator", "technology", "evidence", "value_kind", "synthetic", "as_of")
MEASUREMENT_PROPS = ("measurement_id", "kind", "time", "operator", "technology", "rsrp_dbm", "dl_mbps", "ul_mbps",
                     "latency_ms", "tests", "synthetic")
PLAN_SITE_PROPS = ("plan_site_id", "plan_id", "created_at", "technology", "mode", "rank", "candidate_kind", "site_id",
                   "operator", "height_m", "backhaul", "fibre_km", "cost_vnd", "capex_vnd", "opex_vnd_per_year",
                   "villages_covered", "population_covered", "village_ids", "method", "synthetic")
PLAN_SITE_TILE_PROPS = ("plan_site_id", "plan_id", "rank", "candidate_kind", "cost_vnd", "villages_covered",
                        "population_covered")
PLAN_VILLAGE_PROPS = ("plan_village_id", "plan_id", "technology", "village_id", "name", "commune_code", "population",
                      "remote", "status", "uncovered_population", "site_rank", "plan_site_id", "synthetic")
PLAN_VILLAGE_TILE_PROPS = ("plan_village_id", "plan_id", "village_id", "name", "status", "uncovered_population",
                           "site_rank")


@dataclass(frozen=True)
class Collection:
    """One published layer. ``properties``: item properties; ``tile_properties``: MVT attributes."""

    id: str
    title: str
    description: str
    table: str
    id_column: str
    properties: tuple[str, ...]
    tile_properties: tuple[str, ...]
    temporal: Temporal
    where: dict[str, str] = field(default_factory=dict)
    tile_order: tuple[tuple[str, bool], ...] = ()  # (column, descending): kept first when capped
    geometry_type: str = "MultiPolygon"
    # One version of the layer is shown at a time (e.g. ``plan_id``: one plan): the latest unless
    # the request names one with a query parameter of that name (items and tiles).
    version_column: str | None = None

    def __post_init__(self) -> None:
        # PostGIS tiles are sorted by the encoder, which sees only the attributes it writes.
        if any(c not in self.tile_properties for c, _ in self.tile_order):
            raise ValueError(f"{self.id}: tile_order must name tile properties")

    def prop_kind(self, name: str) -> str:
        """Column kind (str/int/float/bool/date/datetime) of a property."""
        derived = {"status_2g": "str", "status_3g": "str", "status_4g": "str", "status_5g": "str",
                   "pop_share_4g": "float", "operators_4g": "int", "rank": "int",
                   "uncovered_population": "int"}
        if name in derived:
            return derived[name]
        cols = table(self.table).columns
        return cols.get(name, "float" if name.startswith("ind_") else "str")


def _admin(level: str, version: str, cid: str | None = None) -> Collection:
    plural = {"province": "province", "district": "districts", "commune": "communes"}[level]
    return Collection(
        id=cid or f"{plural}-{version}",
        title=f"{plural.capitalize()} ({version} boundaries)",
        description=f"Quảng Bình {plural}, boundary version {version} (real boundaries, EPSG:4326).",
        table="admin_units", id_column="code", properties=ADMIN_PROPS, tile_properties=ADMIN_PROPS,
        temporal="fixed", where={"level": level, "version": version}, tile_order=(("code", False),),
    )


FIXED: dict[str, Collection] = {c.id: c for c in [
    Collection("villages", "Villages (thôn, bản, tổ dân phố)",
               "Villages with their coverage status per technology (any operator) and village-level indicators.",
               "villages", "village_id", VILLAGE_PROPS, VILLAGE_TILE_PROPS, "vintage",
               tile_order=(("population", True), ("village_id", False))),
    Collection("gaps", "Villages without 4G, ranked",
               "Villages whose 4G status is none or partial, ranked by population without 4G (largest first).",
               "villages", "village_id", GAP_PROPS, GAP_PROPS, "vintage", tile_order=(("rank", False),)),
    Collection("sites", "Sites", "Mobile towers, post offices, radio/TV transmitters and fibre PoPs.",
               "sites", "site_id", SITE_PROPS, SITE_PROPS, "vintage", tile_order=(("site_id", False),),
               geometry_type="Point"),
    Collection("coverage", "Declared coverage",
               "Coverage polygons declared by operators, latest vintage per operator and technology.",
               "coverage", "coverage_id", COVERAGE_PROPS, COVERAGE_PROPS, "vintage",
               where={"evidence": "declared"}, tile_order=(("coverage_id", False),)),
    Collection("measurements", "Measurements", "Drive tests, crowd tests and speed-test tiles.",
               "measurements", "measurement_id", MEASUREMENT_PROPS, MEASUREMENT_PROPS, "time",
               tile_order=(("measurement_id", False),), geometry_type="Geometry"),
]}
PLAN: dict[str, Collection] = {c.id: c for c in [
    Collection("plan", "Proposed sites of the latest plan",
               "New sites proposed by the latest `villagecov plan` run (rank = order taken, cost in VND, villages "
               "and people each completes); `plan_id=` shows an earlier plan.",
               "plan_sites", "plan_site_id", PLAN_SITE_PROPS, PLAN_SITE_TILE_PROPS, "fixed",
               tile_order=(("rank", False),), geometry_type="Point", version_column="plan_id"),
    Collection("plan-villages", "Villages the latest plan covers",
               "Gap villages the latest plan's proposed sites cover, each with the site that completes it; "
               "`plan_id=` shows an earlier plan.",
               "plan_villages", "plan_village_id", PLAN_VILLAGE_PROPS, PLAN_VILLAGE_TILE_PROPS, "fixed",
               tile_order=(("site_rank", False), ("village_id", False)), version_column="plan_id"),
]}


# Layers that can hold millions of rows (crowd tests): bbox requests read only their area.
BIG = frozenset({"measurements"})


def plans_table(store: Store) -> pd.DataFrame | None:
    """The store's ``plans`` rows (no ``summary``), newest last; None when the store predates them."""
    from villagecov.errors import StoreError

    try:
        plans = store.read("plans")
    except StoreError:
        return None
    return plans.drop(columns="summary").sort_values(["created_at", "plan_id"], kind="stable").reset_index(drop=True)


def catalog(store: Store) -> dict[str, Collection]:
    """Every collection of ``store``: admin layers for each (level, version) present, then the fixed ones."""
    units = store.read("admin_units").drop(columns="geometry")
    pairs = units[["level", "version"]].drop_duplicates()
    out: dict[str, Collection] = {}
    order = {"province": 0, "district": 1, "commune": 2}
    rows = sorted(((str(r.level), str(r.version)) for r in pairs.itertuples()), key=lambda p: (order.get(p[0], 9), p[1]))
    provinces = [v for lvl, v in rows if lvl == "province"]
    if provinces:
        out["province"] = _admin("province", max(provinces), "province")
    for level, version in rows:
        if level in order:
            c = _admin(level, version)
            out[c.id] = c
    out.update(FIXED)
    if plans_table(store) is not None:
        out.update(PLAN)
    return out


# -- frames ---------------------------------------------------------------------------------


def _vintage_date(as_of: str | None) -> str:
    return as_of or LATEST


def latest_rows(frame: pd.DataFrame, keys: list[str], as_of: str) -> pd.DataFrame:
    """Rows with ``as_of`` ≤ the date and, per ``keys``, only the latest ``as_of``."""
    return latest_per_key(frame, keys, as_of)


SUMMARY_STATUS = {**{f"status_{t.lower()}": f"status_{t.lower()}" for t in TECHNOLOGIES},
                  "pop_share_4g": "pop_share_4g", "n_operators_4g": "operators_4g"}


def village_status(store: Store, as_of: str, run: str | None = None) -> pd.DataFrame:
    """Per village: ``status_<tech>`` (any operator), ``pop_share_4g``, ``operators_4g``; index village_id.

    Read from the ``village_summary`` rows of the latest computed vintage at or before ``as_of``
    (a compute run writes every village known at each vintage), where the compute run stored them
    from the effective shares of the counted evidence kinds, as the indicators count them: one row
    per village instead of aggregating village_coverage per request. With ``run``: the rows that
    compute run kept (``villagecov runs``), as it published them, instead of the store's current ones.
    """
    rows = runs.read_table(store, run, "village_summary") if run else store.read("village_summary")
    summary = latest_vintage(rows, as_of)
    out = summary.set_index("village_id")[list(SUMMARY_STATUS)].rename(columns=SUMMARY_STATUS)
    return out[~out.index.duplicated(keep="last")]


def village_indicators(store: Store, as_of: str, run: str | None = None) -> pd.DataFrame:
    """Village-level indicators as columns ``ind_<indicator>`` (dots → underscores); index village_id.
    With ``run``: the indicators that compute run kept."""
    if run:
        ind = runs.read_table(store, run, "indicators")
        ind = ind[ind["level"] == "village"]
    else:
        ind = store.read("indicators", where={"level": "village"})
    ind = latest_rows(ind, ["indicator", "unit_code"], as_of)
    if ind.empty:
        return pd.DataFrame(index=pd.Index([], name="village_id", dtype=object))
    wide = ind.pivot_table(index="unit_code", columns="indicator", values="value", aggfunc="last")
    wide.columns = ["ind_" + str(c).replace(".", "_") for c in wide.columns]
    wide.index.name = "village_id"
    return wide


def villages_frame(store: Store, as_of: str | None, run: str | None = None) -> gpd.GeoDataFrame:
    """The villages layer at ``as_of``; with ``run``, their status and indicators as that compute run
    kept them (an official, published run reads the same whatever was ingested since)."""
    d = _vintage_date(as_of)
    villages = store.read("villages", as_of=d)
    status = village_status(store, d, run)
    inds = village_indicators(store, d, run)
    out = villages.join(status, on="village_id").join(inds, on="village_id")
    for tech in TECHNOLOGIES:
        col = f"status_{tech.lower()}"
        if col not in out:
            out[col] = None
    if "pop_share_4g" not in out:
        out["pop_share_4g"] = np.nan
    ops = out["operators_4g"] if "operators_4g" in out else pd.Series(np.nan, index=out.index)
    out["operators_4g"] = pd.to_numeric(ops).fillna(0).astype("Int64")
    extra = sorted(c for c in out.columns if c.startswith("ind_"))
    out = out[[*VILLAGE_PROPS, *extra, "geometry"]]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS).sort_values("village_id").reset_index(drop=True)


def gaps_frame(store: Store, as_of: str | None) -> gpd.GeoDataFrame:
    v = villages_frame(store, as_of)
    v = v[is_gap(v["status_4g"])].copy()
    people = people_without(v["population"], v["pop_share_4g"])  # the one definition (villagecov.compute.people)
    v["uncovered_population"] = pd.array(whole_people(people), dtype="Int64")
    v = gap_order(v, people)  # the one gap ranking (villagecov.rules)
    v["rank"] = pd.array(np.arange(1, len(v) + 1), dtype="Int64")
    return gpd.GeoDataFrame(v[[*GAP_PROPS, "geometry"]], geometry="geometry", crs=STORAGE_CRS).reset_index(drop=True)


def build_frame(
    store: Store, coll: Collection, as_of: str | None, version: str | None = None,
    bbox: tuple[float, float, float, float] | None = None, feature_id: str | None = None,
) -> gpd.GeoDataFrame:
    """The full frame of ``coll`` at vintage ``as_of`` (None: latest), ordered by feature id.

    ``version``: for a versioned collection, the version to show (None: none, an empty frame).
    ``bbox`` (lon/lat degrees, plain tables only): only the rows the store finds in it — a
    prefilter (bounding boxes on GeoPackage); callers still test the exact geometry.
    ``feature_id`` (plain tables only): that feature alone.
    """
    if coll.id == "villages":
        return villages_frame(store, as_of)
    if coll.id == "gaps":
        return gaps_frame(store, as_of)
    spec = table(coll.table)
    where: dict[str, Any] = dict(coll.where)
    if coll.version_column:
        where[coll.version_column] = [version] if version is not None else []
    if feature_id is not None:
        where[coll.id_column] = feature_id
    frame = store.read(coll.table, where=where or None, bbox=bbox,
                       as_of=_vintage_date(as_of) if coll.temporal == "vintage" and spec.vintage_key else None)
    if coll.id == "coverage":
        frame = frame[frame["raster_path"].isna() & frame.geometry.notna()]
    return published(frame, coll).sort_values(coll.id_column, kind="stable").reset_index(drop=True)


def published(frame: pd.DataFrame, coll: Collection) -> gpd.GeoDataFrame:
    """Store rows as the collection publishes them: its properties (times as ISO text) and geometry."""
    if coll.temporal == "time" and "time" in frame:
        frame = frame.assign(time=frame["time"].map(lambda t: None if pd.isna(t) else t.isoformat()))
    return gpd.GeoDataFrame(frame[[*coll.properties, "geometry"]], geometry="geometry", crs=STORAGE_CRS)


# -- cache ----------------------------------------------------------------------------------


class LayerCache:
    """Frames of recently used (collection, vintage) pairs, dropped when the store changes
    (:meth:`Store.state_token`).

    The store's state is checked at most once per ``token_ttl_s`` seconds, so a change made by
    another process shows after at most that long; uploads through this app clear it at once.
    """

    def __init__(
        self, max_entries: int = 32, token_ttl_s: float = 1.0
    ) -> None:
        self.max_entries = max_entries
        self.token_ttl_s = token_ttl_s  # how long a store-state check is trusted: the staleness bound
        self._checked = 0.0
        self._token: str | None = None
        self._frames: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()
        self._build_lock = threading.RLock()

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._token = None

    def catalog(self, store: Store) -> dict[str, Collection]:
        """:func:`catalog`, cached like the frames."""
        return self.get(store, ("__catalog__", None), lambda: catalog(store))  # type: ignore[return-value]

    def collection(self, store: Store, collection_id: str) -> Collection:
        cols = self.catalog(store)
        if collection_id not in cols:
            raise NotFound(f"no collection {collection_id!r}; see /collections")
        return cols[collection_id]

    def peek(self, coll: Collection, as_of: str | None) -> gpd.GeoDataFrame | None:
        """The cached frame if there is one (no store access, possibly up to ``token_ttl_s`` old)."""
        with self._lock:
            return self._frames.get((coll.id, as_of))

    def frame(self, store: Store, coll: Collection, as_of: str | None, version: str | None = None) -> gpd.GeoDataFrame:
        """The frame of ``coll``; a versioned collection shows ``version`` (None: the latest)."""
        if not coll.version_column:
            return self.get(store, (coll.id, as_of), lambda: build_frame(store, coll, as_of))
        chosen = self.version(store, coll, version)
        return self.get(store, (f"{coll.id}@{chosen}", as_of),
                        lambda: build_frame(store, coll, as_of, chosen))

    def frame_in(self, store: Store, coll: Collection, bbox: tuple[float, float, float, float] | None,
                 as_of: str | None = None, version: str | None = None) -> gpd.GeoDataFrame:
        """The rows of ``coll`` a ``bbox`` (degrees) needs: a bbox-filtered store read for the
        :data:`BIG` layers (never held whole in memory), else the cached whole frame."""
        if coll.id in BIG and bbox is not None:
            return build_frame(store, coll, as_of, version, bbox=bbox)
        return self.frame(store, coll, as_of, version)

    def tile_frame(self, store: Store, coll: Collection, bbox: tuple[float, float, float, float],
                   as_of: str | None = None, version: str | None = None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        """The rows of ``coll`` a tile over ``bbox`` (degrees) needs (:meth:`frame_in`) and their
        geometries in EPSG:3857, cached with the whole frame (reprojected once, not per tile)."""
        if coll.id in BIG:
            frame = self.frame_in(store, coll, bbox, as_of, version)
            return frame, frame.geometry.to_crs(3857).values
        frame = self.frame(store, coll, as_of, version)
        key = coll.id if version is None else f"{coll.id}@{version}"
        return frame, self.get(store, (key + "@3857", as_of), lambda: frame.geometry.to_crs(3857).values)

    def sample(self, store: Store, coll: Collection, bbox: tuple[float, float, float, float],
               limit: int) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
        """At most ``limit`` features of ``coll`` in ``bbox`` (:meth:`Store.sample`: a low-zoom tile of
        a big point layer), their EPSG:3857 geometries and how many there are in all."""
        rows, total = store.sample(coll.table, bbox, limit)
        frame = published(rows, coll)
        return frame, frame.geometry.to_crs(3857).values, total

    def feature(self, store: Store, coll: Collection, feature_id: str, version: str | None = None) -> gpd.GeoDataFrame:
        """The rows of ``coll`` with that id: a filtered store read for the :data:`BIG` layers, else
        from the cached whole frame."""
        if coll.id in BIG:
            return build_frame(store, coll, None, version, feature_id=feature_id)
        frame = self.frame(store, coll, None, version)
        return frame[frame[coll.id_column].astype(str) == feature_id]

    def version(self, store: Store, coll: Collection, requested: str | None) -> str | None:
        """The version of ``coll`` to show: ``requested`` (:class:`NotFound` if unknown) or the latest
        (None when there is none). Plans are the only versioned layers: versions are ``plan_id``."""
        plans = self.get(store, ("__plans__", None), lambda: plans_table(store))
        ids = [] if plans is None else plans["plan_id"].tolist()
        if requested is None:
            return ids[-1] if ids else None
        if requested not in ids:
            raise NotFound(f"no plan {requested!r}; the plans are listed by /plans")
        return requested

    def token(self, store: Store) -> str:
        """The store-state token, re-read at most once per ``token_ttl_s``; a new one empties the cache."""
        now = time.monotonic()
        if self._token is not None and now - self._checked <= self.token_ttl_s:
            return self._token
        token = store.state_token()
        with self._lock:
            self._checked = now
            if token != self._token:
                self._frames.clear()
                self._token = token
        return token

    def get(self, store: Store, key: tuple[str, str | None], build: Callable[[], Any]) -> Any:
        """The cached value under ``key``, built with ``build()`` when missing or stale."""
        token = self.token(store)
        with self._lock:
            hit = self._frames.get(key) if token == self._token else None
        if hit is not None:
            return hit
        with self._build_lock:  # one build at a time: concurrent misses wait for the first
            with self._lock:
                hit = self._frames.get(key) if self._token == token else None
            if hit is not None:
                return hit
            frame = build()
            with self._lock:
                if len(self._frames) >= self.max_entries:
                    self._frames.pop(next(iter(self._frames)))
                if self._token == token:
                    self._frames[key] = frame
            return frame


@dataclass(frozen=True)
class StoreFrames:
    """The layer cache bound to one store: the frames and the memo that store's tiles read
    (:class:`villagecov.storage.tiles.LayerFrames`, passed to :meth:`Store.tile`)."""

    cache: LayerCache
    store: Store

    def get(self, key: tuple[str, str | None], build: Callable[[], Any]) -> Any:
        return self.cache.get(self.store, key, build)

    def tile_frame(self, coll: Collection, bbox: tuple[float, float, float, float], as_of: str | None,
                   version: str | None) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        return self.cache.tile_frame(self.store, coll, bbox, as_of, version)

    def sample(self, coll: Collection, bbox: tuple[float, float, float, float],
               limit: int) -> tuple[gpd.GeoDataFrame, np.ndarray, int]:
        return self.cache.sample(self.store, coll, bbox, limit)
