"""Authenticated uploads: POST a file, ingest it in the background, poll its job."""

from __future__ import annotations

import hashlib
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse

from api.deps import ApiKeyDep, SettingsDep, StoreDep
from api.errors import UploadTooLarge
from api.routers.landing import base_url
from api.uploads import Jobs, UploadForm, authorize, discard, run_job
from villagecov.errors import InputError, PermissionDenied

router = APIRouter(tags=["Uploads"])
Kind = Literal["villages", "sites", "coverage", "measurements", "services"]
Technology = Literal["2G", "3G", "4G", "5G"]
CHUNK = 1 << 20


def _safe_name(name: str | None) -> str:
    base = FsPath(name or "upload").name.strip().replace("\x00", "") or "upload"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[:120]


@router.post("/uploads", status_code=202, summary="Upload a file for ingestion (API key needed)",
             responses={401: {"description": "no or invalid key"}, 403: {"description": "key not allowed"},
                        413: {"description": "file too large"}})
def upload(
    request: Request, background: BackgroundTasks, store: StoreDep, settings: SettingsDep, key: ApiKeyDep,
    kind: Annotated[Kind, Form(description="kind of input")],
    file: Annotated[UploadFile, File(description="the input file")],
    operator: Annotated[str | None, Form(max_length=32, description="operator id (operator keys: their own)")] = None,
    technology: Annotated[Technology | None, Form(description="2G, 3G, 4G or 5G")] = None,
    as_of: Annotated[str | None, Form(pattern=r"^\d{4}-\d{2}-\d{2}$", description="vintage YYYY-MM-DD")] = None,
    evidence: Annotated[Literal["declared", "modelled", "measured"] | None, Form(description="coverage evidence")] = None,
    value: Annotated[Literal["signal_dbm", "class"] | None, Form(description="coverage raster values")] = None,
    boundaries: Annotated[Literal["2019", "2025-01", "2025-07"], Form(description="boundary version of codes")] = "2019",
) -> JSONResponse:
    """202 with the job id; the ingestion runs after the response (GET /uploads/{id} to follow it)."""
    form = authorize(key, UploadForm(kind, operator or None, technology, as_of, _safe_name(file.filename),
                                     evidence, value, boundaries))
    jobs = Jobs(settings)
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
        job = jobs.create(staged, form, key, size, digest.hexdigest())
    except BaseException:
        discard(staged)
        raise
    layers = request.app.state.layers
    background.add_task(run_job, settings, job["id"], layers.clear)
    url = f"{base_url(request)}/uploads/{job['id']}"
    body = {"id": job["id"], "status": job["status"], "links": [{"href": url, "rel": "monitor",
                                                                  "type": "application/json"}]}
    return JSONResponse(body, status_code=202, headers={"Location": url})


@router.get("/uploads/{job_id}", summary="Status and validation report of an upload (API key needed)")
def upload_status(
    settings: SettingsDep, key: ApiKeyDep,
    job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="job id")],
) -> dict[str, Any]:
    job = Jobs(settings).load(job_id)
    if key.role != "admin" and job.get("key_id") != key.key_id:
        raise PermissionDenied("this key did not send that upload")
    return job
