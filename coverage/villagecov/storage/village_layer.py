"""The current village layer of a PostGIS store, kept ready for the map tiles.

A village as the maps show it joins two tables: the latest register row of the village and its
row in the latest computed vintage of ``village_summary``. Built per request, that join hashes
every summary row of the vintage for every tile, whatever the tile holds (1,590 rows here,
100,000 for a large register), and the gaps layer ranks every gap village province-wide.

``village_layer`` (Alembic 0007) holds that join for the latest vintage, with the gap rank, in one
table with a spatial index. It is rebuilt inside the transaction that changes its sources, so a
reader sees the old layer with the old tables or the new layer with the new ones, never a mix
(tile reads of the layer wait while it is rebuilt):

- statement triggers on ``villages`` and ``village_summary`` mark it stale
  (``village_layer_state``; the row lock also queues concurrent writers, so each rebuild reads the
  previous writer's committed rows);
- :func:`refresh_if_stale` rebuilds it at the end of every store transaction and in
  ``Store.initialize``;
- a stale layer (rows written by other means, not yet rebuilt) is never read: the tiles fall back to
  the join (:func:`is_fresh`).

Past vintages (``datetime=``) are always joined on the fly from the tables themselves.
"""

from __future__ import annotations

from typing import Any

from villagecov import rules
from villagecov.compute.people import people_without_sql
from villagecov.rules import at_or_before_sql, latest_vintage_sql, no_newer_row_sql, whole_people_sql
from villagecov.schema import LATEST, VILLAGE_LAYER

ENVELOPE_4326 = "ST_MakeEnvelope(:lx0, :ly0, :lx1, :ly1, 4326)"
VILLAGE_COLUMNS = ("village_id", "name", "commune_code", "population", "remote")  # what villages and gaps show
SUMMARY_COLUMNS = ("status_2g", "status_3g", "status_4g", "status_5g", "pop_share_4g")
# People without 4G in a village (villagecov.compute.people), in whole people as the gaps layer
# shows and ranks them (villagecov.rules).
PEOPLE_4G = people_without_sql("population", "pop_share_4g")
UNCOVERED = whole_people_sql(PEOPLE_4G)
# The layer's columns as declared in villagecov.schema (VILLAGE_LAYER), plus its Web-Mercator copy.
LAYER_COLUMNS = (*VILLAGE_LAYER.column_names, "geom_3857")


def villages_sql(in_tile: bool, single_register: bool = False, lookup: bool = False) -> str:
    """``WITH`` clauses ending in ``vs``: villages (latest register per village at or before ``:d``)
    with their coverage status columns, as in :func:`villagecov.publishing.villages_frame`, read from the
    ``village_summary`` rows of the latest computed vintage at or before ``:d`` (one row per
    village; compute writes every village at each vintage), not aggregated from village_coverage.

    ``in_tile``: only the villages whose latest register touches the tile envelope (bounding boxes).
    ``single_register``: every village has one register row (the usual store: one register loaded),
    so the per-village anti-join for "the latest register row" can be skipped.
    ``lookup``: each village's summary row is fetched through the (as_of, village_id) index (a
    nested loop, forced by ``LATERAL … LIMIT 1``) instead of a hash of the whole vintage's rows —
    cheaper when the tile holds a small share of the villages.
    """
    env = f"AND geometry && {ENVELOPE_4326}" if in_tile else ""
    cols = ", ".join(f"s.{c}" for c in SUMMARY_COLUMNS)
    latest = "" if single_register else "\n        AND " + no_newer_row_sql("villages", ["village_id"], "o")
    join = ("LATERAL (SELECT * FROM s x WHERE x.village_id = v.village_id LIMIT 1) s ON true" if lookup
            else "s USING (village_id)")
    return f"""v AS (SELECT {", ".join(VILLAGE_COLUMNS)}, geometry, geom_3857 FROM villages o WHERE {at_or_before_sql()} {env}{latest}),
    s AS (SELECT village_id, {", ".join(SUMMARY_COLUMNS)}, n_operators_4g FROM village_summary
          WHERE {latest_vintage_sql("village_summary")}),
    vs AS NOT MATERIALIZED (SELECT v.*, {cols}, coalesce(s.n_operators_4g, 0)::bigint AS operators_4g
           FROM v LEFT JOIN {join})"""


def gap_rank_sql() -> str:
    """The rank of a gap village (4G ``none`` or ``partial``) among all of them by the one gap
    ranking (:func:`villagecov.rules.gap_rank_sql`); NULL for the other villages. An expression
    over ``vs`` columns."""
    return rules.gap_rank_sql(PEOPLE_4G, "status_4g")


def refresh_sql() -> str:
    """The statement that fills the (emptied) layer from the tables, as of :data:`LATEST`: every
    declared column, the computed ones from their expressions, the others as ``vs`` has them."""
    computed = {"uncovered_population": UNCOVERED, "gap_rank": gap_rank_sql()}
    values = ", ".join(computed.get(c, c) for c in LAYER_COLUMNS)
    return (f"INSERT INTO village_layer ({', '.join(LAYER_COLUMNS)})\nWITH {villages_sql(False)}\n"
            f"SELECT {values} FROM vs ORDER BY geometry")


def _exists(conn: Any) -> bool:
    """Whether the store has the layer (revision 0007 or later)."""
    import sqlalchemy as sa

    return bool(conn.execute(sa.text("SELECT to_regclass('village_layer_state') IS NOT NULL")).scalar())


def refresh_if_stale(conn: Any) -> bool:
    """Rebuild the layer on ``conn`` (a SQLAlchemy connection, inside the caller's transaction) if
    the triggers marked it stale; True if it was rebuilt."""
    import sqlalchemy as sa

    if not _exists(conn):
        return False  # a store before revision 0007
    if not conn.execute(sa.text("SELECT stale FROM village_layer_state")).scalar():
        return False  # no lock taken: transactions that left the sources alone do not queue here
    if not conn.execute(sa.text("SELECT stale FROM village_layer_state FOR UPDATE")).scalar():
        return False  # rebuilt by a writer that committed meanwhile
    # TRUNCATE, not DELETE: no dead rows for the next tiles to step over (a DELETE and INSERT of
    # 100,000 villages made the next z8 tiles 3x slower until autovacuum). Its lock holds tile
    # readers of the layer until this transaction commits: the rebuild's time (see the benchmark).
    conn.execute(sa.text("TRUNCATE village_layer"))
    conn.execute(sa.text(refresh_sql()), {"d": LATEST})
    conn.execute(sa.text("UPDATE village_layer_state SET stale = false, refreshed_at = now()"))
    return True


def is_fresh(conn: Any) -> bool:
    """Whether the layer may be read: it exists (the store is at revision 0007 or later) and was
    rebuilt after the last change to its sources."""
    import sqlalchemy as sa

    return _exists(conn) and bool(conn.execute(sa.text("SELECT NOT stale FROM village_layer_state")).scalar())


def state(conn: Any) -> str:
    """The layer's state in words, for ``villagecov doctor``."""
    import sqlalchemy as sa

    if not _exists(conn):
        return "absent (schema before revision 0007)"
    stale, at = conn.execute(sa.text("SELECT stale, refreshed_at FROM village_layer_state")).one()
    n = conn.execute(sa.text("SELECT count(*) FROM village_layer")).scalar()
    when = "never rebuilt" if at is None else f"rebuilt {at:%Y-%m-%d %H:%M:%S %Z}"
    return f"{'stale (tiles join the tables; the next store write rebuilds it)' if stale else 'fresh'}, {n} villages, {when}"
