"""The annual report (XLSX, PDF, CSV) built from the store's run, and the survey template."""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagecov.api.deps import SettingsDep, StoreDep
from villagecov.api.ogc import base_url

router = APIRouter(tags=["Reports"])
Level = Literal["province", "district", "commune"]
Boundaries = Literal["2019", "2025-01", "2025-07"]
Fmt = Literal["xlsx", "pdf", "csv"]


@router.get("/reports", summary="The report periods available and the links to each report")
def reports_index(request: Request, store: StoreDep) -> dict[str, Any]:
    from villagecov.reporting.load import pick_run

    run = pick_run(store.read("runs"))
    ind = store.read("indicators", where={"level": "province", "run_id": str(run["run_id"])})
    years = sorted({str(d)[:4] for d in ind["as_of"].dropna()})
    root = base_url(request)
    return {"run_id": str(run["run_id"]), "periods": years,
            "links": [{"href": f"{root}/reports/{y}.{f}", "rel": "item", "title": f"{y} ({f})"}
                      for y in years for f in ("xlsx", "pdf", "csv")]}


@router.get("/reports/{period}.{fmt}", summary="The annual report of a period (year or date) as XLSX, PDF or CSV",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/csv": {},
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
                       404: {"description": "no indicators for the period, or a level that does not exist"}})
def report(
    store: StoreDep, settings: SettingsDep,
    period: Annotated[str, Path(pattern=r"^\d{4}(-\d{2}-\d{2})?$", description="year 2024 or date 2024-12-31")],
    fmt: Annotated[Fmt, Path(description="file format")],
    level: Annotated[Level, Query(description="province or commune (district before 2025-07)")] = "province",
    boundaries: Annotated[Boundaries, Query(description="boundary version")] = "2019",
    lang: Annotated[Literal["vi", "en"], Query(description="language (Vietnamese first)")] = "vi",
    unit: Annotated[str | None, Query(max_length=64, description="only this unit code")] = None,
) -> Response:
    from villagecov.reporting import MEDIA_TYPES, file_name, write_report
    from villagecov.reporting.load import load_report
    from villagecov.reporting.names import ReportNames
    from villagecov.targets import load_targets

    rep = load_report(store, period=period, level=level, boundaries=boundaries, targets=load_targets(
        settings.targets_file), names=ReportNames.from_settings(settings), lang=lang, unit=unit)
    name = file_name(rep, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_report(rep, FsPath(tmp) / name, fmt)
        body = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Villagecov-Run": rep.run_id,
               "Cache-Control": "no-store"}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/reports/survey/{commune}.xlsx", summary="The pre-filled Task 9 survey workbook of one commune",
            response_class=Response,
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def survey_template(
    store: StoreDep,
    commune: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="commune code")],
) -> Response:
    from villagecov.reporting import MEDIA_TYPES
    from villagecov.reporting.survey_template import survey_frame, write_survey_template

    frame = survey_frame(store, commune)
    synthetic = bool(store.read("villages", where={"commune_code": commune})["synthetic"].fillna(False).any())
    name = ("SYNTHETIC_" if synthetic else "") + f"khao-sat_{commune}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        body = write_survey_template(frame, FsPath(tmp) / name, commune, synthetic).read_bytes()
    return Response(body, media_type=MEDIA_TYPES["xlsx"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
