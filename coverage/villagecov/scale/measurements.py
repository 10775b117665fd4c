"""Measurement datasets: many CSV files or a Parquet dataset, loaded and aggregated in partitions.

dask.dataframe reads the dataset, one partition per file (so a row's number is its line in its
file, and its ``measurement_id`` is the one a single-file ``villagecov ingest measurements`` of that
file gives). Each partition is validated, quarantined, appended and aggregated on a worker
(:mod:`.partitions`); the per-village sums are reduced as a tree by dask.dataframe's groupby. No
process holds all rows: the client sees the rejected rows and the aggregate only.

The dataset is one submission: its identity is the sha256 over its files' names and digests; a
manifest (files, sizes, digests) and the quarantine report are archived instead of the data (a
national dataset is not copied). Partitions commit one by one; if any fails, the rows already
written under the submission are deleted before the error is raised, so the store ends as it began.
Without a Dask client the same tasks run in this process, one after the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from villagecov.errors import DuplicateSubmission, InputError
from villagecov.scale.partitions import AGG_META, PartFile, Reference, combine, finish, process_partition
from villagecov.schema import METRIC_CRS
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions, Rejects

if TYPE_CHECKING:
    from distributed import Client

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass
class DatasetReport:
    submission_id: str
    files: int
    accepted: int
    rejected: int
    rejected_by_reason: dict[str, int]
    quarantine_path: Path | None
    manifest_path: Path
    aggregate: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def dataset_files(paths: list[Path]) -> tuple[str, list[Path]]:
    """("csv" | "parquet", the files) of paths that are files or folders (searched recursively)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(CSV_SUFFIXES
                                                                                                + PARQUET_SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError("no such file or folder", file=str(p))
    if not files:
        raise InputError("no CSV or Parquet files in the dataset", file=", ".join(map(str, paths)))
    kinds = {"parquet" if f.name.lower().endswith(PARQUET_SUFFIXES) else "csv" for f in files}
    if len(kinds) > 1:
        raise InputError("a dataset is all CSV or all Parquet, not both", file=str(paths[0]))
    return kinds.pop(), files


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _csv_dialect(path: Path) -> tuple[str, str]:
    """(encoding, separator) of a dataset's CSV files, judged from the first one's header."""
    from villagecov.sources.csvio import decode, sniff_separator

    with open(path, "rb") as fh:
        head = fh.read(65536)
    if path.name.lower().endswith(".gz"):
        import gzip

        with gzip.open(path, "rb") as fh:
            head = fh.read(65536)
    text, encoding = decode(head.rsplit(b"\n", 1)[0] if b"\n" in head else head, path.name)
    return encoding, sniff_separator(text.lstrip("\ufeff").split("\n", 1)[0])


def read_dataset(kind: str, files: list[Path], encoding: str = "utf-8", sep: str = ",") -> Any:
    """The dataset as a dask DataFrame of text cells, one partition per file (in ``files`` order)."""
    import dask.dataframe as dd

    if kind == "csv":
        ddf = dd.read_csv([str(f) for f in files], dtype=str, keep_default_na=False, na_values=[""], sep=sep,
                          encoding=encoding, blocksize=None, skipinitialspace=True,
                          compression="infer")
    else:
        ddf = dd.read_parquet([str(f) for f in files], split_row_groups=False)
    if ddf.npartitions != len(files):
        raise InputError(f"expected one partition per file, got {ddf.npartitions} for {len(files)} files",
                         file=str(files[0]))
    return ddf


def load_dataset(settings: Settings, store: object, paths: list[Path], options: IngestOptions,
                 client: Client | None = None, actor: str | None = None) -> DatasetReport:
    """Validate, quarantine, load and aggregate the measurement dataset at ``paths`` (see module)."""
    import dask

    from villagecov.ingest import _reference, write_quarantine
    from villagecov.submissions import default_actor, log_change, submission_id_of

    kind, files = dataset_files([Path(p) for p in paths])
    shas = [_sha256(f) for f in files]
    manifest = [{"file": str(f), "bytes": f.stat().st_size, "sha256": s} for f, s in zip(files, shas, strict=True)]
    digest = hashlib.sha256("\n".join(f"{f.name}:{s}" for f, s in zip(files, shas, strict=True)).encode()).hexdigest()
    key = json.dumps({**json.loads(options.key()), "dataset": kind}, sort_keys=True, ensure_ascii=False)
    name = files[0].parent.name if len(files) > 1 else files[0].name
    if store.has_submission(digest, "measurements", key):  # type: ignore[attr-defined]
        raise DuplicateSubmission(f"{name}: already ingested as measurements with the same options "
                                  f"(sha256 {digest[:12]}): nothing changed")
    sid = submission_id_of(digest, "measurements", key)
    folder = Path(settings.archive_dir) / digest[:2] / digest
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "dataset-manifest.json"
    manifest_path.write_text(json.dumps({"kind": kind, "files": manifest}, indent=1), encoding="utf-8")
    province, communes, _ = _reference(store, "measurements", options, name)  # type: ignore[arg-type]
    villages = store.read("villages", as_of=options.as_of or "9999-12-31")  # type: ignore[attr-defined]
    metric = villages.geometry.to_crs(METRIC_CRS) if len(villages) else villages.geometry
    ref = Reference(options, province, communes, np.asarray(metric.values, dtype=object),
                    villages["village_id"].astype(str).to_numpy(), store.url, sid,  # type: ignore[attr-defined]
                    settings.reporting_period)
    encoding, sep = _csv_dialect(files[0]) if kind == "csv" else ("utf-8", ",")
    parts = read_dataset(kind, files, encoding, sep).to_delayed()
    if client is not None:
        [ref_arg] = client.scatter([ref], broadcast=True)
    else:
        ref_arg = ref
    task = dask.delayed(process_partition, nout=2, pure=False)
    outs = [task(p, PartFile(f.name, s, encoding, sep), ref_arg, settings) for p, f, s in zip(parts, files, shas,
                                                                                              strict=True)]
    summaries = [o[0] for o in outs]
    reduced = tree_reduce([o[1] for o in outs])
    try:
        results, table = _run(client, summaries, reduced)
    except BaseException:
        with store.transaction() as tx:  # type: ignore[attr-defined]
            tx.delete("measurements", {"submission_id": sid})
        raise
    rejects = Rejects()
    for r in results:
        rejects.rows.extend(r.rejects)
    accepted = sum(r.accepted for r in results)
    quarantine = write_quarantine(rejects, folder, "measurements", key, name) if len(rejects) else None
    if accepted == 0:
        raise InputError(f"no usable rows in {len(files)} files: {len(rejects)} rejected (report: {quarantine})",
                         file=name)
    dates = [r.as_of_max for r in results if r.as_of_max]
    with store.transaction() as tx:  # type: ignore[attr-defined]
        tx.append("submissions", pd.DataFrame([{
            "sha256": digest, "kind": "measurements", "filename": name, "archive_path": str(manifest_path),
            "options": key, "received_at": datetime.now(UTC), "rows_accepted": accepted,
            "rows_rejected": len(rejects), "quarantine_path": str(quarantine) if quarantine else None,
            "status": "ingested", "submission_id": sid, "submitted_by": actor or default_actor(),
            "as_of": max(dates)[:10] if dates else None, "boundary_version": options.boundary_version,
            "scope": f"{len(files)} files", "extent": None,
        }]))
        log_change(tx, actor or default_actor(), "ingest", sid, {"kind": "measurements", "file": name,
                                                                 "sha256": digest, "files": len(files),
                                                                 "rows_accepted": accepted,
                                                                 "rows_rejected": len(rejects)})
    notes = sorted({n for r in results for n in r.notes})
    return DatasetReport(sid, len(files), accepted, len(rejects), dict(rejects.by_reason()), quarantine,
                         manifest_path, finish(table), notes)


def _run(client: Client | None, summaries: list[Any], reduced: Any) -> tuple[list[Any], pd.DataFrame]:
    """Compute the partitions and the reduced sums. On a cluster, every partition has finished or
    failed before this returns or raises: no partition writes after the caller's clean-up."""
    import dask

    if client is None:
        return dask.compute(summaries, reduced, scheduler="synchronous")  # type: ignore[return-value]
    from distributed import wait

    futures = client.compute([*summaries, reduced])
    wait(futures)
    values = client.gather(futures)
    return values[:-1], values[-1]


def tree_reduce(parts: list[Any], fan_in: int = 8) -> Any:
    """The partitions' sums merged ``fan_in`` at a time, level by level (a tree of delayed tasks:
    no task holds more than ``fan_in`` partial tables)."""
    import dask

    task = dask.delayed(combine, pure=True)
    level = list(parts) or [AGG_META.copy()]
    while len(level) > 1:
        level = [task(level[i:i + fan_in]) for i in range(0, len(level), fan_in)]
    return level[0] if isinstance(level[0], pd.DataFrame) else task([level[0]])
