"""Coverage rasters (stored COGs) as PNG tiles and point values, read with rio-tiler.

Signal rasters (``value_kind = signal_dbm``) are coloured by signal class relative to the
technology's threshold (settings, dBm); class rasters (0 none, 1 outdoor, 2 in-car, 3 indoor)
by class. Nodata is fully transparent. Tiles are 256 × 256 px in WebMercatorQuad.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from villagecov import signal_classes
from villagecov.errors import NotFound
from villagecov.publishing import LayerCache
from villagecov.settings import Settings, StoreSettings, ThresholdSettings
from villagecov.storage import Store

PNG = "image/png"
# RGBA per class index; the last entry is nodata (transparent).
_SIGNAL_LABELS = {
    "no_service": "no service (below threshold − 10 dB)",
    "weak": "weak (threshold − 10 dB … threshold)",
    "fair": "fair (threshold … +10 dB)",
    "good": "good (+10 … +20 dB)",
    "excellent": "excellent (≥ threshold + 20 dB)",
}
SIGNAL_CLASSES = [(_SIGNAL_LABELS[cid], rgba) for cid, _, rgba in signal_classes.SIGNAL_CLASSES]
COVERAGE_CLASSES = [(cid.replace("_", "-"), rgba) for cid, rgba in signal_classes.COVERAGE_CLASSES]
TRANSPARENT = (0, 0, 0, 0)
# Open readers kept per thread (a GDAL dataset handle must not be shared between threads), the
# most recently used first out of _MAX_OPEN; keyed by path, modification time and size, so a COG
# replaced on disk is opened anew. Opening a COG costs more than reading a 256 px tile from it.
_OPEN = threading.local()
_MAX_OPEN = 16


def open_reader(path: Path) -> Any:
    """An open :class:`rio_tiler.io.Reader` of ``path`` from this thread's cache of open readers."""
    from rio_tiler.io import Reader

    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    readers: OrderedDict[tuple[str, int, int], Any] = _OPEN.__dict__.setdefault("readers", OrderedDict())
    if key in readers:
        readers.move_to_end(key)
        return readers[key]
    reader = Reader(str(path))
    readers[key] = reader
    while len(readers) > _MAX_OPEN:
        readers.popitem(last=False)[1].close()
    return reader


@dataclass(frozen=True)
class RasterLayer:
    id: str
    operator: str | None
    technology: str | None
    evidence: str | None
    value_kind: str
    as_of: str | None
    path: Path
    synthetic: bool | None


def raster_layers(store: Store, settings: StoreSettings) -> list[RasterLayer]:
    """Coverage rows with a raster (``raster_path``), paths resolved against the archive folder."""
    rows = store.read("coverage")
    rows = rows[rows["raster_path"].notna()]
    out = []
    for r in rows.itertuples():
        path = Path(str(r.raster_path))
        if not path.is_absolute():
            path = Path(settings.archive_dir) / path
        synthetic = None if pd.isna(r.synthetic) else bool(r.synthetic)
        out.append(RasterLayer(str(r.coverage_id), r.operator, r.technology, r.evidence,
                               str(r.value_kind or "signal_dbm"), r.as_of, path, synthetic))
    return out


def raster_layer(store: Store, settings: Settings, raster_id: str, layers: LayerCache | None = None) -> RasterLayer:
    """The raster ``raster_id``; the list of rasters is cached in ``layers`` when given."""
    found = (layers.get(store, ("__rasters__", None), lambda: raster_layers(store, settings)) if layers
             else raster_layers(store, settings))
    for layer in found:
        if layer.id == raster_id:
            if not layer.path.exists():
                raise NotFound(f"raster {raster_id!r}: its file is missing from the archive")
            return layer
    raise NotFound(f"no raster {raster_id!r}; see /rasters")


def legend(layer: RasterLayer, settings: ThresholdSettings) -> list[dict[str, Any]]:
    classes = COVERAGE_CLASSES if layer.value_kind == "class" else SIGNAL_CLASSES
    out = [{"class": i, "label": label, "rgba": list(rgba)} for i, (label, rgba) in enumerate(classes)]
    if layer.value_kind != "class":
        thr = settings.threshold_dbm(layer.technology or "4G")
        bounds = [None, thr - 10, thr, thr + 10, thr + 20, None]
        for i, entry in enumerate(out):
            entry["min_dbm"], entry["max_dbm"] = bounds[i], bounds[i + 1]
    return out


def classify(values: np.ndarray, layer: RasterLayer, settings: ThresholdSettings) -> np.ndarray:
    """Class index per pixel (uint8); values outside the classes get the last index + 1."""
    if layer.value_kind == "class":
        v = np.nan_to_num(values, nan=-1).astype(np.int64)
        return np.where((v >= 0) & (v < len(COVERAGE_CLASSES)), v, len(COVERAGE_CLASSES)).astype(np.uint8)
    thr = settings.threshold_dbm(layer.technology or "4G")
    edges = np.array([thr - 10, thr, thr + 10, thr + 20])
    return np.digitize(values, edges).astype(np.uint8)


def info(layer: RasterLayer) -> dict[str, Any]:
    from rasterio.crs import CRS

    src = open_reader(layer.path)
    return {
        "bounds": [float(v) for v in src.get_geographic_bounds(CRS.from_epsg(4326))],
        "minzoom": int(src.minzoom), "maxzoom": int(src.maxzoom),
        "crs": str(src.crs), "width": int(src.width), "height": int(src.height),
        "nodata": None if src.dataset.nodata is None else float(src.dataset.nodata),
    }


def empty_png(size: int = 256) -> bytes:
    """A fully transparent RGBA PNG: the answer for a tile outside the raster (a map asks for every
    tile in view; a 404 there is no error of the client's and fills the browser console)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (size, size), TRANSPARENT).save(buf, "PNG")
    return buf.getvalue()


def tile_png(layer: RasterLayer, z: int, x: int, y: int, settings: Settings) -> bytes:
    """PNG (RGBA) of tile z/x/y; nodata and outside-the-raster pixels transparent (a tile wholly
    outside the raster is an empty transparent tile)."""
    from PIL import Image
    from rio_tiler.errors import TileOutsideBounds

    if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(f"no tile {z}/{y}/{x} in WebMercatorQuad")
    try:
        img = open_reader(layer.path).tile(x, y, z, tilesize=256, indexes=1, resampling_method="nearest")
    except TileOutsideBounds:
        return empty_png()
    values = np.asarray(img.array.data[0], dtype="float64")
    valid = ~np.ma.getmaskarray(img.array)[0]
    classes = COVERAGE_CLASSES if layer.value_kind == "class" else SIGNAL_CLASSES
    lut = np.array([rgba for _, rgba in classes] + [TRANSPARENT], dtype=np.uint8)
    idx = classify(values, layer, settings)
    idx[~valid] = len(classes)
    buf = io.BytesIO()
    Image.fromarray(lut[idx], "RGBA").save(buf, "PNG", optimize=False)
    return buf.getvalue()


def point(layer: RasterLayer, lon: float, lat: float, settings: Settings) -> dict[str, Any]:
    """Value at lon/lat (degrees, EPSG:4326) and its class; ``value`` null on nodata."""
    from rio_tiler.errors import PointOutsideBounds

    try:
        pt = open_reader(layer.path).point(lon, lat, indexes=1)
    except PointOutsideBounds:
        raise NotFound(f"point {lon},{lat} is outside raster {layer.id!r}") from None
    masked = bool(np.ma.getmaskarray(pt.array)[0])
    value = None if masked else float(pt.array.data[0])
    result: dict[str, Any] = {"raster": layer.id, "lon": lon, "lat": lat, "value": value,
                              "unit": "dBm" if layer.value_kind != "class" else "class"}
    if value is not None:
        k = int(classify(np.array([value]), layer, settings)[0])
        classes = COVERAGE_CLASSES if layer.value_kind == "class" else SIGNAL_CLASSES
        result["class"] = k if k < len(classes) else None
        result["label"] = classes[k][0] if k < len(classes) else None
    return result
