"""A real local HTTP server for the browser tests, standing in for the API until it serves maps.

It serves the maps router (built HTML + vendored assets), real MVT tiles encoded with
mapbox-vector-tile from the sample GeoDataFrames, a PNG raster tile and ``/villages/{id}`` in
the shape documented in ``maps/contract.py``. Runs uvicorn in a thread on 127.0.0.1 only.
"""

from __future__ import annotations

import math
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import pandas as pd
import shapely
import uvicorn
from fastapi import FastAPI, HTTPException, Response

from villagecov.api.routers.maps import create_router
from villagecov.maps.inputs import MapInputs

MVT = "application/vnd.mapbox-vector-tile"
HALF = 20037508.342789244  # half the width of EPSG:3857, metres


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Bounds (minx, miny, maxx, maxy) in EPSG:3857 metres of XYZ tile z/x/y (y from the top)."""
    size = 2 * HALF / 2**z
    minx = -HALF + x * size
    maxy = HALF - y * size
    return (minx, maxy - size, minx + size, maxy)


def encode_tile(frame: gpd.GeoDataFrame, layer: str, props: list[str], z: int, x: int, y: int) -> bytes:
    """MVT bytes of the features of ``frame`` (EPSG:4326) intersecting tile z/x/y."""
    bounds = tile_bounds_3857(z, x, y)
    merc = frame.to_crs(3857)
    buf = (bounds[2] - bounds[0]) * 64 / 4096
    clip = shapely.box(bounds[0] - buf, bounds[1] - buf, bounds[2] + buf, bounds[3] + buf)
    features = []
    for rec, geom in zip(merc[props].to_dict("records"), merc.geometry, strict=True):
        if geom is None or not geom.intersects(clip):
            continue
        clean = {k: v for k, v in rec.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
        features.append({"geometry": geom.intersection(clip), "properties": clean})
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": layer, "features": features}], default_options={"quantize_bounds": bounds, "extents": 4096}
    )


def png_tile(rgba: tuple[int, int, int, int] = (30, 120, 200, 140), size: int = 256) -> bytes:
    """A flat-colour RGBA PNG (the predicted-signal raster stand-in)."""
    raw = b"".join(b"\x00" + bytes(rgba) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def village_json(data: MapInputs, village_id: str) -> dict:
    """``/villages/{id}`` in the API's shape (maps/contract.py), from the sample inputs."""
    v = data.villages[data.villages["village_id"] == village_id]
    if v.empty:
        raise HTTPException(status_code=404, detail=f"no village {village_id}")
    rec = v.drop(columns="geometry").iloc[0]
    attrs = {k: (None if pd.isna(val) else val.item() if hasattr(val, "item") else val) for k, val in rec.items()}
    attrs["population"], attrs["households"] = int(rec["population"]), int(rec["households"])
    attrs["remote"] = bool(rec["remote"])
    vc = data.village_coverage[data.village_coverage["village_id"] == village_id]
    latest = vc[vc["as_of"] == vc["as_of"].max()]
    # a second, worse evidence row per ANY row: the popup must keep the best status
    modelled = latest[latest["operator"] == "ANY"].assign(evidence="modelled", status="none", covered_pop_share=0.0)
    sv = data.services[data.services["village_id"] == village_id]
    return {
        "village_id": village_id,
        "attributes": attrs,
        "coverage": [
            {"operator": r["operator"], "technology": r["technology"], "evidence": r["evidence"], "as_of": r["as_of"],
             "status": r["status"], "covered_pop_share": r["covered_pop_share"]}
            for r in pd.concat([modelled, latest]).to_dict("records")
        ],
        "services": [{"service": r["service"], "available": bool(r["available"]), "as_of": r["as_of"]}
                     for r in sv.to_dict("records")],
        "measurements": [{"operator": "viettel", "technology": "4G", "n": 23, "dl_mbps_median": 18.4,
                          "ul_mbps_median": 6.2, "latency_ms_median": 48.0}],
    }


def make_app(data: MapInputs, maps_dir: Path) -> FastAPI:
    app = FastAPI()
    app.include_router(create_router(maps_dir))
    coverage = data.coverage[data.coverage.geometry.notna()]
    layers = {
        "villages": (data.villages, ["village_id", "name"]),
        "coverage": (coverage, ["coverage_id", "operator", "technology", "evidence", "as_of"]),
    }

    @app.get("/collections/{cid}/tiles/WebMercatorQuad/{z}/{y}/{x}")
    def tile(cid: str, z: int, y: int, x: int) -> Response:
        if cid not in layers:
            raise HTTPException(status_code=404)
        frame, props = layers[cid]
        body = encode_tile(frame, cid, props, z, x, y)
        return Response(body, media_type=MVT, status_code=200 if body else 204)

    @app.get("/rasters/{rid}/tiles/WebMercatorQuad/{z}/{y}/{x}.png")
    def raster(rid: str, z: int, y: int, x: int) -> Response:
        return Response(png_tile(), media_type="image/png")

    @app.get("/challenges/villages")
    def challenged() -> dict:  # the real router is exercised against the real API (test_browser_api.py)
        return {"villages": [{"village_id": "V2", "open": 1, "problems": ["no_signal"]}]}

    @app.get("/villages/{village_id}")
    def village(village_id: str) -> dict:
        return village_json(data, village_id)

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
