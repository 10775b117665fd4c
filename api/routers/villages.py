"""Everything known about one village."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import LayersDep, StoreDep

router = APIRouter(tags=["Villages"])


@router.get("/villages/{village_id}", summary="One village: attributes, coverage, services, measurements")
def village(
    store: StoreDep, layers: LayersDep,
    village_id: Annotated[str, Path(max_length=128, description="village id (mã thôn)")],
    as_of: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="vintage YYYY-MM-DD")] = None,
) -> dict[str, Any]:
    from api.dashboard import village_detail

    return village_detail(store, layers, village_id, as_of)
