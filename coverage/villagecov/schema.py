"""Canonical tables of the store: columns, kinds, enums, vintage keys.

Both storage backends derive their layout from :data:`TABLES`; every frame that goes in or comes
out of a store is normalised to them by :func:`villagecov.frames.normalize` so that the
GeoPackage and PostGIS backends return identical frames.

Geometry is always EPSG:4326 (lon/lat degrees). Dates are ISO strings ``YYYY-MM-DD``;
timestamps are timezone-aware UTC ``datetime64``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["str", "int", "float", "bool", "date", "datetime"]
GeometryType = Literal["Point", "MultiPolygon", "Geometry"]

STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32648"  # UTM zone 48N: areas (m²) and distances (m)
LATEST = "9999-12-31"  # "as of" any date: the latest vintage of every stream

# MCC 452 (Viet Nam) network codes -> operator id used everywhere in the store.
MNC_OPERATORS: dict[int, str] = {
    1: "mobifone",
    2: "vinaphone",
    4: "viettel",
    5: "vietnamobile",
    7: "gmobile",
}
OPERATORS: dict[str, str] = {
    "mobifone": "MobiFone",
    "vinaphone": "VinaPhone (VNPT)",
    "viettel": "Viettel",
    "vietnamobile": "Vietnamobile",
    "gmobile": "Gmobile",
    "fpt": "FPT Telecom",
    "sctv": "SCTV",
    "vnpost": "VNPost (Bưu điện Việt Nam)",
    "province": "Tỉnh / xã (public)",
}
ANY_OPERATOR = "ANY"
MOBILE_OPERATORS = ("mobifone", "vinaphone", "viettel", "vietnamobile", "gmobile")
TECHNOLOGIES = ("2G", "3G", "4G", "5G")
EVIDENCE = ("declared", "modelled", "measured")
SITE_KINDS = (
    "mobile_tower",
    "post_office",
    "commune_radio",
    "fm_transmitter",
    "dtt_transmitter",
    "fibre_pop",
)
SERVICES = ("fixed_broadband", "radio", "tv", "press", "post", "loudspeaker")
STATUSES = ("covered", "partial", "none")
LEVELS = ("province", "district", "commune", "village")
BOUNDARY_VERSIONS = ("2019", "2025-01", "2025-07")
ROLES = ("admin", "operator", "surveyor")


@dataclass(frozen=True)
class Table:
    """One canonical table.

    ``vintage_key``: the columns that identify one stream of submissions; a read "as of D"
    keeps, per vintage key, only the rows of the latest ``as_of`` at or before D. Empty for
    tables that are not vintaged.

    ``mercator``: PostGIS keeps a Web-Mercator copy of the geometry, ``geom_3857``, for the
    polygons the tiles draw (Alembic 0005); reads never see it, the GeoPackage has none.
    """

    name: str
    columns: dict[str, ColumnKind]
    geometry: GeometryType | None = None
    key: tuple[str, ...] = ()
    vintage_key: tuple[str, ...] | None = None
    indexes: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    description: str = ""
    mercator: bool = False

    @property
    def column_names(self) -> list[str]:
        cols = list(self.columns)
        return cols + ["geometry"] if self.geometry else cols


_PROV = {"source": "str", "as_of": "date", "sha256": "str"}
_SUB = {"submission_id": "str"}  # the submission (row of ``submissions``) an input row came from


def _t(name: str, columns: dict[str, ColumnKind], **kw: object) -> Table:
    return Table(name=name, columns=columns, **kw)  # type: ignore[arg-type]


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        _t(
            "admin_units",
            {
                "code": "str",
                "level": "str",
                "name": "str",
                "name_ascii": "str",
                "unit_type": "str",
                "parent_code": "str",
                "version": "str",
                "population": "int",
                "area_km2": "float",
                **_PROV,
            },
            geometry="MultiPolygon",
            mercator=True,
            key=("version", "code"),
            indexes=(("version", "level"),),
            description="Province, districts and communes per boundary version (real data).",
        ),
        _t(
            "crosswalk",
            {
                "from_version": "str",
                "from_code": "str",
                "to_version": "str",
                "to_code": "str",
                "level": "str",
                "weight": "float",
                "inferred": "bool",
                **_PROV,
            },
            key=("from_version", "from_code", "to_version"),
            description="Unit mapping between boundary versions (whole-unit merges: weight 1).",
        ),
        _t(
            "places",
            {
                "place_id": "str",
                "name": "str",
                "place_kind": "str",
                "commune_code": "str",
                "population": "int",
                **_PROV,
            },
            geometry="Point",
            key=("place_id",),
            description="District seats and other reference places.",
        ),
        _t(
            "villages",
            {
                "village_id": "str",
                "name": "str",
                "commune_code": "str",
                "boundary_version": "str",
                "population": "int",
                "households": "int",
                "remote": "bool",
                "remote_official": "bool",
                "remote_reasons": "str",
                "derived": "bool",
                "synthetic": "bool",
                **_PROV,
                **_SUB,
            },
            geometry="MultiPolygon",
            mercator=True,
            key=("village_id", "as_of"),
            vintage_key=("village_id",),
            indexes=(("commune_code",), ("village_id", "as_of")),
        ),
        _t(
            "sites",
            {
                "site_id": "str",
                "kind": "str",
                "operator": "str",
                "technologies": "str",  # comma-separated, e.g. "2G,4G"
                "height_m": "float",
                "eirp_dbm": "float",
                "in_service_from": "date",
                "in_service_to": "date",
                "n_cells": "int",
                "synthetic": "bool",
                **_PROV,
                **_SUB,
            },
            geometry="Point",
            key=("site_id", "as_of"),
            vintage_key=("site_id",),
            indexes=(("operator",), ("kind",)),
        ),
        _t(
            "coverage",
            {
                "coverage_id": "str",
                "operator": "str",
                "technology": "str",
                "evidence": "str",
                "raster_path": "str",  # COG in the archive for raster evidence, else null
                "value_kind": "str",  # polygon | signal_dbm | class
                "synthetic": "bool",
                **_PROV,
                **_SUB,
            },
            geometry="MultiPolygon",
            mercator=True,
            key=("coverage_id",),
            vintage_key=("operator", "technology", "evidence"),
            indexes=(("operator", "technology", "as_of"),),
        ),
        _t(
            "measurements",
            {
                "measurement_id": "str",
                "kind": "str",  # drive_test | crowd | ookla_tile (mobile) | ookla_fixed_tile
                "time": "datetime",
                "operator": "str",
                "technology": "str",
                "rsrp_dbm": "float",
                "rsrq_db": "float",
                "sinr_db": "float",
                "dl_mbps": "float",
                "ul_mbps": "float",
                "latency_ms": "float",
                "tests": "int",
                "devices": "int",
                "synthetic": "bool",
                **_PROV,
                **_SUB,
            },
            geometry="Geometry",
            key=("measurement_id",),
            indexes=(("operator", "technology"), ("time",)),  # time: datetime= filters (0008)
        ),
        _t(
            "services",
            {
                "village_id": "str",
                "service": "str",
                "available": "bool",
                "synthetic": "bool",
                **_PROV,
                **_SUB,
            },
            key=("village_id", "service", "as_of"),
            vintage_key=("village_id", "service"),
        ),
        _t(
            "village_coverage",
            {
                "village_id": "str",
                "operator": "str",
                "technology": "str",
                "evidence": "str",
                "as_of": "date",
                "covered_area_share": "float",
                "covered_pop_share": "float",
                "best_signal_dbm": "float",
                "status": "str",
                "n_measurements": "int",
                "measured_ok_share": "float",
                "contradicted": "bool",
                "run_id": "str",
            },
            key=("village_id", "operator", "technology", "evidence", "as_of"),
            indexes=(("as_of", "technology"), ("village_id",)),
        ),
        _t(
            "village_summary",
            {
                "village_id": "str",
                "as_of": "date",
                "commune_code": "str",
                "boundary_version": "str",
                "population": "int",
                "remote": "bool",
                "remote_reasons": "str",
                "best_technology": "str",
                "n_operators_4g": "int",
                "no_signal": "bool",
                "run_id": "str",
                # effective ANY status per technology (null: no counted evidence) and 4G share:
                # what the villages/gaps layers show, read per tile instead of re-aggregating
                "status_2g": "str",
                "status_3g": "str",
                "status_4g": "str",
                "status_5g": "str",
                "pop_share_4g": "float",
            },
            key=("village_id", "as_of"),
            indexes=(("as_of", "village_id"),),
            description="Computed per village and vintage: remoteness with reasons, best technology, status.",
        ),
        _t(
            "indicators",
            {
                "indicator": "str",
                "level": "str",
                "unit_code": "str",
                "unit_name": "str",
                "boundary_version": "str",
                "as_of": "date",
                "value": "float",
                "numerator": "float",
                "denominator": "float",
                "baseline": "float",
                "target": "float",
                "run_id": "str",
                "period": "str",  # reporting period: 2024, 2024Q3, 2024-07 or the date itself
                "status": "str",  # ok | no_data (value null, ``reason`` says why)
                "reason": "str",
            },
            key=("indicator", "level", "unit_code", "boundary_version", "as_of"),
            indexes=(("indicator", "level", "boundary_version"),),
        ),
        _t(
            "submissions",
            {
                "sha256": "str",
                "kind": "str",
                "filename": "str",
                "archive_path": "str",
                "options": "str",  # JSON
                "received_at": "datetime",
                "rows_accepted": "int",
                "rows_rejected": "int",
                "quarantine_path": "str",
                "status": "str",  # ingested | withdrawn
                # issue 15: submissions as first-class records
                "submission_id": "str",  # "sub-" + 12 hex of sha256(sha256|kind|options): stable, typeable
                "submitted_by": "str",
                "as_of": "date",  # latest date of the rows it brought
                "boundary_version": "str",
                "scope": "str",  # what it speaks for, e.g. "viettel 4G declared" or "communes 19594,…"
                "extent": "str",  # how its extent was set: footprint | valid_data | declared …
                "withdrawn_at": "datetime",
                "withdrawn_by": "str",
                "withdraw_reason": "str",
            },
            key=("sha256", "kind", "options"),
            indexes=(("submission_id",),),
            description="One row per ingested file: the audit trail of inputs.",
        ),
        _t(
            "extents",
            {"submission_id": "str", "extent_kind": "str", "description": "str"},
            geometry="MultiPolygon",
            key=("submission_id",),
            description="The area a coverage submission speaks for (EPSG:4326): it supersedes earlier "
                        "evidence of its operator × technology × evidence inside this area only.",
        ),
        _t(
            "change_log",
            {"at": "datetime", "actor": "str", "action": "str", "target": "str", "details": "str"},
            key=("at", "action", "target"),
            description="Who changed what: ingest, withdraw, compute, publish (append-only).",
        ),
        _t(
            "run_results",
            {"run_id": "str", "name": "str", "media_type": "str", "sha256": "str", "encoding": "str",
             "content": "str"},
            key=("run_id", "name"),
            description="A compute run's results as exported bytes (gzip+base64), read back by --run.",
        ),
        _t(
            "runs",
            {
                "run_id": "str",
                "kind": "str",
                "started_at": "datetime",
                "finished_at": "datetime",
                "inputs_hash": "str",
                "details": "str",  # JSON
                "status": "str",  # draft | published (immutable)
                "published_at": "datetime",
                "published_by": "str",
                "inputs": "str",  # JSON: every input (submissions + sha256, settings, rasters, grids)
            },
            key=("run_id",),
        ),
        _t(
            "plans",
            {
                "plan_id": "str",
                "created_at": "datetime",
                "technology": "str",
                "mode": "str",  # budget | target
                "weight": "str",  # population | villages
                "budget_vnd": "float",
                "target_share": "float",
                "target_value": "float",  # weight to newly cover (target mode)
                "gap_villages": "int",
                "gap_population": "float",
                "candidates": "int",
                "terrain": "bool",
                "method": "str",  # the proposed selection: greedy | ilp
                "sites": "int",
                "cost_vnd": "float",
                "capex_vnd": "float",
                "opex_vnd_per_year": "float",
                "villages_covered": "int",
                "population_covered": "float",
                "greedy_sites": "int",
                "greedy_cost_vnd": "float",
                "greedy_value": "float",
                "greedy_status": "str",
                "greedy_seconds": "float",
                "exact_sites": "int",
                "exact_cost_vnd": "float",
                "exact_value": "float",
                "exact_status": "str",  # optimal | feasible | infeasible | not_run
                "exact_seconds": "float",
                "relative_gap": "float",
                "summary": "str",  # JSON: planning/output.summary
                "synthetic": "bool",
                "source": "str",
                "as_of": "date",  # vintage of the village coverage planned on
            },
            key=("plan_id",),
            description="One row per `villagecov plan` run: totals, greedy vs exact, the summary JSON.",
        ),
        _t(
            "plan_sites",
            {
                "plan_site_id": "str",  # <plan_id>-<rank, 3 digits>
                "plan_id": "str",
                "created_at": "datetime",
                "technology": "str",
                "mode": "str",
                "rank": "int",
                "candidate_id": "str",
                "candidate_kind": "str",  # colocation | hilltop | grid
                "site_id": "str",  # existing tower of a co-location
                "operator": "str",
                "height_m": "float",
                "ground_m": "float",
                "backhaul": "str",  # existing | fibre | microwave
                "fibre_km": "float",
                "cost_vnd": "float",  # capex + plan_opex_years × opex
                "capex_vnd": "float",
                "opex_vnd_per_year": "float",
                "villages_covered": "int",
                "population_covered": "float",
                "village_ids": "str",  # ';'-separated
                "method": "str",
                "synthetic": "bool",
            },
            geometry="Point",
            key=("plan_id", "rank"),
            indexes=(("plan_id",),),
            description="Proposed sites of each plan, in the order taken.",
        ),
        _t(
            "plan_villages",
            {
                "plan_village_id": "str",  # <plan_id>-<village_id>
                "plan_id": "str",
                "technology": "str",
                "village_id": "str",
                "name": "str",
                "commune_code": "str",
                "population": "int",
                "remote": "bool",
                "status": "str",  # status before the plan: none | partial
                "uncovered_population": "float",
                "site_rank": "int",
                "plan_site_id": "str",
                "candidate_id": "str",
                "synthetic": "bool",
            },
            geometry="MultiPolygon",
            mercator=True,
            key=("plan_id", "village_id"),
            indexes=(("plan_id",),),
            description="Gap villages each plan covers, with the proposed site that completes them.",
        ),
        _t(
            "challenges",
            {
                "challenge_id": "str",
                "village_id": "str",
                "operator": "str",  # empty: the reporter did not know
                "technology": "str",
                "problem": "str",  # villagecov.challenges.PROBLEMS
                "details": "str",
                "contact": "str",  # shown to admins only
                "status": "str",  # open | upheld | rejected
                "created_at": "datetime",
                "resolved_at": "datetime",
                "resolution": "str",
                "resolved_by": "str",  # key id of the admin
                "source": "str",
            },
            key=("challenge_id",),
            indexes=(("status",), ("village_id",)),
            description="Reports that a village's coverage is wrong ('report a problem here'), for review.",
        ),
        _t(
            "api_keys",
            {
                "key_id": "str",
                "key_hash": "str",
                "role": "str",
                "operator": "str",
                "communes": "str",  # comma-separated commune codes
                "label": "str",
                "created_at": "datetime",
                "revoked": "bool",
                "expires_at": "datetime",  # null: never
                "revoked_at": "datetime",
            },
            key=("key_id",),
        ),
        _t(
            "upload_audit",
            {
                "job_id": "str",  # null for uploads refused before a job was made
                "key_id": "str",
                "role": "str",
                "operator": "str",
                "kind": "str",
                "filename": "str",
                "sha256": "str",
                "size_bytes": "int",
                "received_at": "datetime",
                "finished_at": "datetime",
                "status": "str",  # succeeded | rejected | refused | duplicate | failed | forbidden | too_large | unauthenticated
                "detail": "str",
                "rows_accepted": "int",
            },
            key=("received_at", "job_id"),
            indexes=(("key_id",), ("sha256",)),
            description="One row per upload through the API: who sent what, when, and what became of it.",
        ),
    ]
}


# Derived tables: kept by the PostGIS store for the map tiles, rebuilt from the canonical tables
# (never written through the Store interface; the GeoPackage store joins on the fly instead).
VILLAGE_LAYER = _t(
    "village_layer",
    {
        "village_id": "str",
        "name": "str",
        "commune_code": "str",
        "population": "int",
        "remote": "bool",
        "status_2g": "str",
        "status_3g": "str",
        "status_4g": "str",
        "status_5g": "str",
        "pop_share_4g": "float",
        "operators_4g": "int",
        "uncovered_population": "int",  # people without 4G (villagecov.compute.people)
        "gap_rank": "int",  # null: not a gap village
    },
    geometry="MultiPolygon",
    mercator=True,  # a copy of the villages' geom_3857, not computed
    description="One row per village of the latest register with its status in the latest computed "
                "vintage (Alembic 0007; villagecov.storage.village_layer rebuilds it).",
)
DERIVED_TABLES: dict[str, Table] = {VILLAGE_LAYER.name: VILLAGE_LAYER}


def table(name: str) -> Table:
    """The :class:`Table` called ``name``; :class:`KeyError` with the known names otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(TABLES)}") from None
