"""The PostGIS village layer (Alembic 0007) on a large register: what its rebuild adds to a write,
and what it saves per village tile.

Fills a fresh PostGIS database with ``--villages`` SYNTHETIC villages (small squares on a grid over
the province) and one computed vintage of their status, then measures in the same run:

- *write*: appending a new summary vintage (every village) in one store transaction, which
  rebuilds the layer before it commits; baseline: the same append with the layer's trigger
  disabled (no rebuild); and the rebuild alone;
- *tiles*: database time per village tile (``villagecov.storage.postgis_tiles.postgis_tile``, after warm-up so that the
  prepared statement runs its generic plan; median of ``--repeat``) at z8–z14 over the middle of
  the province, read from the layer; baseline: the same tile joined from the register and the
  summary on the fly (as before 0007, and as a dated tile still is). Both give the same bytes.

Figures, not pass/fail. ``.venv/bin/python benchmarks/village_layer_bench.py --pg URL [--villages 100000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage")]
BOUNDS = (105.6, 16.9, 107.1, 18.1)
SRC = "SYNTHETIC village layer benchmark"


def villages(n: int, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    import shapely

    side = int(np.ceil(np.sqrt(n)))
    dx, dy = (BOUNDS[2] - BOUNDS[0]) / side, (BOUNDS[3] - BOUNDS[1]) / side
    i = np.arange(n)
    x0, y0 = BOUNDS[0] + (i % side) * dx, BOUNDS[1] + (i // side) * dy
    geoms = shapely.multipolygons(shapely.get_parts(shapely.box(x0, y0, x0 + 0.8 * dx, y0 + 0.8 * dy))[:, None])
    return gpd.GeoDataFrame({
        "village_id": [f"SYN-{k:06d}" for k in i], "name": [f"Thôn tổng hợp {k}" for k in i],
        "commune_code": [f"{k // 600:05d}" for k in i], "boundary_version": "2019",
        "population": rng.integers(100, 3000, n), "remote": rng.random(n) < 0.3, "derived": True,
        "synthetic": True, "source": SRC, "as_of": "2025-01-01"}, geometry=geoms, crs="EPSG:4326")


def summary(ids, as_of: str, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    import pandas as pd

    n = len(ids)
    share = rng.random(n)
    status = np.where(share >= 0.8, "covered", np.where(share >= 0.2, "partial", "none"))
    return pd.DataFrame({"village_id": ids, "as_of": as_of, "status_4g": status, "status_3g": "covered",
                         "status_2g": "covered", "status_5g": "none", "pop_share_4g": share,
                         "n_operators_4g": rng.integers(0, 4, n), "run_id": "bench"})


def main() -> None:
    import sqlalchemy as sa

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default=os.environ.get("VILLAGECOV_TEST_POSTGIS_URL",
                                                   "postgresql+psycopg://postgres@127.0.0.1:55432/villagecov_test"))
    ap.add_argument("--villages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    args = ap.parse_args()

    from villagecov.publishing import catalog
    from villagecov.settings import Settings
    from villagecov.storage import open_store
    from villagecov.storage.postgis_tiles import postgis_tile
    from villagecov.storage.tiles import TileOptions, tile_box

    base = sa.make_url(args.pg)
    name = f"vc_layerbench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    rng = np.random.default_rng(7)
    try:
        store = open_store(url, initialize=True)
        v = villages(args.villages, rng)
        with store.transaction() as tx:
            tx.append("villages", v)
            tx.append("village_summary", summary(v["village_id"], "2025-06-30", rng))
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))

        def write(as_of: str, trigger: bool) -> float:
            rows = summary(v["village_id"], as_of, rng)
            if not trigger:
                with engine.begin() as conn:
                    conn.execute(sa.text("ALTER TABLE village_summary DISABLE TRIGGER village_layer_stale"))
            t0 = time.perf_counter()
            with store.transaction() as tx:
                tx.append("village_summary", rows)
            secs = time.perf_counter() - t0
            with engine.begin() as conn:
                conn.execute(sa.text("ALTER TABLE village_summary ENABLE TRIGGER village_layer_stale"))
            with store.transaction() as tx:  # back to one vintage, the layer rebuilt (not timed)
                tx.delete("village_summary", {"as_of": as_of})
            return secs

        from villagecov.storage.village_layer import refresh_if_stale

        plain = [write("2025-09-30", False) for _ in range(3)]
        rebuilt = [write("2025-09-30", True) for _ in range(3)]
        alone = []
        for _ in range(3):
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE village_layer_state SET stale = true"))
                t0 = time.perf_counter()
                refresh_if_stale(conn)
                alone.append(time.perf_counter() - t0)
        print(f"{args.villages:,} villages; append a summary vintage of every village, one transaction "
              f"(median of 3): {statistics.median(plain):.2f} s without the layer, "
              f"{statistics.median(rebuilt):.2f} s with its rebuild; the rebuild alone "
              f"{statistics.median(alone):.2f} s")

        settings = Settings(store=url, archive_dir=Path(tempfile.mkdtemp()), tile_cache_mb=0)
        coll = catalog(store)["villages"]
        options = TileOptions.from_settings(settings, settings.request_time_budget_s)
        tile_engine = store.tile_engine(options.db_connections)
        import morecantile

        tms = morecantile.tms.get("WebMercatorQuad")
        print("zoom  features  layer ms  joined ms  ratio")
        for z in range(8, 15):
            t = tms.tile((BOUNDS[0] + BOUNDS[2]) / 2, (BOUNDS[1] + BOUNDS[3]) / 2, z)
            box = tile_box(z, t.x, t.y, options)
            runs = {True: [], False: []}
            tiles = {}
            for _ in range(6):  # warm-up: past the driver's prepare threshold and the custom plans
                for layer in (True, False):
                    tiles[layer] = postgis_tile(tile_engine, coll, box, None, options.max_features, options,
                                                single_register=True, prepared=layer)
            assert tiles[True] == tiles[False]
            for _ in range(args.repeat):
                for layer in (True, False):
                    t0 = time.perf_counter()
                    postgis_tile(tile_engine, coll, box, None, options.max_features, options, single_register=True,
                                 prepared=layer)
                    runs[layer].append((time.perf_counter() - t0) * 1000)
            a, b = statistics.median(runs[True]), statistics.median(runs[False])
            print(f"z{z:<4} {tiles[True].features:>8}  {a:8.2f}  {b:9.2f}  {b / a:5.1f}x", flush=True)
        engine.dispose()
        store.close()
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
