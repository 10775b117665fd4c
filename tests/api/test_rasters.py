"""Raster routes on both stores: PNG tiles decoded (colour classes, transparent nodata), point values."""

from __future__ import annotations

import io
import os
from pathlib import Path

import morecantile
import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.conftest import Seeded
from villagecov.signal_classes import SIGNAL_CLASSES

TMS = morecantile.tms.get("WebMercatorQuad")


def test_list_and_metadata(client: TestClient) -> None:
    rasters = client.get("/rasters").json()["rasters"]
    assert [r["id"] for r in rasters] == ["R1"]
    assert rasters[0]["value_kind"] == "signal_dbm" and rasters[0]["technology"] == "4G"
    meta = client.get("/rasters/R1").json()
    minx, miny, maxx, maxy = meta["bounds"]
    assert abs(minx - 106.5) < 1e-6 and abs(maxy - 17.6) < 1e-6 and abs(maxx - 106.7) < 1e-6
    assert meta["width"] == 200 and meta["nodata"] == -9999.0
    assert [c["min_dbm"] for c in meta["legend"]] == [None, -115.0, -105.0, -95.0, -85.0]
    assert client.get("/rasters/R9").status_code == 404
    assert client.get("/rasters/R1/tilejson.json").json()["tiles"][0].endswith("{z}/{y}/{x}.png")


def _tile(client: TestClient, lon: float, lat: float, z: int) -> np.ndarray:
    t = TMS.tile(lon, lat, z)
    r = client.get(f"/rasters/R1/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    assert img.mode == "RGBA" and img.size == (256, 256)
    return np.asarray(img)


def test_png_tile_classes_and_transparent_nodata(client: TestClient) -> None:
    colour = {cid: rgba for cid, _, rgba in SIGNAL_CLASSES}
    excellent, weak = colour["excellent"], colour["weak"]
    # z14 tile well inside the west half (−80 dBm: excellent, the darkest blue)
    west = _tile(client, 106.55, 17.45, 14)
    t = TMS.tile(106.55, 17.45, 14)
    b = TMS.bounds(t)
    inside = (b.left >= 106.5) and (b.right <= 106.6) and (b.bottom >= 17.4) and (b.top <= 17.6)
    assert inside
    assert (west[..., 3] == excellent[3]).all() and (west[..., :3] == list(excellent[:3])).all()
    # z14 tile in the south-east quarter: nodata everywhere → fully transparent
    se = _tile(client, 106.65, 17.45, 14)
    assert (se[..., 3] == 0).all()
    # z9 tile holding the whole raster: outside pixels transparent, three kinds of pixel present
    whole = _tile(client, 106.6, 17.5, 9)
    colours = {tuple(p) for p in whole.reshape(-1, 4)}
    assert (0, 0, 0, 0) in colours and excellent in colours and weak in colours


def test_tile_outside_and_cached(client: TestClient) -> None:
    outside = client.get("/rasters/R1/tiles/WebMercatorQuad/12/0/0.png")  # far from the raster: empty, not 404
    assert outside.status_code == 200 and outside.headers["content-type"] == "image/png"
    img = np.asarray(Image.open(io.BytesIO(outside.content)))
    assert img.shape == (256, 256, 4) and (img[..., 3] == 0).all()
    assert client.get("/rasters/R1/tiles/WebMercatorQuad/12/4096/0.png").status_code == 404  # not a tile at all
    t = TMS.tile(106.55, 17.45, 12)
    url = f"/rasters/R1/tiles/WebMercatorQuad/12/{t.y}/{t.x}.png"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    again = client.get(url)
    assert again.headers["x-tile-cache"] == "hit" and again.content == first.content


def test_point_values(client: TestClient, seeded: Seeded) -> None:
    west = client.get("/rasters/R1/point/106.55,17.45").json()
    assert west["value"] == -80.0 and west["label"].startswith("excellent") and west["unit"] == "dBm"
    ne = client.get("/rasters/R1/point/106.65,17.55").json()
    assert ne["value"] == -110.0 and ne["class"] == 1
    se = client.get("/rasters/R1/point/106.65,17.45").json()
    assert se["value"] is None
    assert client.get("/rasters/R1/point/100.0,10.0").status_code == 404
    assert client.get("/rasters/R1/point/500,10").status_code == 400


def _write_cog(path: Path, value: float) -> None:
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="COG", width=64, height=64, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(106.0, 17.5, 0.001, 0.001), nodata=-9999.0) as dst:
        dst.write(np.full((1, 64, 64), value, dtype="float32"))


def test_readers_stay_open_per_thread_and_a_replaced_file_is_reopened(tmp_path: Path) -> None:
    """Tiles and points reuse an open reader (opening costs more than a tile); a COG replaced on
    disk is read anew, and another thread never shares this thread's GDAL handle."""
    import threading

    from villagecov.raster_tiles import open_reader

    path = tmp_path / "signal.tif"
    _write_cog(path, -80.0)
    first = open_reader(path)
    assert open_reader(path) is first
    assert float(first.point(106.03, 17.47, indexes=1).array.data[0]) == -80.0
    other: list[object] = []
    worker = threading.Thread(target=lambda: other.append(open_reader(path)))
    worker.start()
    worker.join()
    assert other[0] is not first
    replacement = tmp_path / "new.tif"
    _write_cog(replacement, -95.0)
    os.utime(replacement, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    replacement.replace(path)
    again = open_reader(path)
    assert again is not first
    assert float(again.point(106.03, 17.47, indexes=1).array.data[0]) == -95.0
