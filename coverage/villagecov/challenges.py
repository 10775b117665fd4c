"""Challenges: "this village has no signal" reports from the public, kept for review.

Anyone may submit one (the API rate-limits them); an admin lists them and resolves each as
``upheld`` (the map or the evidence is wrong) or ``rejected``. Upheld challenges are evidence
for the reconciliation (:func:`upheld`). Stored in the ``challenges`` table of either backend;
the store has no UPDATE, so a resolution replaces the row inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pandas as pd

from villagecov.errors import InputError, NotFound
from villagecov.schema import MOBILE_OPERATORS, TECHNOLOGIES
from villagecov.storage import Store

PROBLEMS = ("no_signal", "weak_signal", "slow_data", "has_signal", "service_missing", "other")
OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
STATES = (OPEN, UPHELD, REJECTED)
MAX_DETAILS, MAX_CONTACT = 2000, 200


@dataclass(frozen=True)
class ChallengeIn:
    """What a member of the public reports. ``operator``/``technology`` may be unknown (None)."""

    village_id: str
    problem: str
    operator: str | None = None
    technology: str | None = None
    details: str = ""
    contact: str = ""


def _clean(text: str | None, limit: int, field: str) -> str:
    value = " ".join(str(text or "").split()) if field == "contact" else str(text or "").strip()
    if len(value) > limit:
        raise InputError(f"at most {limit} characters", field=field)
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InputError("control characters are not allowed", field=field)
    return value


def validate(store: Store, item: ChallengeIn) -> ChallengeIn:
    """``item`` checked: a known village, a known problem, operator and technology (or none)."""
    if item.problem not in PROBLEMS:
        raise InputError(f"unknown problem {item.problem!r}: use {', '.join(PROBLEMS)}", field="problem")
    if item.operator not in (None, "", *MOBILE_OPERATORS):
        raise InputError(f"unknown operator {item.operator!r}: use {', '.join(MOBILE_OPERATORS)}", field="operator")
    if item.technology not in (None, "", *TECHNOLOGIES):
        raise InputError(f"unknown technology {item.technology!r}: use {', '.join(TECHNOLOGIES)}", field="technology")
    village_id = _clean(item.village_id, 64, "village_id")
    if not village_id or store.count("villages", {"village_id": village_id}) == 0:
        raise NotFound(f"no village {village_id!r}")
    return ChallengeIn(village_id, item.problem, item.operator or None, item.technology or None,
                       _clean(item.details, MAX_DETAILS, "details"), _clean(item.contact, MAX_CONTACT, "contact"))


def submit(store: Store, item: ChallengeIn, *, now: dt.datetime | None = None, source: str = "public") -> dict[str, Any]:
    """Store a new open challenge and return it (``challenge_id`` is the reference given back)."""
    item = validate(store, item)
    now = now or dt.datetime.now(dt.UTC)
    row = {
        "challenge_id": f"C{now:%Y%m%d}-{secrets.token_hex(4)}", "village_id": item.village_id,
        "operator": item.operator, "technology": item.technology, "problem": item.problem, "details": item.details,
        "contact": item.contact, "status": OPEN, "created_at": now, "resolved_at": None, "resolution": "",
        "resolved_by": "", "source": source,
    }
    with store.transaction() as tx:
        tx.append("challenges", pd.DataFrame([row]))
    return public(row, contact=True)


def public(row: dict[str, Any], *, contact: bool) -> dict[str, Any]:
    """A challenge as JSON; ``contact`` only for admins."""
    out = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
    for k in ("created_at", "resolved_at"):
        if out.get(k) is not None:
            out[k] = pd.Timestamp(out[k]).isoformat()
    if not contact:
        out.pop("contact", None)
    return out


def list_challenges(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    """Challenges (newest first), all or of one ``status``; with contacts (admins only)."""
    if status is not None and status not in STATES:
        raise InputError(f"unknown status {status!r}: use {', '.join(STATES)}", field="status")
    frame = store.read("challenges", where={"status": status} if status else None)
    frame = frame.sort_values(["created_at", "challenge_id"], ascending=False, kind="stable")
    return [public(r, contact=True) for r in frame.to_dict("records")]


def resolve(store: Store, challenge_id: str, status: str, note: str = "", by: str = "",
            *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Mark challenge ``challenge_id`` ``upheld`` or ``rejected`` with a note; returns it."""
    if status not in (UPHELD, REJECTED):
        raise InputError(f"a challenge is resolved as {UPHELD} or {REJECTED}, not {status!r}", field="status")
    note = _clean(note, MAX_DETAILS, "note")
    rows = store.read("challenges", where={"challenge_id": challenge_id})
    if rows.empty:
        raise NotFound(f"no challenge {challenge_id!r}")
    row = rows.iloc[0].to_dict()
    row.update(status=status, resolution=note, resolved_by=by, resolved_at=now or dt.datetime.now(dt.UTC))
    with store.transaction() as tx:
        tx.delete("challenges", {"challenge_id": challenge_id})
        tx.append("challenges", pd.DataFrame([row]))
    return public(row, contact=True)


def challenged_villages(store: Store) -> list[dict[str, Any]]:
    """Villages with open challenges: id, how many, which problems (no contacts: public)."""
    frame = store.read("challenges", where={"status": OPEN})
    out = []
    for vid, rows in frame.groupby("village_id", sort=True):
        out.append({"village_id": str(vid), "open": len(rows), "problems": sorted(set(rows["problem"].astype(str)))})
    return out


def upheld(store: Store) -> pd.DataFrame:
    """Upheld challenges (village, operator, technology, problem, when): evidence that the
    declared or modelled coverage of that village is wrong, for the reconciliation."""
    frame = store.read("challenges", where={"status": UPHELD})
    return frame[["challenge_id", "village_id", "operator", "technology", "problem", "created_at",
                  "resolved_at"]].reset_index(drop=True)
