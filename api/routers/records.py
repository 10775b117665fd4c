"""Submissions and compute runs: list, withdraw (admins), and a run's kept figures byte for byte.

Thin: the rules live in :mod:`villagecov.submissions` and :mod:`villagecov.runs`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from villagecov import runs, submissions
from villagecov.api.deps import ApiKeyDep, StoreDep
from villagecov.api.features import records
from villagecov.errors import PermissionDenied

router = APIRouter(tags=["Submissions and runs"])
SubmissionId = Annotated[str, Path(pattern=r"^sub-[0-9a-f]{12}$", description="submission id, e.g. sub-3fa2b1c4d5e6")]
RunId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="run id, e.g. compute-1a2b3c4d5e6f7a8b")]


class Withdrawal(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="why (kept in the audit log)")


def _admin(key: Any) -> str:
    if key.role != "admin":
        raise PermissionDenied("only admin keys may do this")
    return f"api key {key.key_id}" + (f" ({key.label})" if key.label else "")


def _json(value: Any) -> Response:
    def plain(v: object) -> object:
        iso = getattr(v, "isoformat", None)
        return iso() if iso is not None else str(v)

    return Response(json.dumps(value, ensure_ascii=False, default=plain).encode("utf-8"), media_type="application/json")


@router.get("/submissions", summary="Every submission: kind, file, sha256, who, when, rows, status (admins)")
def list_submissions(
    store: StoreDep, key: ApiKeyDep,
    kind: Annotated[str | None, Query(max_length=32, description="only this kind")] = None,
    status: Annotated[Literal["ingested", "withdrawn"] | None, Query(description="only this status")] = None,
) -> Response:
    _admin(key)
    frame = submissions.list_submissions(store, kind=kind, status=status)
    return _json({"numberReturned": len(frame), "submissions": records(frame, list(frame.columns))})


@router.post("/submissions/{submission_id}/withdraw", summary="Withdraw a submission (admins)")
def withdraw(submission_id: SubmissionId, body: Withdrawal, store: StoreDep, key: ApiKeyDep) -> Response:
    """Later computations leave the submission out; the file, its rows and the audit trail stay."""
    actor = _admin(key)
    row = submissions.withdraw(store, submission_id, body.reason, actor)
    return _json({k: row[k] for k in ("submission_id", "kind", "filename", "status", "withdrawn_at", "withdrawn_by",
                                      "withdraw_reason")})


@router.get("/changes", summary="The audit log: who ingested, withdrew, computed or published what (admins)")
def changes(store: StoreDep, key: ApiKeyDep) -> Response:
    _admin(key)
    frame = submissions.change_log(store)
    return _json({"numberReturned": len(frame), "changes": records(frame, list(frame.columns))})


@router.get("/runs", summary="Compute runs, newest first (status, served now, periods)")
def list_runs(store: StoreDep) -> Response:
    frame = runs.list_runs(store).drop(columns=["inputs"])
    rows = records(frame, list(frame.columns))
    for r in rows:
        r["details"] = json.loads(r["details"]) if r.get("details") else None
    return _json({"numberReturned": len(rows), "runs": rows})


@router.get("/runs/{run_id}", summary="One run with the record of every input it read")
def get_run(run_id: RunId, store: StoreDep) -> Response:
    row = runs.get_run(store, run_id)
    doc = {k: (None if not isinstance(v, str | bool | int | float) and v is not None and _isna(v) else v)
           for k, v in row.items()}
    for k in ("details", "inputs"):
        doc[k] = json.loads(doc[k]) if isinstance(doc.get(k), str) else None
    doc["results"] = [f"/runs/{row['run_id']}/results/{n}" for n in runs.FILES]
    return _json(doc)


@router.get("/runs/{run_id}/results/{name}", summary="A run's kept result, byte for byte (CSV or JSON)",
            response_class=Response, responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def run_result(run_id: RunId, name: Annotated[Literal["indicators", "village_summary", "village_coverage", "inputs"],
                                               Path(description="which result")], store: StoreDep) -> Response:
    f = runs.read_file(store, run_id, name)
    filename = runs.FILES[name]
    return Response(f.data, media_type=f.media_type, headers={
        "Content-Disposition": f'attachment; filename="{run_id}-{filename}"', "ETag": f'"{f.sha256}"'})


def _isna(v: object) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
