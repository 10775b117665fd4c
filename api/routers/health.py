"""Liveness and store reachability."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service and store health")
def health(store: StoreDep) -> dict[str, Any]:
    """``ok`` when the store answers; 503 (problem+json) when it cannot be reached."""
    villages = store.count("villages")
    units = store.count("admin_units")
    return {"status": "ok", "store": store.kind, "admin_units": units, "villages": villages}
