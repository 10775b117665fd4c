"""The stored site plans (`villagecov plan`): their totals and summaries. The proposed sites and
the villages they cover are the ``plan`` and ``plan-villages`` collections."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Request

from villagecov.api.deps import LayersDep, StoreDep
from villagecov.api.features import records
from villagecov.api.ogc import base_url
from villagecov.errors import NotFound, StoreError
from villagecov.publishing import plans_table
from villagecov.storage import Store

router = APIRouter(tags=["Plans"])


def _links(request: Request, plan_id: str) -> list[dict[str, str]]:
    base = base_url(request)
    return [
        {"href": f"{base}/plans/{plan_id}", "rel": "self", "type": "application/json", "title": "this plan"},
        {"href": f"{base}/collections/plan/items?plan_id={plan_id}", "rel": "items", "type": "application/geo+json",
         "title": "proposed sites"},
        {"href": f"{base}/collections/plan-villages/items?plan_id={plan_id}", "rel": "items",
         "type": "application/geo+json", "title": "villages covered"},
    ]


@router.get("/plans", summary="Stored plans, newest first (totals, greedy vs exact)")
def plans(request: Request, store: StoreDep, layers: LayersDep) -> dict[str, Any]:
    table = layers.get(store, ("__plans__", None), lambda: plans_table(store))
    rows = [] if table is None else records(table, list(table.columns))[::-1]
    for row in rows:
        row["links"] = _links(request, str(row["plan_id"]))
    return {"plans": json.loads(json.dumps(rows, default=_plain)), "latest": rows[0]["plan_id"] if rows else None}


@router.get("/plans/{plan_id}", summary="One plan with its summary (assumptions, notes, both methods)")
def plan(request: Request, store: StoreDep,
         plan_id: Annotated[str, Path(max_length=128, description="plan id, e.g. 20261126T051200Z-4G-3fa2")],
         ) -> dict[str, Any]:
    rows = _read(store, plan_id)
    if rows is None or rows.empty:
        raise NotFound(f"no plan {plan_id!r}; see /plans")
    row = records(rows, list(rows.columns))[0]
    row["summary"] = json.loads(row["summary"]) if row.get("summary") else None
    row["links"] = _links(request, plan_id)
    return json.loads(json.dumps(row, default=_plain))


def _plain(value: object) -> object:
    """Timestamps as ISO 8601 (UTC), anything else as text."""
    iso = getattr(value, "isoformat", None)
    return iso() if iso is not None else str(value)


def _read(store: Store, plan_id: str) -> pd.DataFrame | None:
    try:
        return store.read("plans", where={"plan_id": plan_id})
    except StoreError:  # a store older than the plan tables
        return None
