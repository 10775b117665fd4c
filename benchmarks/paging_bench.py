"""Measurement item pages without bbox: one page read from the store vs the whole layer loaded.

Writes ``--rows`` SYNTHETIC drive-test points straight into a fresh store (GeoPackage by default,
or ``--store`` a PostGIS URL), then times, in the same run:

- *paged* (the API since stop 10): ``api.paging.store_page`` for the first page, a deep page and
  an operator-filtered page (``Store.read_page`` + ``Store.count``), in a fresh process state; the
  deep page also as a ``next`` link reaches it since stop 11, by cursor (a seek in the index);
- *whole layer* (the API before): ``LayerCache.frame_in`` without bbox (the whole layer read and
  published once) and then the same pages sliced from it in memory.

Figures, not pass/fail. ``.venv/bin/python benchmarks/paging_bench.py [--rows 200000] [--store URL]``
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage")]


def fill(url: str, rows: int) -> None:
    import geopandas as gpd
    import pandas as pd

    from villagecov.storage import open_store

    rng = np.random.default_rng(3)
    times = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 86400 * 30, rows), unit="s")
    frame = gpd.GeoDataFrame({
        "measurement_id": [f"M{i:07d}" for i in range(rows)], "kind": "drive_test", "time": times,
        "operator": rng.choice(["viettel", "vinaphone", "mobifone"], rows), "technology": "4G",
        "rsrp_dbm": rng.uniform(-120, -60, rows).round(1), "dl_mbps": rng.uniform(0, 80, rows).round(1),
        "synthetic": True, "source": "SYNTHETIC paging benchmark", "as_of": "2025-03-31",
    }, geometry=gpd.points_from_xy(rng.uniform(106.3, 106.7, rows), rng.uniform(17.3, 17.6, rows)), crs="EPSG:4326")
    with open_store(url, initialize=True) as store, store.transaction() as tx:
        tx.append("measurements", frame)


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--store", default=None)
    args = ap.parse_args()
    url = args.store or str(Path(tempfile.mkdtemp(prefix="vc-paging-")) / "store.gpkg")
    import multiprocessing as mp

    proc = mp.get_context("spawn").Process(target=fill, args=(url, args.rows))  # its memory is not ours
    _, ms = timed(lambda: (proc.start(), proc.join()))
    if proc.exitcode != 0:
        sys.exit("could not fill the store")
    print(f"store {url}: {args.rows} measurements written in {ms / 1000:.1f} s")

    from villagecov.api.features import select
    from villagecov.api.paging import Cursor, store_page
    from villagecov.publishing import FIXED, LayerCache
    from villagecov.storage import open_store

    coll = FIXED["measurements"]
    deep = args.rows - 200
    cases = [("first page", {}, 0, None), ("deep page", {}, deep, None),
             ("deep page by cursor", {}, deep, Cursor(f"M{deep - 1:07d}", 1)),
             ("operator=mobifone page 3", {"operator": "mobifone"}, 200, None)]
    with open_store(url) as store:
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        paged = {}
        for name, filters, offset, cursor in cases:
            (page, matched, _), ms = timed(lambda f=filters, o=offset, c=cursor: store_page(store, coll, f, o, 100, c))
            paged[name] = (list(page["measurement_id"]), matched, ms)
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cache = LayerCache()
        frame, load_ms = timed(lambda: cache.frame_in(store, coll, None))
        rss2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"whole layer loaded once: {load_ms:.0f} ms, peak RSS {rss1:.0f} -> {rss2:.0f} MB "
              f"(paged reads: {rss0:.0f} -> {rss1:.0f} MB)")
        for name, filters, offset, _ in cases:
            matched_frame, ms = timed(lambda f=filters: select(frame, coll, filters=f))
            ids = list(matched_frame["measurement_id"].iloc[offset: offset + 100])
            p_ids, p_matched, p_ms = paged[name]
            same = "same page" if (ids == p_ids and len(matched_frame) == p_matched) else "DIFFERENT PAGE"
            print(f"{name:<26} paged {p_ms:7.1f} ms | whole layer: first request {load_ms + ms:7.0f} ms, "
                  f"then {ms:6.1f} ms from memory | {same} (matched {p_matched})")


if __name__ == "__main__":
    main()
