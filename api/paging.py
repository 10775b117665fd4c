"""Item pages of the layers too big to hold in memory (:data:`api.layers.BIG`), read from the store.

``/collections/measurements/items`` without ``bbox`` or ``datetime`` reads one page in
``measurement_id`` order (``Store.read_page``) and counts the matches (``Store.count``) instead of
loading a million drive-test rows to show a hundred. The same page, in the same order, as the
in-memory path gives; equality filters become the store's ``where``.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from api.features import coerce
from api.layers import Collection, published
from villagecov.storage import Store


def store_page(
    store: Store, coll: Collection, filters: Mapping[str, str], offset: int, limit: int
) -> tuple[gpd.GeoDataFrame, int] | None:
    """(page, number matched) of the big layer ``coll`` read from the store, or None when the request
    must use the whole frame: a filter on a float (compared with a tolerance in memory) or a time
    (compared as ISO text in memory). The router sends only big layers without bbox or datetime."""
    where: dict[str, object] = dict(coll.where)
    for name, raw in filters.items():
        if coll.prop_kind(name) not in ("str", "int", "bool"):
            return None
        where[name] = coerce(coll, name, raw)
    page = store.read_page(coll.table, where=where or None, order_by=[coll.id_column], limit=limit, offset=offset)
    return published(page, coll), store.count(coll.table, where=where or None)
