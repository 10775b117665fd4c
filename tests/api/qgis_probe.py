"""QGIS as a client of the API: run by tests/api/test_qgis.py with Debian's python3 (python3-qgis).

Usage: ``python3 qgis_probe.py API_URL OUT_DIR STORE NAME`` (NAME: the village to pick out in the tiles), where STORE is the GeoPackage path or a QGIS
``postgres`` provider URI (``dbname=… host=… port=… user=…``). Prints one JSON object with what QGIS saw:

- the OAPIF provider (QGIS's OGC API – Features client) on ``communes-2019`` with a page size of 40, so
  QGIS follows our ``next`` links, and on ``villages``, whole and with a bounding-box request;
- the vector-tile layer on our MVT endpoint, drawn by QGIS with a style that fills one village picked by
  its Vietnamese name (so the name must survive QGIS's own MVT decoder), and one tile read by GDAL's MVT
  driver through QGIS's OGR provider;
- the XYZ raster layer on our PNG tiles, rendered;
- the store itself: the GeoPackage file through QGIS's OGR provider, PostGIS through its postgres provider.

This file imports no villagecov code: it is the client, not the server. Rendered images are saved in
OUT_DIR for a person to look at.
"""

from __future__ import annotations

import json
import math
import os
import sys
import urllib.request
from typing import Any

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")


def oapif(base: str, collection: str, page_size: int) -> QgsVectorLayer:
    uri = f"url='{base}' typename='{collection}' pagingEnabled='true' pageSize='{page_size}'"
    return QgsVectorLayer(uri, collection, "OAPIF")


def features(layer: QgsVectorLayer, request: QgsFeatureRequest | None = None) -> list[dict[str, Any]]:
    out = []
    for f in layer.getFeatures(request or QgsFeatureRequest()):
        g = f.geometry()
        c = g.centroid().asPoint() if not g.isNull() else None
        out.append({"attrs": {k: (v if isinstance(v, int | float | str | bool) or v is None else str(v))
                              for k, v in zip(layer.fields().names(), f.attributes(), strict=True)},
                    "wkb_type": g.wkbType(), "centroid": [c.x(), c.y()] if c else None})
    return out


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    r = 6378137.0
    return math.radians(lon) * r, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * r


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def render(layer: Any, extent_lonlat: tuple[float, float, float, float], path: str) -> dict[str, Any]:
    """Render ``layer`` over the lon/lat box onto a 512×512 transparent image; count painted pixels."""
    x0, y0 = lonlat_to_mercator(extent_lonlat[0], extent_lonlat[1])
    x1, y1 = lonlat_to_mercator(extent_lonlat[2], extent_lonlat[3])
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(MERCATOR)
    ms.setExtent(QgsRectangle(x0, y0, x1, y1))
    ms.setOutputSize(QSize(512, 512))
    ms.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    img: QImage = job.renderedImage()
    img.save(path)
    painted, colours = 0, set()
    for yy in range(0, img.height(), 2):
        for xx in range(0, img.width(), 2):
            c = img.pixelColor(xx, yy)
            if c.alpha() > 0:
                painted += 1
                colours.add((c.red(), c.green(), c.blue()))
    return {"painted": painted, "colours": len(colours), "errors": [str(e.message) for e in job.errors()]}


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def main(base: str, out_dir: str, store: str, pick_name: str) -> dict[str, Any]:
    result: dict[str, Any] = {}

    communes = oapif(base, "communes-2019", 40)
    result["communes"] = {"valid": communes.isValid(), "crs": communes.crs().authid(),
                          "fields": communes.fields().names(), "features": features(communes)}

    villages = oapif(base, "villages", 100)
    result["villages"] = {"valid": villages.isValid(), "title": villages.dataProvider().layerMetadata().title(),
                          "abstract": villages.dataProvider().layerMetadata().abstract(), "fields": villages.fields().names(),
                          "features": features(villages), "extent": villages.extent().toString()}
    # A bounding-box request: QGIS turns the filter rectangle into bbox= on /items.
    first = result["villages"]["features"][0]["centroid"] if result["villages"]["features"] else [0.0, 0.0]
    rect = QgsRectangle(first[0] - 0.001, first[1] - 0.001, first[0] + 0.001, first[1] + 0.001)
    result["villages_in_rect"] = features(villages, QgsFeatureRequest().setFilterRect(rect))

    # Vector tiles: the URL template is the one our TileJSON advertises.
    tj = get_json(f"{base}/collections/villages/tiles/WebMercatorQuad/tilejson.json")
    template = tj["tiles"][0]
    vt = QgsVectorTileLayer(f"type=xyz&url={template}&zmin={tj['minzoom']}&zmax={tj['maxzoom']}", "villages-mvt")
    style = QgsVectorTileBasicRendererStyle("picked", "villages", QgsWkbTypes.PolygonGeometry)
    style.setFilterExpression(f"\"name\" = '{pick_name}'")
    style.setSymbol(QgsFillSymbol.createSimple({"color": "255,0,0,255", "outline_style": "no"}))
    renderer = QgsVectorTileBasicRenderer()
    renderer.setStyles([style])
    vt.setRenderer(renderer)
    picked = next((f["centroid"] for f in result["villages"]["features"] if f["attrs"]["name"] == pick_name), None)
    lon0, lat0 = picked or first
    drawn = render(vt, (lon0 - 0.05, lat0 - 0.05, lon0 + 0.05, lat0 + 0.05), f"{out_dir}/qgis-villages-mvt.png")
    # One z12 tile read by GDAL's MVT driver (QGIS's OGR provider), georeferenced from its z/x/y path.
    z = 12
    tx, ty = tile_of(lon0, lat0, z)
    tile_dir = os.path.join(out_dir, "mvt", str(z), str(tx))
    os.makedirs(tile_dir, exist_ok=True)
    tile_path = os.path.join(tile_dir, f"{ty}.pbf")
    url = template.replace("{z}", str(z)).replace("{x}", str(tx)).replace("{y}", str(ty))
    with urllib.request.urlopen(url, timeout=30) as r, open(tile_path, "wb") as fh:
        fh.write(r.read())
    ogr_tile = QgsVectorLayer(f"{tile_path}|layername=villages", "villages-tile", "ogr")
    result["vector_tiles"] = {
        "valid": vt.isValid(), "template": template, "render": drawn,
        "tile": {"valid": ogr_tile.isValid(), "crs": ogr_tile.crs().authid(), "fields": ogr_tile.fields().names(),
                 "features": features(ogr_tile)},
    }

    rasters = get_json(f"{base}/rasters")["rasters"]
    if rasters:
        rid = rasters[0]["id"]
        rtj = get_json(f"{base}/rasters/{rid}/tilejson.json")
        url = rtj["tiles"][0]
        rl = QgsRasterLayer(f"type=xyz&url={url}&zmin={rtj['minzoom']}&zmax={rtj['maxzoom']}", rid, "wms")
        w, s, e, n = rtj["bounds"]
        result["raster_tiles"] = {"valid": rl.isValid(), "id": rid,
                                  "render": render(rl, (w, s, e, n), f"{out_dir}/qgis-raster-{rid}.png")}

    if store.startswith("dbname="):
        sl = QgsVectorLayer(f'{store} table="public"."villages" (geometry)', "villages-postgis", "postgres")
    else:
        sl = QgsVectorLayer(f"{store}|layername=villages", "villages-gpkg", "ogr")
    result["store_villages"] = {"valid": sl.isValid(), "provider": sl.providerType(), "crs": sl.crs().authid(),
                                "count": sl.featureCount(), "names": sorted(str(f["name"]) for f in sl.getFeatures())}
    return result


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    try:
        out = main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
    finally:
        app.exitQgis()
    sys.stdout.write("QGIS-PROBE " + json.dumps(out, ensure_ascii=False) + "\n")
