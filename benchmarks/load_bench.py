"""Load test: 30 clients × 30 s on loopback against one villagecov server, 0 errors expected.

The PostGIS database of ``api_bench.py`` (real boundaries, SYNTHETIC villages in every 2019 commune,
coverage rows, polygons, a COG) is served by one uvicorn process (``api.app:create_app``, one
worker, as in production behind the reverse proxy). ``--clients`` asyncio clients (httpx, one
connection each) loop for ``--duration`` seconds over a mix of what the dashboard and attackers
send: the landing page, collections, item pages, village and commune tiles z8–z14, indicators,
a village page, and anonymous chunked ``POST /uploads`` (answered 401 before the body is read,
expected). An error is a transport failure, a 5xx, or any status outside the expected ones.
Latency percentiles (p50/p95/p99) over every request, throughput, and the server's resident
memory (psutil: at start, peak, end) are printed and written as JSON.

Figures, not pass/fail; the machine is shared (2 cores).

    .venv/bin/python benchmarks/load_bench.py [--pg URL] [--clients 30] [--duration 30]
        [--out benchmarks/load_bench.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "coverage"), str(ROOT / "benchmarks")]

from api_bench import build_database, drop_database, free_port, start, tiles_over_province  # noqa: E402


def request_mix(rng: np.random.Generator) -> list[tuple[str, str, set[int]]]:
    """(method, path, expected statuses) cycled through by every client."""
    mix: list[tuple[str, str, set[int]]] = [
        ("GET", "/", {200}),
        ("GET", "/collections", {200}),
        ("GET", "/indicators?level=province", {200}),
        ("GET", "/collections/villages/items?limit=50", {200}),
        ("GET", "/collections/communes-2019/items?limit=20&offset=40", {200}),
        ("GET", "/indicators?as_of=2025-02-30", {400}),
        ("GET", "/collections/villages/items?name=%00", {400}),
        ("POST", "/uploads", {401}),
    ]
    for z in range(8, 15):
        for _, x, y in tiles_over_province(z, 6, rng):
            mix.append(("GET", f"/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}", {200, 204}))
            mix.append(("GET", f"/collections/coverage/tiles/WebMercatorQuad/{z}/{y}/{x}", {200, 204}))
    order = rng.permutation(len(mix))
    return [mix[i] for i in order]


async def client(
    base: str,
    mix: list[tuple[str, str, set[int]]],
    start: int,
    until: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    import httpx

    async def chunks():  # an anonymous chunked upload (no Content-Length)
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
        for _ in range(3):  # sent whole before the 401 is read (httpx writes the body first)
            yield b"x" * 65536

    i = start
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1)) as c:
        while time.monotonic() < until:
            method, path, ok = mix[i % len(mix)]
            i += 1
            t0 = time.perf_counter()
            try:
                if method == "POST":
                    r = await c.post(
                        path, content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"}
                    )
                else:
                    r = await c.get(path)
                status = r.status_code
            except Exception as exc:
                errors.append(f"{method} {path}: {type(exc).__name__}")
                continue
            latencies.append(time.perf_counter() - t0)
            if status not in ok:
                errors.append(f"{method} {path}: {status}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--pg",
        default=os.environ.get(
            "VILLAGECOV_TEST_POSTGIS_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/villagecov_test"
        ),
    )
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "load_bench.json")
    args = ap.parse_args()

    import psutil

    workdir = Path(tempfile.mkdtemp(prefix="villagecov-loadbench-"))
    url, _ = build_database(args.pg, workdir)
    port = free_port()
    uv = [
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-keep-alive",
        "5",
        "--port",
        str(port),
        "--factory",
        "villagecov.api.app:create_app",
    ]
    proc = start(
        [sys.executable, *uv],
        {
            "VILLAGECOV_STORE": url,
            "VILLAGECOV_ARCHIVE_DIR": str(workdir / "archive"),
            "PYTHONPATH": f"{ROOT}:{ROOT / 'coverage'}",
        },
        port,
        workdir / "server.log",
    )
    server = psutil.Process(proc.pid)
    rss: list[int] = [server.memory_info().rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            rss.append(server.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        mix = request_mix(np.random.default_rng(16))
        latencies: list[float] = []
        errors: list[str] = []
        sampler.start()
        t0 = time.monotonic()
        until = t0 + args.duration

        async def run() -> None:
            await asyncio.gather(
                *(
                    client(f"http://127.0.0.1:{port}", mix, k * 7, until, latencies, errors)
                    for k in range(args.clients)
                )
            )

        asyncio.run(run())
        elapsed = time.monotonic() - t0
        done.set()
        sampler.join()
        lat = np.asarray(latencies) * 1000
        result = {
            "clients": args.clients,
            "duration_s": round(elapsed, 1),
            "requests": int(lat.size),
            "requests_per_s": round(lat.size / elapsed, 1),
            "errors": len(errors),
            "error_examples": errors[:10],
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "p99_ms": round(float(np.percentile(lat, 99)), 1),
            "max_ms": round(float(lat.max()), 1),
            "server_rss_mb": {
                "start": round(rss[0] / 2**20),
                "peak": round(max(rss) / 2**20),
                "end": round(rss[-1] / 2**20),
            },
            "mix": len(mix),
        }
    finally:
        done.set()
        proc.terminate()
        proc.wait(timeout=30)
        drop_database(url)
    print(json.dumps(result, indent=1))
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
