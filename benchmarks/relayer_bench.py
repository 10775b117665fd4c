"""Before/after a refactoring: the same reads and the same compute, timed on two checkouts in one run.

    .venv/bin/python benchmarks/relayer_bench.py --baseline /path/to/old/checkout --store var/villagecov.gpkg \
        [--store postgresql+psycopg://...] [--rounds 3]

Each round runs a probe in a fresh process of each checkout's own .venv (alternating, so a busy
machine slows both alike) and reports the median per case and the ratio current / baseline. Cases,
through the real app (FastAPI's in-process client, the tile cache off so every tile is rendered):
village MVT at z8, z10 and z12 over the province, coverage MVT at z10, item pages of 100
villages, and `compute` of the whole store (GeoPackage: on a copy, so the store is unchanged).
The probe finds the app as ``villagecov.api.app`` (after issue 19) or ``api.app`` (before).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BBOX = (105.6, 17.0, 106.98, 18.09)  # Quảng Bình, degrees


def _tiles(z: int) -> list[tuple[int, int, int]]:
    """At most ~60 WebMercatorQuad tiles of zoom ``z`` over the province (z, x, y)."""
    import morecantile

    tiles = [(t.z, t.x, t.y) for t in morecantile.tms.get("WebMercatorQuad").tiles(*BBOX, zooms=[z])]
    return tiles[:: max(1, len(tiles) // 60)]


def probe(store: str) -> dict[str, float]:
    """Seconds per case on this process's checkout."""
    import importlib

    try:
        create_app = importlib.import_module("villagecov.api.app").create_app
    except ImportError:  # the checkout before the re-layering installed the web layer as `api`
        create_app = importlib.import_module("api.app").create_app
    from fastapi.testclient import TestClient

    from villagecov.compute_pipeline import compute_all
    from villagecov.settings import Settings

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not store.startswith("postgresql"):
            copy = Path(tmp) / "store.gpkg"
            shutil.copy(store, copy)
            store = str(copy)
        settings = Settings(store=store, tile_cache_mb=0)
        with TestClient(create_app(settings)) as client:
            client.get("/collections")  # warm: catalogue, layer frames
            cases = {f"villages z{z}": ("villages", z) for z in (8, 10, 12)} | {"coverage z10": ("coverage", 10)}
            for name, (coll, z) in cases.items():
                tiles = _tiles(z)
                client.get(f"/collections/{coll}/tiles/WebMercatorQuad/{tiles[0][0]}/{tiles[0][2]}/{tiles[0][1]}")
                start = time.perf_counter()
                for tz, tx, ty in tiles:
                    r = client.get(f"/collections/{coll}/tiles/WebMercatorQuad/{tz}/{ty}/{tx}")
                    assert r.status_code in (200, 204), (name, r.status_code, r.text[:200])
                out[f"{name} ({len(tiles)} tiles)"] = time.perf_counter() - start
            start = time.perf_counter()
            for offset in range(0, 1000, 100):
                assert client.get(f"/collections/villages/items?limit=100&offset={offset}").status_code == 200
            out["villages items (10 pages of 100)"] = time.perf_counter() - start
        start = time.perf_counter()
        compute_all(settings)
        out["compute (whole store)"] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="the other checkout (with its own .venv)")
    parser.add_argument("--store", action="append", default=[], help="GeoPackage path or PostGIS URL (repeat)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe)))
        return
    here = Path(__file__).resolve().parents[1]
    checkouts = {"baseline": args.baseline.resolve(), "current": here}
    for store in args.store:
        store = store if store.startswith("postgresql") else str(Path(store).resolve())
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in checkouts}
        for _ in range(args.rounds):
            for label, root in checkouts.items():
                done = subprocess.run([str(root / ".venv/bin/python"), str(Path(__file__).resolve()), "--probe", store],
                                      cwd=root, capture_output=True, text=True)
                if done.returncode:
                    sys.exit(f"{label} probe failed: {done.stderr.strip().splitlines()[-1:]}")
                runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"\nstore: {store.split('@')[-1]}   (median of {args.rounds} rounds, seconds)")
        print(f"{'case':<40}{'baseline':>10}{'current':>10}{'current/baseline':>18}")
        for case in runs["current"][0]:
            b = statistics.median(r[case] for r in runs["baseline"])
            c = statistics.median(r[case] for r in runs["current"])
            print(f"{case:<40}{b:>10.3f}{c:>10.3f}{c / b:>18.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
