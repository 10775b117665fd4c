"""The one storage interface. Backends override only what differs (reading, writing, DDL).

Reads return frames normalised by :func:`villagecov.frames.normalize`, so the GeoPackage and
PostGIS backends give identical results. Writes happen inside :meth:`Store.transaction`: every
change in the ``with`` block is applied at once or not at all.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from villagecov.frames import normalize
from villagecov.rules import at_or_before, latest_per_key
from villagecov.schema import TABLES, Table, table

if TYPE_CHECKING:
    from villagecov.storage.tiles import LayerFrames, Tile, TileBox, TileLayer, TileOptions

Where = Mapping[str, Any]  # column -> value (equality), list/tuple/set of values (IN) or a TimeRange


@dataclass(frozen=True)
class TimeRange:
    """A ``where`` value for a timestamp column: ``start`` ≤ t < ``stop`` (UTC, ISO
    ``YYYY-MM-DDTHH:MM:SS``; None: open). Served by the column's index on both backends."""

    start: str | None = None
    stop: str | None = None
BBox = tuple[float, float, float, float]  # minx, miny, maxx, maxy in EPSG:4326


class Transaction(ABC):
    """Changes applied together when the ``with`` block of :meth:`Store.transaction` ends."""

    @abstractmethod
    def append(self, name: str, frame: pd.DataFrame) -> int:
        """Append rows of ``frame`` (normalised to the table) and return how many."""

    @abstractmethod
    def delete(self, name: str, where: Where) -> int:
        """Delete rows matching ``where`` (an empty mapping is refused) and return how many."""

    @abstractmethod
    def read(self, name: str, where: Where | None = None) -> pd.DataFrame:
        """Rows of ``name`` matching ``where`` as this transaction sees them (its own writes
        included), normalised: checks made here and the writes they guard commit together."""

    def lock(self, name: str) -> None:  # noqa: B027 - a backend whose writers are already serialised
        """Hold an exclusive lock called ``name`` until the transaction ends, so that a
        check-then-write on it (a duplicate check) is not raced by another writer."""

    def has_submission(self, sha256: str, kind: str, options: str) -> bool:
        """Whether this file, kind and options were already ingested (seen from inside the transaction)."""
        return not self.read("submissions", {"sha256": sha256, "kind": kind, "options": options}).empty


class Store(ABC):
    """A villagecov store: a GeoPackage file or a PostGIS database."""

    kind: str = ""
    url: str = ""

    @abstractmethod
    def initialize(self) -> None:
        """Create or migrate the schema. Idempotent."""

    @abstractmethod
    def transaction(self) -> Any:
        """Context manager yielding a :class:`Transaction`; all or nothing."""

    @abstractmethod
    def _read(self, spec: Table, where: Where | None, bbox: BBox | None) -> pd.DataFrame:
        """Rows of ``spec`` matching ``where`` and intersecting ``bbox``, any dtypes."""

    @abstractmethod
    def _read_page(
        self, spec: Table, where: Where | None, order_by: list[str], limit: int, offset: int,
        start: list[object] | None = None,
    ) -> pd.DataFrame:
        """Rows ``offset`` … ``offset + limit − 1`` of ``spec`` matching ``where`` (and, given
        ``start``, whose ``order_by`` values are ≥ it), ordered by ``order_by`` (text by code point)
        then row id, any dtypes."""

    @abstractmethod
    def info(self) -> dict[str, str]:
        """Backend, location and library versions (for ``villagecov doctor``)."""

    @abstractmethod
    def state_token(self) -> str:
        """A cheap token that changes when the store's content changes: caches of what was read
        (layer frames, tiles) are kept while it stays the same."""

    @abstractmethod
    def tile(
        self, layer: TileLayer, box: TileBox, *, as_of: str | None, version: str | None, cap: int,
        options: TileOptions, frames: LayerFrames,
    ) -> Tile:
        """The Mapbox Vector Tile of ``layer`` over ``box`` at vintage ``as_of`` (None: the latest),
        at most ``cap`` features, as :mod:`villagecov.storage.tiles` describes it. ``version``: the
        version of a versioned layer (a plan id; None: no version, an empty tile). ``frames``: the
        published layer frames (a backend that encodes in Python reads them) and a memo kept while
        :meth:`state_token` is unchanged."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def repair(self) -> list[str]:
        """Recover from an interrupted writer (``villagecov doctor --repair``); the actions taken."""
        return ["nothing to repair: the database rolls an interrupted transaction back itself"]

    # -- shared behaviour -------------------------------------------------------------------

    def read(
        self,
        name: str,
        *,
        where: Where | None = None,
        bbox: BBox | None = None,
        as_of: str | None = None,
    ) -> pd.DataFrame:
        """Rows of table ``name``, normalised, sorted by its key.

        ``as_of`` (ISO date) applies the vintage rule: per vintage key, only the rows of the
        latest ``as_of`` at or before that date.
        """
        spec = table(name)
        frame = normalize(self._read(spec, where, bbox), spec)
        if as_of is not None and "as_of" in spec.columns:
            frame = latest_vintage(frame, spec, as_of)
        return sort_by_key(frame, spec)

    def read_page(
        self, name: str, *, order_by: Sequence[str], limit: int, offset: int = 0, where: Where | None = None,
        start: Sequence[object] | None = None,
    ) -> pd.DataFrame:
        """One page of table ``name`` in ``order_by`` order (then insertion order), normalised like
        :meth:`read`, without reading the rest of the table: the API pages through layers too big
        to hold in memory (``count`` gives the number matching).

        ``start``: the page begins at the first row whose ``order_by`` values are at or after these
        (compared as the order is: text by code point), and ``offset`` counts from there — keyset
        paging, which seeks instead of walking past every earlier row. Rows with a null in an
        ``order_by`` column are not reached this way."""
        spec = table(name)
        check_columns(spec, order_by)
        if start is not None and (len(start) != len(order_by) or any(v is None for v in start)):
            raise ValueError(f"start needs one non-null value per order_by column ({', '.join(order_by)})")
        key = None if start is None else list(start)
        limit, offset = (limit, offset) if limit > 0 else (0, 0)
        return normalize(self._read_page(spec, where, list(order_by), limit, offset, key), spec).reset_index(drop=True)

    def count(self, name: str, where: Where | None = None) -> int:
        return len(self._read(table(name), where, None))

    def sample(self, name: str, bbox: BBox, limit: int) -> tuple[pd.DataFrame, int]:
        """At most ``limit`` rows of ``name`` intersecting ``bbox`` (which ones: the store's
        choice), normalised, and how many intersect it — a low-zoom tile of a layer of millions of
        points without reading them all. Backends override it to stop reading at ``limit``."""
        frame = self.read(name, bbox=bbox)
        return frame.head(limit).reset_index(drop=True), len(frame)

    def vintages(self, name: str, where: Where | None = None) -> list[str]:
        """Distinct ``as_of`` dates of a table, oldest first."""
        frame = self.read(name, where=where)
        return sorted(v for v in frame["as_of"].dropna().unique())

    def has_submission(self, sha256: str, kind: str, options: str) -> bool:
        return self.count("submissions", {"sha256": sha256, "kind": kind, "options": options}) > 0

    def digest(self) -> str:
        """sha256 over every table's normalised content: equal digests = equal stores."""
        h = hashlib.sha256()
        for name in TABLES:
            frame = self.read(name)
            if "geometry" in frame.columns:
                wkb = frame.geometry.to_wkb(hex=True)
                frame = pd.DataFrame(frame.drop(columns="geometry")).assign(wkb=wkb)
            h.update(name.encode())
            h.update(frame.to_csv(index=False).encode("utf-8"))
        return h.hexdigest()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def latest_vintage(frame: pd.DataFrame, spec: Table, as_of: str) -> pd.DataFrame:
    """Keep rows with ``as_of`` ≤ the date and, per vintage key, only the latest vintage
    (:mod:`villagecov.rules`); a table without a vintage key keeps every row up to the date."""
    if not spec.vintage_key:
        return at_or_before(frame, as_of)
    return latest_per_key(frame, spec.vintage_key, as_of)


def sort_by_key(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    keys = [k for k in spec.key if k in frame.columns]
    if keys and len(frame):
        frame = frame.sort_values(keys, kind="stable", na_position="first")
    return frame.reset_index(drop=True)


def where_values(where: Where | None) -> Iterator[tuple[str, list[Any]]]:
    """Iterate ``where`` as (column, list of accepted values); validates column names later."""
    for col, value in (where or {}).items():
        if isinstance(value, TimeRange):
            yield col, [value]
        elif isinstance(value, list | tuple | set | frozenset):
            yield col, list(value)
        else:
            yield col, [value]


def check_columns(spec: Table, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in spec.columns:
            raise KeyError(f"table {spec.name} has no column {col!r}")
