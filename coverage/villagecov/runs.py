"""Compute runs as records: every input they read, their results kept as bytes, publication.

A run's id is derived from the hash of its inputs, so recomputing unchanged inputs gives the same
run. Each run keeps its results as the exact CSV bytes of its ``indicators``, ``village_summary``
and ``village_coverage`` rows plus ``inputs.json`` (the record of every input), gzip-compressed in
``run_results``; ``--run ID`` reads those bytes back unchanged. Publishing makes a run immutable:
later inputs make new runs and never change it, and a recompute that lands on a published run
must reproduce its bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from villagecov.errors import InputError, NotFound
from villagecov.frames import normalize
from villagecov.schema import table
from villagecov.storage import Store, Transaction
from villagecov.storage.base import sort_by_key

RESULT_NAMES = ("indicators", "village_summary", "village_coverage")
FILES = {**{n: f"{n}.csv" for n in RESULT_NAMES}, "inputs": "inputs.json"}
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@dataclass(frozen=True)
class RunFile:
    name: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def result_csv(name: str, frame: pd.DataFrame) -> bytes:
    """The canonical CSV bytes of a result table (normalised, sorted by key, geometry-free)."""
    spec = table(name)
    rows = sort_by_key(normalize(frame, spec), spec)
    return rows.to_csv(index=False, lineterminator="\n").encode("utf-8")


def run_files(results: dict[str, pd.DataFrame], record: dict[str, Any]) -> list[RunFile]:
    files = [RunFile(n, MEDIA["csv"], result_csv(n, results[n])) for n in RESULT_NAMES]
    inputs = json.dumps(record, sort_keys=True, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    return [*files, RunFile("inputs", MEDIA["json"], inputs)]


def _pack(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, mtime=0)).decode("ascii")


def _unpack(text: str) -> bytes:
    return gzip.decompress(base64.b64decode(text))


def write_files(tx: Transaction, run_id: str, files: list[RunFile]) -> None:
    tx.delete("run_results", {"run_id": run_id})
    tx.append("run_results", pd.DataFrame([{
        "run_id": run_id, "name": f.name, "media_type": f.media_type, "sha256": f.sha256, "encoding": "gzip+base64",
        "content": _pack(f.data)} for f in files]))


def list_runs(store: Store) -> pd.DataFrame:
    """Every run, newest first, with ``current`` (its results are the ones served) set."""
    runs = store.read("runs", where={"kind": "compute"})
    current = set(store.read("indicators", where={"level": "province"})["run_id"].dropna())
    runs = runs.assign(status=runs["status"].fillna("draft"), current=runs["run_id"].isin(current))
    return runs.sort_values("finished_at", ascending=False, kind="stable").reset_index(drop=True)


def get_run(store: Store, run_id: str) -> pd.Series:
    runs = list_runs(store)
    hit = runs[runs["run_id"] == run_id.strip()]
    if hit.empty:
        raise NotFound(f"no compute run {run_id!r}: `villagecov runs` lists them")
    return hit.iloc[0]


def read_file(store: Store, run_id: str, name: str) -> RunFile:
    """A run's kept result (``indicators``, ``village_summary``, ``village_coverage``, ``inputs``) as bytes."""
    if name not in FILES:
        raise InputError(f"a run keeps {', '.join(FILES)}; not {name!r}", field="KIND")
    get_run(store, run_id)
    rows = store.read("run_results", where={"run_id": run_id.strip(), "name": name})
    if rows.empty:
        raise NotFound(f"run {run_id} kept no {name} (it was computed before runs kept their results)")
    r = rows.iloc[0]
    data = _unpack(r["content"])
    if hashlib.sha256(data).hexdigest() != r["sha256"]:
        raise InputError(f"run {run_id}: the kept {name} does not match its sha256 {r['sha256'][:12]}")
    return RunFile(name, r["media_type"], data)


def read_indicators(store: Store, run_id: str) -> pd.DataFrame:
    """A run's indicator rows as kept (text cells, exactly as in its CSV)."""
    data = read_file(store, run_id, "indicators").data
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")


def publish(store: Store, run_id: str, actor: str) -> pd.Series:
    """Make a run immutable (published, by whom, when)."""
    from villagecov.submissions import log_change

    run = get_run(store, run_id)
    if run["status"] == "published":
        raise InputError(f"run {run['run_id']} was already published on {run['published_at']:%Y-%m-%d %H:%M} UTC "
                         f"by {run['published_by']}", field="RUN")
    if store.count("run_results", {"run_id": run["run_id"]}) == 0:
        raise InputError(f"run {run['run_id']} kept no results: run `villagecov compute` again", field="RUN")
    new = run.drop(labels=["current"]).copy()
    new["status"], new["published_at"], new["published_by"] = "published", datetime.now(UTC), actor
    with store.transaction() as tx:
        tx.delete("runs", {"run_id": run["run_id"]})
        tx.append("runs", pd.DataFrame([new]))
        log_change(tx, actor, "publish", str(run["run_id"]), {"inputs_hash": run["inputs_hash"]})
    return new


def check_reproduced(store: Store, run_id: str, files: list[RunFile]) -> None:
    """A recompute that lands on a published run must give its kept result bytes exactly."""
    from villagecov.errors import StoreError

    kept = store.read("run_results", where={"run_id": run_id})
    shas = dict(zip(kept["name"], kept["sha256"], strict=True))
    for f in files:
        if f.name in RESULT_NAMES and shas.get(f.name) not in (None, f.sha256):
            raise StoreError(f"recomputing published run {run_id} gave different {f.name} "
                             f"(sha256 {f.sha256[:12]}, published {shas[f.name][:12]}): nothing was written")


def read_table(store: Store, run_id: str, name: str) -> pd.DataFrame:
    """A run's kept ``village_summary``, ``village_coverage`` or ``indicators``, typed as the store's
    table of that name (the kept CSV holds text cells; booleans as ``True``/``False``)."""
    data = read_file(store, run_id, name).data
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    raw = raw.astype(object).where(raw != "", None)
    spec = table(name)
    for col, kind in spec.columns.items():
        if kind == "bool" and col in raw.columns:
            raw[col] = raw[col].map(lambda v: None if v is None else v.strip().lower() in ("true", "1"))
    return normalize(raw, spec)


def typed_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """Kept indicator rows (text cells) with their numbers as numbers and empty cells as nulls."""
    out = frame.replace("", None)
    for col in ("value", "numerator", "denominator", "baseline", "target"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col]).astype("float64")
    return out
