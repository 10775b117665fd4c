"""Upload jobs: their records on disk and their ingestion in a worker process.

A job is a folder ``<archive_dir>/uploads/<job_id>/`` holding the uploaded file and ``job.json``
(status, options, report). Status: ``queued`` → ``running`` → ``succeeded`` | ``rejected`` (the
file was unusable; the report says why) | ``refused`` (rows outside the key's scope; nothing
ingested) | ``duplicate`` (already ingested; nothing changed) | ``failed`` (server-side problem,
a crash, the memory or time limit).

The ingest runs in a child process (``python -m villagecov.jobs JOB_ID``, settings on stdin)
whose address space is capped (``RLIMIT_AS``) and whose run time is bounded, so a hostile file
costs a worker, never the API process. Every finished job appends one row to ``upload_audit``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from villagecov.errors import DuplicateSubmission, InputError, NotFound, OutOfScope, VillagecovError
from villagecov.scope import UploadScope
from villagecov.settings import Settings, StoreSettings
from villagecov.storage import open_store

log = logging.getLogger("villagecov.jobs")
FINAL = frozenset({"succeeded", "rejected", "refused", "duplicate", "failed"})


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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

    def create(self, staged: Path, fields: dict[str, Any], scope: UploadScope, key_id: str) -> dict[str, Any]:
        """Record a queued job for the file staged in ``staged`` (moved into the job's folder)."""
        job_id = uuid.uuid4().hex
        staged.rename(self.root / job_id)
        job = {
            "id": job_id,
            "status": "queued",
            **fields,
            "key_id": key_id,
            "role": scope.role,
            "scope": {"role": scope.role, "operator": scope.operator, "communes": sorted(scope.communes)},
            "created_at": _now(),
            "started_at": None,
            "finished_at": None,
            "report": None,
            "error": None,
            "server_pid": os.getpid(),
            "worker_pid": None,
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
        marker = self.root / ".open" / job["id"]
        if job["status"] not in FINAL:
            marker.parent.mkdir(exist_ok=True)
            marker.touch()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(job, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
        tmp.replace(path)
        if job["status"] in FINAL:
            marker.unlink(missing_ok=True)

    def file(self, job: dict[str, Any]) -> Path:
        return self.root / job["id"] / Path(job["filename"]).name

    def pending(self) -> int:
        """Jobs queued or running (any server process): one marker file per open job under
        ``.open/``, so the count costs the open jobs, not every job ever received. A marker whose
        job has finished (or vanished) is dropped here."""
        count = 0
        for marker in self._open_markers():
            try:
                status = json.loads(self.path(marker.name).read_text(encoding="utf-8"))["status"]
            except (OSError, ValueError, KeyError, NotFound):
                status = None
            if status in ("queued", "running"):
                count += 1
            else:
                marker.unlink(missing_ok=True)
        return count

    def _open_markers(self) -> list[Path]:
        folder = self.root / ".open"
        return list(folder.iterdir()) if folder.is_dir() else []

    def repair(self) -> list[str]:
        """Mark jobs whose server or worker process is gone as failed; remove abandoned staging
        folders. One line per action."""
        lines: list[str] = []
        if not self.root.exists():
            return lines
        for staged in self.root.glob(".incoming-*"):
            shutil.rmtree(staged, ignore_errors=True)
            lines.append(f"removed an abandoned incoming upload {staged.name}")
        for path in sorted(self.root.glob("*/job.json")):
            job = json.loads(path.read_text(encoding="utf-8"))
            owner = job.get("worker_pid") if job["status"] == "running" else job.get("server_pid")
            if job["status"] in ("queued", "running") and not _alive(owner):
                lines.append(f"upload {job['id']} was {job['status']} with no live process: marked failed")
                finish(self, job, "failed", error="the server stopped before the upload was ingested: send it again")
        return lines


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def public_report(report: Any, settings: Settings) -> Any:
    """The ingest report as JSON-ready data without server paths (file names only)."""
    if report is None:
        return None
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        report = dataclasses.asdict(report)
    data = json.loads(json.dumps(report, default=str, ensure_ascii=False))
    if isinstance(data, dict):
        for key in ("archive_path", "quarantine_path"):
            if data.get(key):
                data[key.replace("_path", "_file")] = Path(str(data.pop(key))).name
            else:
                data.pop(key, None)
    return data


def scrub(text: str, settings: StoreSettings) -> str:
    """``text`` without the server's folders (messages of errors that name a quarantine file)."""
    for folder in sorted(
        {str(Path(settings.archive_dir).resolve()), str(settings.archive_dir)}, key=len, reverse=True
    ):
        text = text.replace(folder.rstrip("/") + "/", "")
    return text


def finish(
    jobs: Jobs, job: dict[str, Any], status: str, *, error: str | None = None, report: Any = None
) -> None:
    job.update(
        status=status,
        error=None if error is None else scrub(error, jobs.settings),
        report=report,
        finished_at=_now(),
    )
    jobs.save(job)


def run_job(settings: Settings, job_id: str) -> dict[str, Any]:
    """Ingest the job's file in this process with :func:`villagecov.ingest.ingest_file`
    (the worker's body) and record the outcome; return the job."""
    from villagecov.ingest import ingest_file
    from villagecov.sources.common import IngestOptions

    jobs = Jobs(settings)
    job = jobs.load(job_id)
    job.update(status="running", started_at=_now(), worker_pid=os.getpid())
    jobs.save(job)
    try:
        scope = UploadScope(
            job["scope"]["role"], job["scope"]["operator"], frozenset(job["scope"]["communes"])
        )
        with open_store(settings.store) as store:
            _key_still_valid(store, job.get("key_id"))
            report = ingest_file(
                settings, store, job["kind"], jobs.file(job), IngestOptions(**job["options"]), scope=scope,
                actor=f"api key {job.get('key_id')}",
            )
        finish(jobs, job, "succeeded", report=public_report(report, settings))
    except DuplicateSubmission as exc:
        finish(jobs, job, "duplicate", error=str(exc))
    except OutOfScope as exc:
        finish(jobs, job, "refused", error=str(exc), report=exc.report)
    except InputError as exc:
        finish(jobs, job, "rejected", error=str(exc))
    except MemoryError:
        finish(
            jobs,
            job,
            "failed",
            error=f"the file needs more than the {settings.upload_job_memory_mb} MB "
            "an upload may use: split it or ask an administrator to ingest it",
        )
    except VillagecovError as exc:
        finish(jobs, job, "failed", error=str(exc))
    except Exception:
        log.exception("upload %s failed", job_id)
        finish(jobs, job, "failed", error="the server could not ingest the file; the error was logged")
    return job


def _key_still_valid(store: Any, key_id: str | None) -> None:
    """The key that sent the upload was not revoked (nor expired) while the job waited."""
    rows = store.read("api_keys", where={"key_id": key_id}) if key_id else None
    if rows is None or rows.empty:
        return  # uploads made without a stored key (tests, tools) carry no key to re-check
    expires = rows["expires_at"].iloc[0]
    if bool(rows["revoked"].iloc[0]) or (pd.notna(expires) and expires <= pd.Timestamp.now(tz="UTC")):
        raise OutOfScope(
            "the key that sent this upload was revoked or expired before it was ingested; "
            "nothing was ingested",
            {"reason": "key revoked or expired"},
        )


# The worker's first statements: cap the address space before anything is imported, then run
# this module (no preexec_fn: the API process has threads, and fork-then-Python is unsafe there).
_BOOT = (
    "import resource, runpy, sys\n"
    "limit = int(sys.argv[1]) * 2**20\n"
    "if limit > 0: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "sys.argv = ['villagecov.jobs', *sys.argv[2:]]\n"
    "runpy.run_module('villagecov.jobs', run_name='__main__', alter_sys=True)\n"
)


def run_in_worker(settings: Settings, job_id: str) -> dict[str, Any]:
    """Run the job in a child process with the memory and time limits of ``settings``; record
    a crash, a kill or a timeout as ``failed``; append the outcome to the audit log."""
    jobs = Jobs(settings)
    command = [sys.executable, "-c", _BOOT, str(settings.upload_job_memory_mb), job_id]
    try:
        proc = subprocess.run(
            command,
            input=settings.model_dump_json(),
            text=True,
            capture_output=True,
            timeout=settings.upload_job_timeout_s,
        )
        if proc.returncode != 0:
            log.error("upload worker %s exited %s: %s", job_id, proc.returncode, proc.stderr[-2000:])
    except subprocess.TimeoutExpired:
        job = jobs.load(job_id)
        if job["status"] not in FINAL:
            finish(
                jobs, job, "failed", error=f"the ingest took longer than {settings.upload_job_timeout_s} s"
            )
    job = jobs.load(job_id)
    if job["status"] not in FINAL:
        finish(
            jobs,
            job,
            "failed",
            error=(
                "the ingest worker stopped (out of memory"
                + (f": over its {settings.upload_job_memory_mb} MB cap" if settings.upload_job_memory_mb else "")
                + ", or crashed); nothing was ingested"
            ),
        )
    record(settings, job)
    return job


def record(settings: StoreSettings, job: dict[str, Any]) -> None:
    """Append the job's outcome to ``upload_audit`` (who, what, when, result)."""
    row = {
        "job_id": job["id"],
        "key_id": job.get("key_id"),
        "role": job.get("role"),
        "operator": (job.get("scope") or {}).get("operator"),
        "kind": job.get("kind"),
        "filename": job.get("filename"),
        "sha256": job.get("sha256"),
        "size_bytes": job.get("size_bytes"),
        "received_at": job.get("created_at") or _now(),
        "finished_at": job.get("finished_at") or _now(),
        "status": job["status"],
        "detail": (job.get("error") or "")[:500] or None,
        "rows_accepted": _accepted(job.get("report")),
    }
    try:
        with open_store(settings.store) as store, store.transaction() as tx:
            tx.append("upload_audit", pd.DataFrame([row]))
    except VillagecovError:
        log.exception("could not record upload %s in the audit log", job["id"])


def _accepted(report: Any) -> int | None:
    if isinstance(report, dict) and isinstance(report.get("accepted"), dict):
        return int(sum(report["accepted"].values()))
    return None


def main(argv: list[str]) -> int:
    """Worker entry point: ``python -m villagecov.jobs JOB_ID`` with the settings JSON on stdin."""
    settings = Settings(**json.loads(sys.stdin.read()))
    job = run_job(settings, argv[0])
    return 0 if job["status"] in FINAL else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    raise SystemExit(main(sys.argv[1:]))
