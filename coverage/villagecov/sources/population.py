"""Population grids (WorldPop-style GeoTIFF, people per ~100 m pixel): ``villagecov ingest
population GRID.tif``.

The grid is archived as given (``.tif``, or inside ``.zip``/``.gz``/``.7z``), checked (georeferenced,
overlapping Quảng Bình, people ≥ 0 outside nodata) and cut to the province's extent (+2 km) into
``population-province.tif`` beside it, so that a national file (WorldPop's ``vnm_ppp_2020.tif``)
is read once. The latest population submission then weights coverage inside villages in every
compute, and the run record names the grid and its sha256.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from villagecov.errors import DuplicateSubmission, InputError
from villagecov.settings import Settings
from villagecov.sources.common import plain_message
from villagecov.storage import Store

KIND = "population"
CLIPPED = "population-province.tif"
PAD_DEG = 0.02  # ≈ 2 km around the province


def ingest_population(settings: Settings, store: Store, path: Path, as_of: str | None = None) -> dict[str, Any]:
    """Archive, check and clip a population grid; record it as a submission. Returns a summary."""
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.warp import transform_bounds
    from rasterio.windows import from_bounds

    from villagecov.ingest import _check_size, archive, sha256_of
    from villagecov.sources.archives import side_files, unwrap

    path = Path(path)
    _check_size(settings, path)
    sha = sha256_of(path)
    archived = archive(settings, path, sha, side_files(path))
    province = store.read("admin_units", where={"level": "province", "version": "2019"})
    if province.empty:
        raise InputError("the store has no boundaries: run `villagecov ingest boundaries` first", file=path.name)
    key = json.dumps({"as_of": as_of} if as_of else {}, sort_keys=True)
    with tempfile.TemporaryDirectory(prefix="villagecov-population-") as tmp:
        unwrapped = unwrap(archived, Path(tmp), path.name, settings.max_uncompressed_mb * 2**20)
        payload = unwrapped.payload_sha256
        if store.has_submission(payload, KIND, key):
            raise DuplicateSubmission(f"{path.name}: already ingested as {KIND} (sha256 {payload[:12]}): nothing changed")
        target = archived.parent / CLIPPED
        try:
            with rasterio.open(unwrapped.path) as src:
                if src.crs is None:
                    raise InputError("the population grid has no CRS", file=path.name, field="crs")
                if src.transform.is_identity:
                    raise InputError("the population grid has no georeferencing", file=path.name, field="geotransform")
                if not np.issubdtype(np.dtype(src.dtypes[0]), np.number):
                    raise InputError(f"band 1 is {src.dtypes[0]}, not numbers of people", file=path.name)
                w, s, e, n = province.total_bounds
                box = transform_bounds("EPSG:4326", src.crs, w - PAD_DEG, s - PAD_DEG, e + PAD_DEG, n + PAD_DEG)
                if not shapely.box(*src.bounds).intersects(shapely.box(*box)):
                    raise InputError("the population grid does not overlap Quảng Bình: wrong file or CRS?",
                                     file=path.name, field="crs")
                window = from_bounds(*box, transform=src.transform).round_offsets().round_lengths()
                window = window.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
                band = src.read(1, window=window, masked=True).astype("float64")
                values = band.filled(np.nan)
                negative = np.isfinite(values) & (values < 0)
                if negative.mean() > 0.01:
                    raise InputError(f"{negative.sum()} pixels hold negative people (undeclared nodata?): "
                                     "declare the nodata value in the GeoTIFF", file=path.name, field="band 1")
                values[negative] = np.nan
                profile = {"driver": "GTiff", "width": int(window.width), "height": int(window.height), "count": 1,
                           "dtype": "float32", "crs": src.crs, "transform": src.window_transform(window),
                           "nodata": np.float32(np.nan), "compress": "deflate", "tiled": True, "blockxsize": 256,
                           "blockysize": 256}
                part = target.with_name(f".{target.name}.part")
                with rasterio.open(part, "w", **profile) as dst:
                    dst.write(values.astype("float32"), 1)
                    dst.update_tags(SOURCE=path.name, SHA256=payload)
                part.replace(target)
        except RasterioIOError as exc:
            raise InputError(f"cannot read the population grid (a GeoTIFF): {plain_message(exc, 160)}",
                             file=path.name) from None
        people = float(np.nansum(values))
        cells = int(np.isfinite(values).sum() - (values == 0).sum())
        if cells == 0:
            raise InputError("no populated pixel over Quảng Bình", file=path.name, field="band 1")
        with store.transaction() as tx:
            tx.append("submissions", pd.DataFrame([{
                "sha256": payload, "kind": KIND, "filename": path.name, "archive_path": str(target),
                "options": key, "received_at": datetime.now(UTC), "rows_accepted": cells, "rows_rejected": 0,
                "quarantine_path": None, "status": "ingested",
            }]))
    return {"file": path.name, "sha256": payload, "clipped": str(target), "people": people, "cells": cells}


def latest_population(store: Store) -> dict[str, str] | None:
    """The latest ingested population grid: {file, sha256, path}, or None."""
    subs = store.read("submissions", where={"kind": KIND})
    if subs.empty:
        return None
    if "status" in subs.columns:
        subs = subs[subs["status"].fillna("ingested") == "ingested"]
    if subs.empty:
        return None
    row = subs.sort_values("received_at").iloc[-1]
    if not Path(row["archive_path"]).exists():
        raise InputError("the archived population grid is missing", file=str(row["archive_path"]))
    return {"file": str(row["filename"]), "sha256": str(row["sha256"]), "path": str(row["archive_path"])}
