"""Compressed and multi-file inputs: ``.gz``, ``.zip``, ``.7z`` and the side files of a bare
Shapefile, MapInfo TAB/MIF or GeoTIFF.

:func:`side_files` names the files that belong with a bare main file (archived together);
:func:`unwrap` turns an archived input into the file a reader parses (decompressed into the
ingest's scratch folder, side files beside it) and the *payload digest*: the identity of the data
itself, so the same cells as ``.csv``, ``.csv.gz`` or re-packed in a ``.zip`` are one submission.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from villagecov.errors import InputError
from villagecov.sources.vector_io import safe_extract

# Side files per main suffix (a bare main file is archived with the siblings of the same stem).
SIDE_SUFFIXES: dict[str, tuple[str, ...]] = {
    ".shp": (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml", ".qmd"),
    ".tab": (".dat", ".id", ".map", ".ind", ".cpg"),
    ".mif": (".mid",),
    ".tif": (".tfw", ".tif.aux.xml", ".tif.ovr", ".prj"),
    ".tiff": (".tfw", ".tiff.aux.xml", ".tiff.ovr", ".prj"),
}
# Files that can be the one input inside an archive (anything else is a side file or ignored).
MAIN_SUFFIXES = (".csv", ".txt", ".tsv", ".shp", ".tab", ".mif", ".gpkg", ".geojson", ".json", ".kml", ".kmz",
                 ".parquet", ".geoparquet", ".tif", ".tiff", ".xlsx", ".xlsm", ".xls", ".ods", ".gz", ".zip",
                 ".7z", ".vrt", ".hgt")
GZIP_MAGIC = b"\x1f\x8b"
SEVENZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
ZIP_MAGIC = b"PK\x03\x04"
MAX_NESTING = 3


@dataclass
class Unwrapped:
    path: Path  # the file a reader parses
    payload_sha256: str  # identity of the data (decompressed content, side files included)
    steps: list[str] = field(default_factory=list)  # e.g. ["gzip"], for the notes


def side_files(path: Path) -> list[Path]:
    """Siblings of a bare main file that belong to it (``x.shp`` → ``x.dbf``, ``x.shx`` …)."""
    suffix = path.suffix.lower()
    wanted = SIDE_SUFFIXES.get(suffix, ())
    if not wanted or not path.parent.is_dir():
        return []
    stem = path.name[: -len(path.suffix)].lower()
    out = []
    for sibling in sorted(path.parent.iterdir()):
        name = sibling.name.lower()
        if sibling != path and sibling.is_file() and name.startswith(stem) and name[len(stem):] in wanted:
            out.append(sibling)
    return out


def missing_sides(path: Path, present: list[Path]) -> str | None:
    """The side file a main file cannot be read without, if it is absent (one-line reason)."""
    suffix = path.suffix.lower()
    have = {p.name[len(path.stem):].lower() for p in present}
    need = {".shp": (".shx", ".dbf"), ".tab": (".dat", ".map"), ".mif": (".mid",)}.get(suffix, ())
    lacking = [s for s in need if s not in have]
    if lacking:
        return f"its side file {path.stem}{lacking[0]} is missing (give the whole set, or zip them)"
    return None


def _sha(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _set_digest(files: list[Path]) -> str:
    """Digest of several files by base name and content (independent of folders and packing)."""
    if len(files) == 1:
        return _sha(files[0])
    lines = sorted(f"{f.name.lower()}\0{_sha(f)}" for f in files)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def _gunzip(path: Path, dest: Path, file: str, max_bytes: int) -> Path:
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name + ".out"
    if name.lower().endswith(".tgz"):
        name = name[:-4] + ".tar"
    target = dest / (name or "data")
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > max_bytes:
                    raise InputError(f"gzip expands to more than {max_bytes // 2**20} MB (gzip bomb?)", file=file)
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"not a valid gzip file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})",
                         file=file) from None
    if written == 0:
        raise InputError("the gzip file holds an empty file", file=file)
    return target


def _un7z(path: Path, dest: Path, file: str, max_bytes: int) -> list[Path]:
    try:
        import py7zr
    except ImportError:  # pragma: no cover - py7zr is a dependency
        raise InputError(".7z archives need the py7zr package", file=file) from None
    try:
        with py7zr.SevenZipFile(path, mode="r") as archive:
            infos = archive.list()
            total = 0
            for info in infos:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if name.is_absolute() or ".." in name.parts:
                    raise InputError(f"7z entry {info.filename!r} points outside the archive (path traversal)",
                                     file=file)
                total += int(info.uncompressed or 0)
                if total > max_bytes:
                    raise InputError(f"7z expands to more than {max_bytes // 2**20} MB (7z bomb?)", file=file)
            dest.mkdir(parents=True, exist_ok=True)
            archive.extractall(path=dest)
    except InputError:
        raise
    except Exception as exc:  # py7zr raises several classes for damaged archives
        raise InputError(f"not a valid 7z archive ({type(exc).__name__}: {str(exc)[:120]})", file=file) from None
    return [p for p in sorted(dest.rglob("*")) if p.is_file()]


def _pick_main(files: list[Path], file: str, layer: str | None) -> Path | None:
    """The one input inside an extracted archive, or None when it holds several (the reader chooses)."""
    mains = [f for f in files if f.suffix.lower() in MAIN_SUFFIXES and not f.name.startswith((".", "__MACOSX"))
             and "__MACOSX" not in f.parts and not f.name.lower().endswith(".aux.xml")]
    # a .txt/.json that sits beside a real data file is a readme or metadata
    data = [f for f in mains if f.suffix.lower() not in (".txt", ".json")] or mains
    if layer:
        data = [f for f in data if f.stem == layer] or data
    if not data:
        raise InputError("the archive holds no data file (CSV, spreadsheet, Shapefile, TAB/MIF, GeoPackage, "
                         "GeoJSON, KML, Parquet or GeoTIFF)", file=file)
    return data[0] if len(data) == 1 else None


def unwrap(path: Path, workdir: Path, file: str, max_bytes: int, layer: str | None = None) -> Unwrapped:
    """The file to parse for the archived input ``path`` (its side files already beside it)."""
    steps: list[str] = []
    current = path
    sides = side_files(path)
    for depth in range(MAX_NESTING + 1):
        magic = _magic(current)
        suffix = current.suffix.lower()
        dest = workdir / f"unpacked-{depth}"
        if magic.startswith(GZIP_MAGIC) or suffix == ".gz":
            current = _gunzip(current, dest, file, max_bytes)
            steps.append("gzip")
            continue
        if magic.startswith(SEVENZIP_MAGIC) or suffix == ".7z":
            files = _un7z(current, dest, file, max_bytes)
            steps.append("7z")
        elif (magic.startswith(ZIP_MAGIC) or suffix == ".zip") and suffix not in (".xlsx", ".xlsm", ".ods", ".kmz"):
            files = safe_extract(current, dest, file, max_bytes)
            steps.append("zip")
        else:
            break
        main = _pick_main(files, file, layer)
        if main is None:  # several layers: the vector reader opens the folder's files itself
            return Unwrapped(current, _set_digest(files), steps)
        current = main
        sides = [f for f in files if f != main and f.parent == main.parent
                 and f.name.lower().startswith(main.stem.lower())]
        if depth == MAX_NESTING:
            raise InputError("archives nested too deep", file=file)
    if current.suffix.lower() in (".shp", ".tab", ".mif"):
        reason = missing_sides(current, sides)
        if reason:
            raise InputError(f"cannot read {current.name}: {reason}", file=file)
    return Unwrapped(current, _set_digest([current, *sides]), steps)
