"""The domain rules every layer applies, each written once, with its SQL twin beside it.

Three rules were written again in the store, the API, the maps, the planner, the notebooks and
the PostGIS SQL; they now live here and everything else calls them:

- **Latest vintage.** A read "as of D" keeps the rows dated at or before D (rows without a date
  never count) and, per stream (a vintage key: ``village_id``; ``operator × technology ×
  evidence`` …), only the rows of the stream's latest date — every row of that date, so two rows
  of one date both stay. Without a key the whole table is one stream: the latest computed
  vintage (``village_summary``, ``village_coverage``).
- **Gap ranking.** Gap villages are those whose status is ``none`` or ``partial``
  (:data:`GAP_STATUSES`). They are ranked by the people left without coverage (computed by the
  caller: :func:`villagecov.compute.people.people_without`, the one definition) **rounded to whole people, halves to even**
  (numpy's ``round``; PostgreSQL's ``round`` of a double), most first; **ties by village id in
  code-point order** (Python's string order, ``COLLATE "C"``), so that two villages that show the
  same number of people are ordered by their id and the rank is the same on every backend, in
  the API, the tiles and the maps. Callers may put keys of their own first (the plan: remote
  villages first, then its weights at 0.1 person; the notebooks: the priority score) — the rule
  breaks their ties.
- **Status thresholds.** A village is ``covered`` by a technology when its share (of population,
  or of area without a population surface) is ≥ the covered threshold (``settings.covered_share``,
  80 %), ``partial`` from the partial threshold (``partial_share``, 20 %), else ``none``; no
  share (NaN/NULL) is no status (None), never ``none``.

SQL twins return fragments with named bind parameters (``:d`` for the date, ``:covered_share``
and ``:partial_share`` for the thresholds); only identifiers written in code (tables, columns)
are put into the text, never a value. ``dialect``: ``"postgresql"`` (PostGIS) or ``"sqlite"``
(the GeoPackage file); ``tests/storage/test_rules_sql.py`` checks each twin against its Python
rule on both stores.

Vintage keys are never NULL in the store (every source fills them). On a NULL key the twins
differ — pandas keeps the NULL-key rows as one stream, ``latest_per_key_sql`` drops them,
``no_newer_row_sql`` keeps every dated one — so write keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from villagecov.schema import LATEST

Dialect = Literal["postgresql", "sqlite"]

# -- latest vintage -------------------------------------------------------------------------


def at_or_before(frame: pd.DataFrame, as_of: str | None = LATEST) -> pd.DataFrame:
    """Rows dated at or before ``as_of`` (ISO text; None: any date); undated rows never are."""
    dated = frame["as_of"].notna()
    if as_of is not None:
        dated &= frame["as_of"] <= as_of
    return frame[dated]


def latest_per_key(frame: pd.DataFrame, keys: Sequence[str], as_of: str | None = LATEST) -> pd.DataFrame:
    """Rows with ``as_of`` ≤ the date (ISO text; None: any date) and, per ``keys``, only those of
    the latest ``as_of``; no ``keys``: only those of the frame's latest ``as_of``. Index kept."""
    if frame is None or frame.empty:
        return frame
    frame = at_or_before(frame, as_of)
    if frame.empty:
        return frame
    if not keys:
        return frame[frame["as_of"] == frame["as_of"].max()]
    latest = frame.groupby(list(keys), dropna=False)["as_of"].transform("max")
    return frame[frame["as_of"] == latest]


def latest_vintage(frame: pd.DataFrame, as_of: str | None = LATEST) -> pd.DataFrame:
    """Rows of the latest computed vintage at or before ``as_of`` (the whole table one stream)."""
    return latest_per_key(frame, (), as_of)


def date_sql(param: str = "d", dialect: Dialect = "postgresql") -> str:
    """The bound date ``:param`` as the store compares dates: a PostgreSQL ``date``; ISO text in
    the GeoPackage (its DATE columns hold ``YYYY-MM-DD`` text, which sorts as the dates do)."""
    return f"CAST(:{param} AS date)" if dialect == "postgresql" else f":{param}"


def latest_per_key_sql(table: str, keys: Sequence[str], *, param: str = "d", dialect: Dialect = "postgresql") -> str:
    """:func:`latest_per_key` as a condition on the rows of ``table``: a semi-join on each key's
    latest date at or before ``:param`` (a hash of the grouped dates: one scan of the table)."""
    k = ", ".join(keys)
    return (f"({k}, as_of) IN (SELECT {k}, max(as_of) FROM \"{table}\" WHERE as_of <= {date_sql(param, dialect)}"
            f" GROUP BY {k})")


def at_or_before_sql(alias: str = "", *, param: str = "d", dialect: Dialect = "postgresql") -> str:
    """Rows dated at or before ``:param`` (NULL dates never are)."""
    return f"{alias + '.' if alias else ''}as_of <= {date_sql(param, dialect)}"


def no_newer_row_sql(table: str, keys: Sequence[str], outer: str, *, param: str = "d",
                     dialect: Dialect = "postgresql") -> str:
    """The rest of :func:`latest_per_key` for a row ``outer`` already at or before ``:param``
    (:func:`at_or_before_sql`): no row of its stream is newer and still at or before the date.
    An anti-join probed per outer row — cheaper than :func:`latest_per_key_sql` when ``outer`` is
    already cut down (the villages of one tile)."""
    same = " AND ".join(f"n.{k} = {outer}.{k}" for k in keys)
    return (f"NOT EXISTS (SELECT 1 FROM {table} n WHERE {same} AND n.as_of > {outer}.as_of\n"
            f"                        AND n.as_of <= {date_sql(param, dialect)})")


def latest_vintage_sql(table: str, *, param: str = "d", dialect: Dialect = "postgresql") -> str:
    """:func:`latest_vintage` as a condition on the rows of ``table``."""
    return f"as_of = (SELECT max(as_of) FROM {table} WHERE as_of <= {date_sql(param, dialect)})"


# -- gap ranking ----------------------------------------------------------------------------

GAP_STATUSES: tuple[str, ...] = ("none", "partial")  # the status of a gap village


def is_gap(status: object) -> np.ndarray:
    """Per village: whether its status makes it a gap (None/NaN: no evidence, not a gap)."""
    return pd.Series(np.asarray(status, dtype=object).ravel()).isin(GAP_STATUSES).to_numpy()


def whole_people(people: object) -> np.ndarray:
    """People rounded to whole people, halves to even (as numpy and PostgreSQL's double ``round``)."""
    return np.round(np.asarray(people, dtype="float64"))


def gap_order(frame: pd.DataFrame, people: object, *, first: Sequence[tuple[str, bool]] = (),
              village_id: str = "village_id") -> pd.DataFrame:
    """``frame`` in the gap ranking's order: the ``first`` keys (column, descending), then
    :func:`whole_people` of ``people`` (per row, unrounded or already whole) descending, then the
    village id in code-point order; missing ids last. Rank 1 is the first row."""
    keys = pd.DataFrame({f"_k{i}": frame[c].to_numpy() for i, (c, _) in enumerate(first)})
    keys["_people"] = whole_people(people)
    keys["_id"] = frame[village_id].to_numpy()
    asc = [not desc for _, desc in first] + [False, True]
    order = keys.sort_values(list(keys.columns), ascending=asc, kind="stable", na_position="last").index
    return frame.iloc[order.to_numpy()]


def whole_people_sql(expr: str, dialect: Dialect = "postgresql") -> str:
    """:func:`whole_people` of an SQL expression, a bigint/integer. SQLite's ``round`` takes halves
    away from zero, so there the halves are sent to the even neighbour by hand."""
    if dialect == "postgresql":
        return f"round({expr})::bigint"
    t = f"CAST({expr} AS INTEGER)"  # toward zero; the remainder x − t is exact below 2**52
    f = f"abs({expr} - {t})"
    step = f"CASE WHEN {expr} < 0 THEN -1 ELSE 1 END"
    return f"({t} + CASE WHEN {f} > 0.5 OR ({f} = 0.5 AND {t} % 2 != 0) THEN {step} ELSE 0 END)"


def gap_rank_sql(people: str, status: str = "status_4g", village_id: str = "village_id",
                 dialect: Dialect = "postgresql") -> str:
    """The gap rank (1 = first) of a row among the gap rows of the query, NULL for the others: a
    window expression over the columns named; ``people``: the SQL of the people without coverage
    (:func:`villagecov.compute.people.people_without_sql`, unrounded)."""
    gaps = "(" + ", ".join(f"'{s}'" for s in GAP_STATUSES) + ")"
    by_id = f'{village_id} COLLATE "C"' if dialect == "postgresql" else f"{village_id} COLLATE BINARY NULLS LAST"
    return (f"CASE WHEN {status} IN {gaps} THEN row_number() OVER ("
            f"PARTITION BY {status} IN {gaps} ORDER BY {whole_people_sql(people, dialect)} DESC, {by_id}) END")


# -- status thresholds ----------------------------------------------------------------------


class HasThresholds(Protocol):
    covered_share: float
    partial_share: float


@dataclass(frozen=True)
class Thresholds:
    """Shares (0–1) from which a village is ``covered`` and ``partial``; read from the settings."""

    covered: float
    partial: float

    @classmethod
    def of(cls, settings: HasThresholds) -> Thresholds:
        return cls(float(settings.covered_share), float(settings.partial_share))

    def params(self) -> dict[str, float]:
        """The bind parameters of :func:`status_sql`."""
        return {"covered_share": self.covered, "partial_share": self.partial}


def _like(share: object, values: np.ndarray) -> np.ndarray | pd.Series:
    return pd.Series(values, index=share.index) if isinstance(share, pd.Series) else values


def is_covered(share: object, t: Thresholds) -> np.ndarray | pd.Series:
    """Share ≥ the covered threshold (NaN: False); a Series for a Series."""
    return _like(share, np.asarray(share, dtype="float64") >= t.covered)


def has_signal(share: object, t: Thresholds) -> np.ndarray | pd.Series:
    """Share ≥ the partial threshold, i.e. at least ``partial`` (NaN: False)."""
    return _like(share, np.asarray(share, dtype="float64") >= t.partial)


def status(share: object, t: Thresholds) -> np.ndarray:
    """covered / partial / none per share, None where the share is NaN (object array)."""
    s = np.asarray(share, dtype="float64")
    out = np.where(s >= t.covered, "covered", np.where(s >= t.partial, "partial", "none")).astype(object)
    out[np.isnan(s)] = None
    return out


def status_sql(share: str, dialect: Dialect = "postgresql") -> str:
    """:func:`status` of a column, binds ``:covered_share`` and ``:partial_share``
    (:meth:`Thresholds.params`). PostgreSQL orders NaN above every number, so it is no status
    there as in Python (SQLite stores a NaN as NULL)."""
    nan = f" OR {share} = 'NaN'::float8" if dialect == "postgresql" else ""
    return (f"CASE WHEN {share} IS NULL{nan} THEN NULL WHEN {share} >= :covered_share THEN 'covered' "
            f"WHEN {share} >= :partial_share THEN 'partial' ELSE 'none' END")
