"""Liveness and store reachability."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from villagecov.api.deps import StoreDep
from villagecov.errors import StoreUnavailable

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service and store health")
def health(store: StoreDep) -> dict[str, Any]:
    """``ok`` when the store answers; 503 (problem+json) when it cannot be reached."""
    try:
        villages = store.count("villages")
        units = store.count("admin_units")
    except StoreUnavailable:
        raise
    except Exception as exc:  # a missing file, a dropped database: the store is not usable
        raise StoreUnavailable(f"the {store.kind} store cannot be read") from exc
    return {"status": "ok", "store": store.kind, "admin_units": units, "villages": villages}
