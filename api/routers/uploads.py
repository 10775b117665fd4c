"""Authenticated uploads: POST a file, ingest it in a worker process, poll its job.

The key is checked before the body is read and the body is counted as it streams
(:class:`api.limits.UploadGuard`); the form is checked here; the rows by the ingest itself.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import AfterValidator

from villagecov.api.deps import DATE_PATTERN, ApiKeyDep, SettingsDep, calendar_date
from villagecov.api.errors import Busy, UploadTooLarge
from villagecov.api.ogc import base_url
from villagecov.api.uploads import UploadForm, authorize, scope_of
from villagecov.errors import InputError, NotFound, PermissionDenied, VillagecovError
from villagecov.jobs import Jobs, record, run_in_worker

router = APIRouter(tags=["Uploads"])
Kind = Literal["villages", "sites", "coverage", "measurements", "services"]
Technology = Literal["2G", "3G", "4G", "5G"]
CHUNK = 1 << 20
JOB_ID = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="job id")]


def _safe_name(name: str | None) -> str:
    base = FsPath(name or "upload").name.strip().replace("\x00", "")
    base = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[:120].lstrip(".")
    return base or "upload"


@router.post("/uploads", status_code=202, summary="Upload a file for ingestion (API key needed)",
             responses={202: {"description": "accepted: the job's id and a `monitor` link"},
                        401: {"description": "no, invalid, revoked or expired key"},
                        403: {"description": "key not allowed"}, 408: {"description": "the body came too slowly"},
                        413: {"description": "file too large"},
                        503: {"description": "too many uploads waiting (Retry-After)"}})
def upload(
    request: Request, background: BackgroundTasks, settings: SettingsDep, key: ApiKeyDep,
    kind: Annotated[Kind, Form(description="kind of input")],
    file: Annotated[UploadFile, File(description="the input file")],
    operator: Annotated[str | None, Form(max_length=32, description="operator id (operator keys: their own)")] = None,
    technology: Annotated[Technology | None, Form(description="2G, 3G, 4G or 5G")] = None,
    as_of: Annotated[str | None, Form(pattern=DATE_PATTERN, description="vintage YYYY-MM-DD"),
                     AfterValidator(calendar_date)] = None,
    evidence: Annotated[Literal["declared", "modelled", "measured"] | None, Form(description="coverage evidence")] = None,
    value: Annotated[Literal["signal_dbm", "class"] | None, Form(description="coverage raster values")] = None,
    boundaries: Annotated[Literal["2019", "2025-01", "2025-07"], Form(description="boundary version of codes")] = "2019",
    sheet: Annotated[str | None, Form(max_length=64, description="spreadsheets: sheet name or 1-based number "
                                      "(default: the sheet with a header row)")] = None,
    classes: Annotated[str | None, Form(max_length=500, description="class rasters: pixel values to classes, e.g. 1=strong,2=variable")] = None,
    layer: Annotated[str | None, Form(max_length=128, description="the layer of a multi-layer file")] = None,
    columns: Annotated[str | None, Form(max_length=2000, description="column renames, e.g. Lat=lat,Long=lon")] = None,
    assume_crs: Annotated[str | None, Form(pattern=r"^EPSG:\d{4,6}$", description="CRS of a file that names none")] = None,
) -> JSONResponse:
    """202 with the job id; a worker process ingests the file (GET /uploads/{id} to follow it)."""
    form = UploadForm(kind, operator or None, technology, as_of, _safe_name(file.filename), evidence, value, boundaries,
                      sheet=sheet or None, classes=classes or None, layer=layer or None, columns=columns or None,
                      assume_crs=assume_crs or None)
    try:
        form = authorize(key, form)
    except PermissionDenied as exc:
        _refused(settings, key, form, "forbidden", str(exc))
        raise
    jobs = Jobs(settings)
    if jobs.pending() >= settings.upload_queue_max:
        raise Busy(f"{settings.upload_queue_max} uploads are waiting: send this one again later")
    staged = jobs.staging()
    try:
        limit = settings.max_upload_mb * 1024 * 1024
        digest, size = hashlib.sha256(), 0
        with open(staged / form.filename, "wb") as out:
            while chunk := file.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"the file is larger than {settings.max_upload_mb} MB")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InputError("the file is empty", file=form.filename)
        job = jobs.create(staged, form.fields(size, digest.hexdigest()), scope_of(key), key.key_id)
    except BaseException as exc:
        shutil.rmtree(staged, ignore_errors=True)
        if isinstance(exc, UploadTooLarge):
            _refused(settings, key, form, "too_large", str(exc))
        raise
    background.add_task(_ingest, request, settings, job["id"])
    url = f"{base_url(request)}/uploads/{job['id']}"
    body = {"id": job["id"], "status": job["status"], "links": [{"href": url, "rel": "monitor",
                                                                  "type": "application/json"}]}
    return JSONResponse(body, status_code=202, headers={"Location": url})


def _ingest(request: Request, settings: Any, job_id: str) -> None:
    """Run the job in a worker process, at most ``upload_workers`` at once; then drop cached layers."""
    with request.app.state.upload_slots:
        run_in_worker(settings, job_id)
    request.app.state.layers.clear()


def _refused(settings: Any, key: Any, form: UploadForm, status: str, detail: str) -> None:
    try:
        record(settings, {"id": None, "key_id": key.key_id, "role": key.role, "kind": form.kind,
                          "scope": {"operator": key.operator}, "filename": form.filename, "status": status,
                          "error": detail})
    except VillagecovError:  # the audit must not turn a refusal into a server error
        pass


def _own_job(settings: Any, key: Any, job_id: str) -> dict[str, Any]:
    job = Jobs(settings).load(job_id)
    if key.role != "admin" and job.get("key_id") != key.key_id:
        raise PermissionDenied("this key did not send that upload")
    return job


_PRIVATE = ("scope", "server_pid", "worker_pid")


@router.get("/uploads/{job_id}", summary="Status and validation report of an upload (API key needed)",
            responses={401: {"description": "no or invalid key"}, 403: {"description": "another key's upload"},
                       404: {"description": "no such upload"}})
def upload_status(settings: SettingsDep, key: ApiKeyDep, job_id: JOB_ID, request: Request) -> dict[str, Any]:
    job = {k: v for k, v in _own_job(settings, key, job_id).items() if k not in _PRIVATE}
    report = job.get("report") or {}
    if isinstance(report, dict) and report.get("quarantine_file"):
        job["links"] = [{"href": f"{base_url(request)}/uploads/{job_id}/quarantine", "rel": "describedby",
                         "type": "text/csv", "title": "rejected rows"}]
    return job


@router.get("/uploads/{job_id}/quarantine", summary="The rejected rows of an upload (CSV, API key needed)",
            response_class=FileResponse,
            responses={200: {"content": {"text/csv": {}}}, 401: {"description": "no or invalid key"},
                       403: {"description": "another key's upload"}, 404: {"description": "no rejected rows"}})
def upload_quarantine(settings: SettingsDep, key: ApiKeyDep, job_id: JOB_ID) -> FileResponse:
    job = _own_job(settings, key, job_id)
    name = ((job.get("report") or {}).get("quarantine_file") or "") if isinstance(job.get("report"), dict) else ""
    sha = str(job.get("sha256") or "")
    path = FsPath(settings.archive_dir) / sha[:2] / sha / FsPath(name).name
    if not name or not sha.isalnum() or not path.is_file():
        raise NotFound(f"upload {job_id} has no rejected rows")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{job_id}-rejected.csv")
