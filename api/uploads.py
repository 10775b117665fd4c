"""Authenticated uploads: who may send what, the job records, and the background ingestion.

A job is a folder ``<archive_dir>/uploads/<job_id>/`` holding the uploaded file and
``job.json`` (status, options, validation report). Status: ``queued`` → ``running`` →
``succeeded`` | ``rejected`` (the file was unusable; the report says why) | ``refused`` (rows
outside the key's scope; nothing ingested) | ``duplicate`` (already ingested; nothing changed) |
``failed`` (server-side problem).

Rules (:mod:`villagecov.scope`): an admin key may upload anything; an operator key only its own
operator's sites, coverage and measurements; a surveyor key only service surveys of villages in
its communes. The form is checked here, before the file is stored; the rows are checked by the
ingest itself, on the rows it is about to store, inside its transaction.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from villagecov.apikeys import ApiKey
from villagecov.errors import (
    DuplicateSubmission,
    InputError,
    NotFound,
    OutOfScope,
    PermissionDenied,
    VillagecovError,
)
from villagecov.schema import OPERATORS
from villagecov.scope import ROLE_KINDS, UploadScope
from villagecov.settings import Settings
from villagecov.storage import open_store

log = logging.getLogger("villagecov.api.uploads")
KINDS = ("villages", "sites", "coverage", "measurements", "services")


@dataclass(frozen=True)
class UploadForm:
    kind: str
    operator: str | None
    technology: str | None
    as_of: str | None
    filename: str
    evidence: str | None = None
    value: str | None = None
    boundaries: str = "2019"

    def options(self) -> dict[str, str]:
        """The ingest options (:class:`villagecov.sources.common.IngestOptions` fields)."""
        opts = {k: v for k, v in (("operator", self.operator), ("technology", self.technology),
                                  ("as_of", self.as_of), ("evidence", self.evidence), ("value", self.value)) if v}
        return {**opts, "boundary_version": self.boundaries}


def scope_of(key: ApiKey) -> UploadScope:
    return UploadScope(key.role, key.operator, key.communes)


def authorize(key: ApiKey, form: UploadForm) -> UploadForm:
    """The form as it will be ingested; :class:`PermissionDenied` when the key may not send it."""
    if form.kind not in KINDS:
        raise InputError(f"unknown kind {form.kind!r}: use {', '.join(KINDS)}", field="kind")
    if form.operator is not None and form.operator not in OPERATORS:
        raise InputError(f"unknown operator {form.operator!r}", field="operator")
    if key.role not in ("admin", *ROLE_KINDS):
        raise PermissionDenied(f"role {key.role!r} cannot upload")
    if not scope_of(key).may_upload(form.kind):
        raise PermissionDenied(f"a {key.role} key cannot upload {form.kind}")
    if key.role == "operator":
        if form.operator not in (None, key.operator):
            raise PermissionDenied(f"this key uploads only {key.operator}'s data, not {form.operator}'s")
        return dataclasses.replace(form, operator=key.operator)
    return form


class Jobs:
    """Upload jobs on disk under ``<archive_dir>/uploads``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.archive_dir) / "uploads"

    def staging(self) -> Path:
        """A new private folder for an incoming file (removed if the upload is refused)."""
        path = self.root / f".incoming-{uuid.uuid4().hex}"
        path.mkdir(parents=True, exist_ok=False)
        return path

    def create(self, staged: Path, form: UploadForm, key: ApiKey, size: int, sha256: str) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        folder = self.root / job_id
        staged.rename(folder)
        job = {
            "id": job_id, "status": "queued", "kind": form.kind, "operator": form.operator,
            "technology": form.technology, "as_of": form.as_of, "filename": form.filename,
            "options": form.options(),
            "size_bytes": size, "sha256": sha256, "key_id": key.key_id, "role": key.role,
            "scope": {"role": key.role, "operator": key.operator, "communes": sorted(key.communes)},
            "created_at": _now(), "started_at": None, "finished_at": None, "report": None, "error": None,
        }
        self.save(job)
        return job

    def path(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise NotFound(f"no upload {job_id!r}")
        return self.root / job_id / "job.json"

    def load(self, job_id: str) -> dict[str, Any]:
        path = self.path(job_id)
        if not path.exists():
            raise NotFound(f"no upload {job_id!r}")
        return json.loads(path.read_text(encoding="utf-8"))

    def save(self, job: dict[str, Any]) -> None:
        path = self.path(job["id"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(job, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
        tmp.replace(path)

    def file(self, job: dict[str, Any]) -> Path:
        return self.root / job["id"] / Path(job["filename"]).name


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def report_dict(report: Any) -> Any:
    """The ingest report as JSON-ready data."""
    if report is None:
        return None
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        report = dataclasses.asdict(report)
    elif hasattr(report, "model_dump"):
        report = report.model_dump()
    elif hasattr(report, "to_dict"):
        report = report.to_dict()
    return json.loads(json.dumps(report, default=str, ensure_ascii=False))


def run_job(settings: Settings, job_id: str, on_change: Callable[[], None] | None = None) -> None:
    """Ingest the job's file with :func:`villagecov.ingest.ingest_file` and record the outcome."""
    jobs = Jobs(settings)
    job = jobs.load(job_id)
    job.update(status="running", started_at=_now())
    jobs.save(job)
    try:
        try:
            ingest_file = importlib.import_module("villagecov.ingest").ingest_file
            ingest_options = importlib.import_module("villagecov.sources.common").IngestOptions
        except (ImportError, AttributeError):
            raise VillagecovError("ingestion is not available in this version of villagecov") from None
        options = ingest_options(**job["options"])
        store = open_store(settings.store)
        try:
            scope = UploadScope(job["scope"]["role"], job["scope"]["operator"], frozenset(job["scope"]["communes"]))
            report = ingest_file(settings, store, job["kind"], jobs.file(job), options, scope=scope)
        finally:
            store.close()
        job.update(status="succeeded", report=report_dict(report))
    except DuplicateSubmission as exc:
        job.update(status="duplicate", error=str(exc))
    except OutOfScope as exc:
        job.update(status="refused", error=str(exc), report=exc.report)
    except InputError as exc:
        job.update(status="rejected", error=str(exc), report=report_dict(getattr(exc, "report", None)))
    except VillagecovError as exc:
        job.update(status="failed", error=str(exc))
    except Exception:
        log.exception("upload %s failed", job_id)
        job.update(status="failed", error="the server could not ingest the file; the error was logged")
    job["finished_at"] = _now()
    jobs.save(job)
    if on_change is not None:
        on_change()
