"""Indicators for the dashboard: tables (JSON or CSV) and progress series."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagecov.api.dashboard import indicator_series, indicator_table
from villagecov.api.deps import IsoDate, SettingsDep, StoreDep, cached
from villagecov.api.features import records
from villagecov.api.ogc import base_url
from villagecov.schema import BOUNDARY_VERSIONS, LEVELS
from villagecov.spreadsheet import neutralise_formulas

router = APIRouter(tags=["Indicators"])
Level = Literal["province", "district", "commune", "village"]
Boundaries = Literal["2019", "2025-01", "2025-07"]
assert set(Level.__args__) == set(LEVELS) and set(Boundaries.__args__) == set(BOUNDARY_VERSIONS)  # type: ignore[attr-defined]


@router.get("/indicators", summary="Indicator values (JSON or CSV)",
            responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
def indicators(
    request: Request, store: StoreDep, settings: SettingsDep,
    level: Annotated[Level | None, Query(description="province, district, commune or village")] = None,
    code: Annotated[str | None, Query(max_length=64, description="unit code (GSO) or village id")] = None,
    as_of: IsoDate = None,
    boundaries: Annotated[Boundaries | None, Query(description="boundary version")] = None,
    indicator: Annotated[str | None, Query(max_length=128, description="indicator id, e.g. t8.villages_4g_share")] = None,
    f: Annotated[Literal["json", "csv"], Query(description="output format")] = "json",
    period: Annotated[str | None, Query(max_length=16, description="reporting period: 2024, 2024Q3, 2024-07")] = None,
    run: Annotated[str | None, Query(max_length=64, description="a compute run's kept figures (see /runs)")] = None,
) -> Response:
    frame = indicator_table(store, level=level, code=code, as_of=as_of, boundaries=boundaries, indicator=indicator,
                            period=period, run=run)
    if f == "csv":
        body = neutralise_formulas(frame).to_csv(index=False).encode("utf-8")
        return cached(request, body, "text/csv; charset=utf-8", settings.items_max_age_s,
                      {"Content-Disposition": 'attachment; filename="indicators.csv"'})
    doc: dict[str, Any] = {
        "numberReturned": len(frame),
        "indicators": records(frame, list(frame.columns)),
        "links": [{"href": f"{base_url(request)}/indicators" + (f"?{request.url.query}" if request.url.query else ""),
                   "rel": "self", "type": "application/json"},
                  {"href": f"{base_url(request)}/indicators?{request.url.query}&f=csv".replace("?&", "?"),
                   "rel": "alternate", "type": "text/csv"}],
    }
    return cached(request, json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/json",
                  settings.items_max_age_s)


@router.get("/indicators/catalogue", summary="The indicator catalogue: definition, unit, numerator, denominator, source")
def catalogue(
    lang: Annotated[Literal["vi", "en"], Query(description="language of names and units")] = "vi",
) -> dict[str, Any]:
    from villagecov.catalogue import GROUPS, records

    groups = [{"group": g, "name": vi if lang == "vi" else en, "basis": basis} for g, (vi, en, basis) in GROUPS.items()]
    return {"indicators": records(lang), "groups": groups,
            "breakdown": "<indicator>:<group> — the same indicator over the villages of one target group"}


@router.get("/indicators/{indicator_id}/series", summary="Progress of one indicator for one unit")
def series(
    store: StoreDep,
    indicator_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]+$", description="indicator id (breakdowns: id:group)")],
    level: Annotated[Level, Query(description="province, district, commune or village")] = "province",
    code: Annotated[str | None, Query(max_length=64, description="unit code (default: the only unit)")] = None,
    boundaries: Annotated[Boundaries | None, Query(description="boundary version")] = None,
) -> dict[str, Any]:
    return indicator_series(store, indicator_id, level=level, code=code, boundaries=boundaries)
