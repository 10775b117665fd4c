"""Ingest one input file: archive → duplicate check → parse → quarantine → one transaction.

The raw file is copied content-addressed to ``archive_dir/<sha256[:2]>/<sha256>/<name>`` before
anything reads it. Rejected rows are written beside it as ``quarantine-<kind>-<options hash>.csv``
and ``.json``. Accepted rows and the ``submissions`` row are appended in one store transaction,
so a failure or ``kill -9`` at any point leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from villagecov import boundary_versions
from villagecov.errors import DuplicateSubmission, InputError, VillagecovError
from villagecov.scope import UploadScope
from villagecov.settings import Settings, StoreSettings, UploadSettings
from villagecov.sources.archives import side_files, unwrap
from villagecov.sources.common import IngestOptions, Parsed, ReadContext, Rejects
from villagecov.spreadsheet import neutralise_formulas
from villagecov.storage import Store

KINDS = ("villages", "sites", "coverage", "measurements", "services")
RASTER_SUFFIXES = (".tif", ".tiff", ".geotiff")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class IngestReport:
    """What one ingest did (all paths absolute)."""

    kind: str
    file: str
    sha256: str
    archive_path: Path
    accepted: dict[str, int]
    rejected: int
    rejected_by_reason: dict[str, int]
    quarantine_path: Path | None
    notes: list[str] = field(default_factory=list)
    submission_id: str = ""

    @property
    def rows_accepted(self) -> int:
        return sum(self.accepted.values())


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def archive(settings: StoreSettings, path: Path, sha: str, sides: list[Path] | None = None) -> Path:
    """Copy ``path`` (and its side files: a bare Shapefile's .dbf/.shx, a TAB's .dat/.map/.id…) to
    the content-addressed archive (atomic renames); return the archived main file."""
    folder = Path(settings.archive_dir) / sha[:2] / sha
    for src in [*(sides or []), path]:  # the main file last: its presence means the set is complete
        target = folder / src.name
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{src.name}.{uuid.uuid4().hex}.part"  # unique per writer, threads included
            shutil.copyfile(src, tmp)
            os.replace(tmp, target)
    return folder / path.name


def _check_size(settings: UploadSettings, path: Path) -> None:
    if not path.exists() or not path.is_file():
        raise InputError("no such file", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file", file=path.name)
    limit = settings.max_upload_mb * 2**20
    if size > limit:
        raise InputError(
            f"file is {size / 2**20:.0f} MB, larger than the limit of {settings.max_upload_mb} MB", file=path.name
        )


def _reference(store: Store, kind: str, options: IngestOptions, file: str) -> tuple[object, gpd.GeoDataFrame, set[str] | None]:
    province = store.read("admin_units", where={"level": "province", "version": "2019"})
    if province.empty:
        raise InputError("the store has no boundaries: run `villagecov ingest boundaries` first", file=file)
    communes = store.read("admin_units", where={"level": "commune", "version": options.boundary_version})
    if communes.empty:
        raise InputError(f"no communes for boundary version {options.boundary_version!r}", field="--boundaries")
    known = set(store.read("villages")["village_id"]) if kind == "services" else None
    communes = communes.drop_duplicates("code")
    districts = store.read("admin_units", where={"level": "district", "version": options.boundary_version})
    district = communes["parent_code"].map(dict(zip(districts["code"], districts["name"], strict=True)))
    return province.geometry.iloc[0], communes[["code", "name", "geometry"]].assign(district=district), known


def reader_for(kind: str, path: Path) -> Callable[[ReadContext], Parsed]:
    """The reader of ``kind`` for this file (coverage: raster for GeoTIFF, vector otherwise;
    villages and services: spreadsheet reader for XLSX/XLS/ODS)."""
    suffix = path.suffix.lower()
    if kind in ("villages", "services") and suffix in SHEET_SUFFIXES:
        from villagecov.sources.sheets import read_sheet_kind

        return read_sheet_kind(kind)
    if kind == "villages":
        from villagecov.sources.villages import read_villages

        return read_villages
    if kind == "sites":
        from villagecov.sources.sites import read_sites

        return read_sites
    if kind == "coverage":
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if suffix in RASTER_SUFFIXES or magic in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            from villagecov.sources.coverage_raster import read_coverage_raster

            return read_coverage_raster
        from villagecov.sources.coverage_vector import read_coverage_vector

        return read_coverage_vector
    if kind == "measurements":
        from villagecov.sources.measurements import read_measurements

        return read_measurements
    if kind == "services":
        from villagecov.sources.services import read_services

        return read_services
    raise InputError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}", field="KIND")


def _one_line(exc: BaseException) -> str:
    from villagecov.sources.common import plain_message

    return f"{type(exc).__name__}: {plain_message(exc)}"


def _safe_read(read: Callable[[ReadContext], Parsed], ctx: ReadContext, kind: str) -> Parsed:
    """Run a reader; anything but a villagecov error becomes one line naming the file (never a
    traceback): a reader's unforeseen failure is still the file's problem as far as a user can act."""
    try:
        parsed = read(ctx)
    except VillagecovError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read as {kind}: {_one_line(exc)}", file=ctx.file) from None
    if parsed.chunks is not None:
        parsed.chunks = _safe_chunks(parsed.chunks, ctx, kind)
    return parsed


def _safe_chunks(chunks: Iterator[tuple[str, pd.DataFrame]], ctx: ReadContext, kind: str
                 ) -> Iterator[tuple[str, pd.DataFrame]]:
    while True:
        try:
            item = next(chunks)
        except StopIteration:
            return
        except VillagecovError:
            raise
        except Exception as exc:
            raise InputError(f"cannot read as {kind}: {_one_line(exc)}", file=ctx.file) from None
        yield item


def write_quarantine(rejects: Rejects, folder: Path, kind: str, options_key: str, file: str) -> Path:
    """Write the rejected rows as CSV and JSON; return the CSV path."""
    tag = hashlib.sha256(options_key.encode()).hexdigest()[:8]
    base = folder / f"quarantine-{kind}-{tag}"
    frame = rejects.frame()
    frame.insert(0, "file", file)
    neutralise_formulas(frame).to_csv(base.with_suffix(".csv"), index=False, encoding="utf-8")
    base.with_suffix(".json").write_text(
        json.dumps({"file": file, "kind": kind, "options": json.loads(options_key), "rejected": len(frame),
                    "rows": json.loads(frame.to_json(orient="records", force_ascii=False))},
                   ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return base.with_suffix(".csv")


def _finish_rejects(parsed: Parsed, folder: Path, kind: str, key: str, file: str, accepted: int) -> Path | None:
    """Write the quarantine report (if any row was rejected); refuse a file without usable rows."""
    quarantine = write_quarantine(parsed.rejects, folder, kind, key, file) if len(parsed.rejects) else None
    if accepted == 0:
        first = parsed.rejects.rows[0] if parsed.rejects.rows else None
        if first is None:
            raise InputError("no rows", file=file)
        raise InputError(
            f"no usable rows: {len(parsed.rejects)} rejected, e.g. {first['reason']} (report: {quarantine})",
            file=file, layer=first["layer"], row=first["row"], field=first["field"],
        )
    return quarantine


def _extent(settings: Settings, store: Store, options: IngestOptions, tables: dict[str, pd.DataFrame],
            communes: gpd.GeoDataFrame, sid: str) -> gpd.GeoDataFrame | None:
    """The ``extents`` row of a coverage submission (declared, a raster's valid data, or its footprint)."""
    from villagecov import extents

    cov = tables.get("coverage")
    if options.extent:
        if Path(options.extent).is_file():
            archive(settings, Path(options.extent), sha256_of(Path(options.extent)))  # the declaration is kept too
        units = store.read("admin_units", where={"version": options.boundary_version})
        geom, text = extents.declared_extent(options.extent, units, options.boundary_version)
        kind = "declared"
    elif cov is None or cov.empty:
        return None
    elif cov["raster_path"].notna().any():
        (geom, text), kind = extents.raster_extent(cov), "valid_data"
    else:
        (geom, text), kind = extents.footprint(cov, communes), "footprint"
    if geom is None:
        return None
    return gpd.GeoDataFrame({"submission_id": [sid], "extent_kind": [kind], "description": [text]},
                            geometry=[geom], crs="EPSG:4326")


def _scope_text(kind: str, tables: dict[str, pd.DataFrame]) -> str:
    """What a submission speaks for, in words (for `villagecov submissions`)."""
    frame = tables.get(kind)
    if frame is None or frame.empty:
        return ""
    if kind == "coverage":
        groups = frame[["operator", "technology", "evidence"]].drop_duplicates().astype(str)
        return "; ".join(sorted(" ".join(r) for r in groups.itertuples(index=False)))
    if "commune_code" in frame.columns:
        return f"{frame['commune_code'].nunique()} communes"
    if "village_id" in frame.columns:
        return f"{frame['village_id'].nunique()} villages"
    return ""


def _dates(frames: list[pd.DataFrame]) -> str | None:
    dates = [d for f in frames if "as_of" in f.columns for d in f["as_of"].dropna().astype(str)]
    return max(dates)[:10] if dates else None


def ingest_file(settings: Settings, store: Store, kind: str, path: Path, options: IngestOptions,
                scope: UploadScope | None = None, actor: str | None = None) -> IngestReport:
    """Ingest ``path`` as ``kind``. Raises InputError (whole-file problem, store unchanged),
    DuplicateSubmission (same file, kind and options already ingested: nothing changed) or, given
    the uploader's ``scope``, OutOfScope (a row outside it: nothing changed).

    The duplicate check and the scope check run inside the one transaction that writes the rows,
    under a lock on the submission's identity: concurrent ingests of one file write it once.
    ``actor``: who submits (default: :func:`villagecov.submissions.default_actor`)."""
    from villagecov.submissions import default_actor, log_change, submission_id_of

    actor = actor or default_actor()
    explicit = options.boundary_version is not None  # else: told by the file's commune codes
    if not explicit:
        options = replace(options, boundary_version="2019")
    path = Path(path)
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}", field="KIND")
    _check_size(settings, path)
    sha = sha256_of(path)
    archived = archive(settings, path, sha, side_files(path))
    key = options.key()
    province, communes, known = _reference(store, kind, options, path.name)  # also: does the store exist?
    accepted: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="villagecov-ingest-") as tmp:
        limit = settings.max_uncompressed_mb * 2**20
        unwrapped = unwrap(archived, Path(tmp), path.name, limit, options.layer)
        payload = unwrapped.payload_sha256  # the data's identity: .csv, .csv.gz and a re-packed zip are one
        # fast path; the check that counts is in the transaction
        if store.has_submission(payload, kind, key) or store.has_submission(sha, kind, key):
            raise DuplicateSubmission(
                f"{path.name}: already ingested as {kind} with the same options (sha256 {payload[:12]}): nothing changed"
            )
        read = reader_for(kind, unwrapped.path)
        sid = submission_id_of(payload, kind, key)
        ctx = ReadContext(
            file=path.name, path=unwrapped.path, sha256=payload, options=options, province=province,
            communes=communes, workdir=Path(tmp), archive_dir=archived.parent,
            max_uncompressed_bytes=limit, known_villages=known, inner_name=unwrapped.path.name,
        )
        parsed = _safe_read(read, ctx, kind)
        if unwrapped.steps:
            parsed.notes.insert(0, f"read {unwrapped.path.name} from {' → '.join(unwrapped.steps)}")
        if kind == "villages" and parsed.chunks is None:
            def read_as(version: str) -> Parsed:
                opts = replace(options, boundary_version=version)
                return _safe_read(read, replace(ctx, options=opts,
                                                communes=_reference(store, kind, opts, path.name)[1]), kind)

            again = boundary_versions.detect(parsed, str(options.boundary_version), explicit, path.name, read_as)
            if again is not None:  # the version its villages fit
                parsed = again
                options = replace(options, boundary_version=parsed.tables["villages"]["boundary_version"].iat[0])
                key, sid = options.key(), submission_id_of(payload, kind, options.key())
                if store.has_submission(payload, kind, key):
                    raise DuplicateSubmission(f"{path.name}: already ingested as {kind} with the same options "
                                              f"(sha256 {payload[:12]}): nothing changed")
        if parsed.chunks is None:  # everything is known: refuse an unusable file before writing
            quarantine = _finish_rejects(parsed, archived.parent, kind, key, path.name, parsed.accepted)
        extent = _extent(settings, store, options, parsed.tables, communes, sid) if kind == "coverage" else None
        dated = [f for f in parsed.tables.values()]
        with store.transaction() as tx:
            tx.lock(f"villagecov-submission:{payload}:{kind}:{key}")
            if tx.has_submission(payload, kind, key):
                raise DuplicateSubmission(f"{path.name}: already ingested as {kind} with the same options "
                                          f"(sha256 {payload[:12]}): nothing changed")
            for name, frame in parsed.tables.items():
                if scope is not None:
                    scope.check_rows(tx, name, frame, path.name)
                accepted[name] = accepted.get(name, 0) + tx.append(name, frame.assign(submission_id=sid))
            if parsed.chunks is not None:
                for name, frame in parsed.chunks:
                    if scope is not None:
                        scope.check_rows(tx, name, frame, path.name)
                    accepted[name] = accepted.get(name, 0) + tx.append(name, frame.assign(submission_id=sid))
                    dated.append(frame[["as_of"]] if "as_of" in frame.columns else frame.iloc[0:0])
                quarantine = _finish_rejects(parsed, archived.parent, kind, key, path.name, sum(accepted.values()))
            if extent is not None:
                tx.append("extents", extent)
            tx.append("submissions", pd.DataFrame([{
                "sha256": payload, "kind": kind, "filename": path.name, "archive_path": str(archived),
                "options": key, "received_at": datetime.now(UTC), "rows_accepted": sum(accepted.values()),
                "rows_rejected": len(parsed.rejects), "quarantine_path": str(quarantine) if quarantine else None,
                "status": "ingested", "submission_id": sid, "submitted_by": actor, "as_of": _dates(dated),
                "boundary_version": options.boundary_version, "scope": _scope_text(kind, parsed.tables),
                "extent": None if extent is None else extent["description"].iat[0],
            }]))
            log_change(tx, actor, "ingest", sid, {"kind": kind, "file": path.name, "sha256": payload,
                                                  "rows_accepted": sum(accepted.values()),
                                                  "rows_rejected": len(parsed.rejects)})
        sha = payload
    return IngestReport(
        submission_id=sid, kind=kind, file=path.name, sha256=sha, archive_path=archived, accepted=accepted,
        rejected=len(parsed.rejects), rejected_by_reason=dict(parsed.rejects.by_reason()),
        quarantine_path=quarantine, notes=parsed.notes,
    )
