"""An oversized upload costs a worker process, not the API server (issue #16).

Writes a SYNTHETIC declared-coverage GeoJSON of one polygon with ``--vertices`` (10^6) vertices,
serves a fresh GeoPackage store with a real uvicorn process (``api.app:create_app``) and uploads
the file with an admin key twice:

1. with the default worker memory cap: the job's status, time, and the server's resident memory
   (psutil) before the upload, at its peak while the worker ingests (sampled every 50 ms) and after;
   the worker's own peak (``ru_maxrss`` of the children, read from ``/proc`` while it runs);
2. with ``VILLAGECOV_UPLOAD_JOB_MEMORY_MB`` = ``--small-cap`` (too small for this file): the job
   must end ``failed`` with a clear message, the store unchanged (row counts before/after).

Figures, not pass/fail. ``.venv/bin/python benchmarks/upload_memory_bench.py [--vertices 1000000]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage"), str(ROOT / "benchmarks")]

from api_bench import free_port, start  # noqa: E402


def write_geojson(path: Path, vertices: int) -> None:
    angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = 0.2 + 0.01 * np.sin(angle * 50)
    ring = np.column_stack([106.5 + radius * np.cos(angle), 17.4 + radius * np.sin(angle)]).round(6)
    coords = ",".join(f"[{x},{y}]" for x, y in ring) + f",[{ring[0][0]},{ring[0][1]}]"
    props = {"operator": "viettel", "technology": "4G", "note": "SYNTHETIC upload memory benchmark"}
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        + json.dumps(props)
        + ',"geometry":{"type":"Polygon","coordinates":[['
        + coords
        + "]]}}]}",
        encoding="utf-8",
    )


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/geo+json\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def counts(url: str) -> dict[str, int]:
    from villagecov.storage import open_store

    with open_store(url) as store:
        return {t: len(store.read(t)) for t in ("coverage", "submissions")}


def upload(
    label: str, store: str, workdir: Path, key: str, body: bytes, ctype: str, env: dict[str, str]
) -> dict:
    import psutil

    port = free_port()
    uv = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    uv += ["--no-access-log", "--log-level", "warning", "--factory", "villagecov.api.app:create_app"]
    base_env = {
        "VILLAGECOV_STORE": store,
        "VILLAGECOV_ARCHIVE_DIR": str(workdir / "archive"),
        "PYTHONPATH": f"{ROOT}:{ROOT / 'coverage'}",
    }
    proc = start([sys.executable, *uv], {**base_env, **env}, port, workdir / f"{label}.log")
    try:
        server = psutil.Process(proc.pid)
        rss0 = server.memory_info().rss / 2**20
        peak = {"server": rss0, "worker": 0.0}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                try:
                    peak["server"] = max(peak["server"], server.memory_info().rss / 2**20)
                    for child in server.children(recursive=True):
                        peak["worker"] = max(peak["worker"], child.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
                time.sleep(0.05)

        threading.Thread(target=sample, daemon=True).start()
        before = counts(store)
        t0 = time.perf_counter()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/uploads",
            data=body,
            method="POST",
            headers={"X-API-Key": key, "Content-Type": ctype},
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            job_id = json.loads(r.read())["id"]
        while True:
            poll = urllib.request.Request(
                f"http://127.0.0.1:{port}/uploads/{job_id}", headers={"X-API-Key": key}
            )
            with urllib.request.urlopen(poll, timeout=60) as r:
                job = json.loads(r.read())
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - t0
        time.sleep(1)
        done.set()
        rss1 = server.memory_info().rss / 2**20
        after = counts(store)
    finally:
        proc.terminate()
        proc.wait(30)
    row = {
        "run": label,
        "status": job["status"],
        "error": job.get("error"),
        "seconds": round(seconds, 1),
        "server_rss_mb": {"before": round(rss0), "peak": round(peak["server"]), "after": round(rss1)},
        "worker_rss_mb_peak": round(peak["worker"]),
        "rows_before": before,
        "rows_after": after,
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vertices", type=int, default=1_000_000)
    ap.add_argument("--small-cap", type=int, default=1200, help="MB of address space: too small for the file")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    from villagecov.apikeys import create_key
    from villagecov.pipeline import ingest_boundaries
    from villagecov.settings import Settings
    from villagecov.storage import open_store

    workdir = Path(tempfile.mkdtemp(prefix="vc-upload-mem-"))
    store = str(workdir / "SYNTHETIC_upload_memory.gpkg")
    settings = Settings(store=store, archive_dir=workdir / "archive")
    ingest_boundaries(settings, settings.data_dir)  # the real boundaries (coverage is clipped to them)
    with open_store(store, initialize=True) as s:
        key = create_key(s, "admin")[1]
    geojson = workdir / "SYNTHETIC_coverage_1M_vertices.geojson"
    write_geojson(geojson, args.vertices)
    print(f"{geojson.name}: {args.vertices} vertices, {geojson.stat().st_size / 2**20:.1f} MB", flush=True)
    fields = {
        "kind": "coverage",
        "operator": "viettel",
        "technology": "4G",
        "evidence": "declared",
        "as_of": "2025-06-30",
    }
    body, ctype = multipart(fields, geojson.name, geojson.read_bytes())
    rows = [upload("default cap", store, workdir, key, body, ctype, {})]
    body2, ctype2 = multipart({**fields, "as_of": "2025-06-29"}, geojson.name, geojson.read_bytes())
    rows.append(
        upload(
            f"cap {args.small_cap} MB",
            store,
            workdir,
            key,
            body2,
            ctype2,
            {"VILLAGECOV_UPLOAD_JOB_MEMORY_MB": str(args.small_cap)},
        )
    )
    if args.out:
        Path(args.out).write_text(json.dumps({"vertices": args.vertices, "results": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
