"""A COG written window by window: tiles go into a tiled GeoTIFF as they arrive, then GDAL's COG
driver copies it with overviews (it reads block by block, never the whole raster at once)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.raster import Grid

Window = tuple[int, int, int, int]  # r0, r1, c0, c1


def write_cog_windows(path: Path, grid: Grid, windows: Iterable[tuple[Window, NDArray[np.float32]]],
                      tags: dict[str, str] | None = None, description: str = "signal_dbm") -> Path:
    """Write float32 ``windows`` (NaN = nodata) of ``grid`` into the COG at ``path``. Cells no window
    covers are nodata. Same creation options as :func:`villagecov.propagation.raster.write_cog`."""
    import rasterio
    import rasterio.shutil
    from rasterio.windows import Window as RioWindow

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    levels = max(1, int(np.ceil(np.log2(max(grid.rows, grid.cols) / 256))))
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tiles.tif")
    profile = {
        "driver": "GTiff", "width": grid.cols, "height": grid.rows, "count": 1, "dtype": "float32",
        "crs": grid.crs, "transform": grid.transform, "nodata": float("nan"), "tiled": True,
        "blockxsize": 256, "blockysize": 256, "compress": "DEFLATE", "predictor": 3, "BIGTIFF": "IF_SAFER",
        "SPARSE_OK": True,  # blocks never written read as nodata
    }
    try:
        with rasterio.open(tmp, "w", **profile) as dst:
            for (r0, r1, c0, c1), values in windows:
                dst.write(values.astype(np.float32), 1, window=RioWindow(c0, r0, c1 - c0, r1 - r0))
            dst.set_band_description(1, description)
            if tags:
                dst.update_tags(**tags)
        part = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        rasterio.shutil.copy(tmp, part, driver="COG", compress="DEFLATE", predictor=3, blocksize=256,
                             overview_count=levels, overview_resampling="average", BIGTIFF="IF_SAFER")
        os.replace(part, path)  # readers never see a half-written COG
    finally:
        tmp.unlink(missing_ok=True)
    return path
