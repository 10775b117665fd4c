"""Submissions as first-class records: ids, who and when, withdrawal, and the change log.

A submission is one ingested file (kind + options). Its id is ``sub-`` + 12 hex digits of
sha256("<file sha256>|<kind>|<options>"): stable across stores and short enough to type.
Withdrawing keeps the file, its rows and the submission row; every later computation leaves
its rows out (:func:`withdrawn_ids`). Every change is appended to ``change_log`` (who, what, when).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from villagecov.errors import InputError, NotFound
from villagecov.storage import Store, Transaction

LIST_COLUMNS = ["submission_id", "kind", "filename", "sha256", "submitted_by", "received_at", "as_of",
                "boundary_version", "scope", "extent", "rows_accepted", "rows_rejected", "status",
                "withdrawn_at", "withdrawn_by", "withdraw_reason", "archive_path", "quarantine_path"]


def submission_id_of(sha256: str, kind: str, options: str) -> str:
    return "sub-" + hashlib.sha256(f"{sha256}|{kind}|{options}".encode()).hexdigest()[:12]


def default_actor() -> str:
    """Who is acting when nobody says: ``VILLAGECOV_USER``, else the login name."""
    try:
        return os.environ.get("VILLAGECOV_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def log_change(tx: Transaction, actor: str, action: str, target: str, details: dict[str, Any] | None = None) -> None:
    tx.append("change_log", pd.DataFrame([{
        "at": datetime.now(UTC), "actor": actor, "action": action, "target": target,
        "details": json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str),
    }]))


def read_submissions(store: Store) -> pd.DataFrame:
    """Every submission (oldest first) with its id filled in for rows written before ids existed."""
    frame = store.read("submissions")
    if len(frame):
        missing = frame["submission_id"].isna()
        frame.loc[missing, "submission_id"] = [
            submission_id_of(s, k, o) for s, k, o in zip(frame.loc[missing, "sha256"], frame.loc[missing, "kind"],
                                                        frame.loc[missing, "options"], strict=True)]
        frame = frame.sort_values(["received_at", "submission_id"], kind="stable").reset_index(drop=True)
    return frame


def list_submissions(store: Store, *, kind: str | None = None, status: str | None = None) -> pd.DataFrame:
    frame = read_submissions(store)
    if kind:
        frame = frame[frame["kind"] == kind]
    if status:
        frame = frame[frame["status"] == status]
    return frame[LIST_COLUMNS].reset_index(drop=True)


def find(store: Store, submission_id: str) -> pd.Series:
    frame = read_submissions(store)
    hit = frame[frame["submission_id"] == submission_id.strip()]
    if hit.empty:
        raise NotFound(f"no submission {submission_id!r}: `villagecov submissions` lists them")
    return hit.iloc[0]


def withdraw(store: Store, submission_id: str, reason: str, actor: str) -> pd.Series:
    """Mark a submission withdrawn (its rows leave every later computation); return its new row."""
    if not reason or not reason.strip():
        raise InputError("a withdrawal needs a reason", field="--reason")
    row = find(store, submission_id)
    if row["status"] == "withdrawn":
        raise InputError(f"submission {row['submission_id']} was already withdrawn on "
                         f"{row['withdrawn_at']:%Y-%m-%d %H:%M} UTC by {row['withdrawn_by']}", field="ID")
    new = row.copy()
    new["status"], new["withdrawn_at"] = "withdrawn", datetime.now(UTC)
    new["withdrawn_by"], new["withdraw_reason"] = actor, reason.strip()
    with store.transaction() as tx:
        tx.delete("submissions", {"sha256": row["sha256"], "kind": row["kind"], "options": row["options"]})
        tx.append("submissions", pd.DataFrame([new]))
        log_change(tx, actor, "withdraw", str(row["submission_id"]),
                   {"reason": reason.strip(), "kind": row["kind"], "file": row["filename"], "sha256": row["sha256"]})
    return new


def withdrawn_ids(submissions: pd.DataFrame) -> set[str]:
    if submissions.empty:
        return set()
    return set(submissions.loc[submissions["status"] == "withdrawn", "submission_id"])


def change_log(store: Store) -> pd.DataFrame:
    return store.read("change_log").sort_values("at", kind="stable").reset_index(drop=True)
