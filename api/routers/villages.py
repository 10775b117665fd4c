"""Everything known about one village."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from villagecov.api.deps import IsoDate, LayersDep, StoreDep

router = APIRouter(tags=["Villages"])


@router.get("/villages/{village_id}", summary="One village: attributes, coverage, services, measurements")
def village(
    store: StoreDep, layers: LayersDep,
    village_id: Annotated[str, Path(max_length=128, description="village id (mã thôn)")],
    as_of: IsoDate = None,
) -> dict[str, Any]:
    from villagecov.api.dashboard import village_detail

    return village_detail(store, layers, village_id, as_of)
