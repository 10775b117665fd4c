"""Item pages of the layers too big to hold in memory (:data:`villagecov.publishing.BIG`), read from the store.

``/collections/measurements/items`` without ``bbox`` or ``datetime`` reads one page in
``measurement_id`` order (``Store.read_page``) and counts the matches (``Store.count``) instead of
loading a million drive-test rows to show a hundred. The same page, in the same order, as the
in-memory path gives; equality filters become the store's ``where``.

Its ``next`` link carries a ``cursor`` beside the ``offset``: the id of the page's last feature
and how many features with that id the pages so far have shown. A request with the cursor seeks
to that id in the store's index (keyset paging) instead of walking past ``offset`` rows, so page
2,000 costs what page 2 does; ``offset`` still numbers the page (``prev`` links use it). The token
is opaque to clients (URL-safe base64 of JSON and its HMAC-SHA256 under ``settings.cursor_secret``,
bound to the collection); one the server did not issue — forged, altered, or another layer's — is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd

from villagecov.api.errors import BadQuery
from villagecov.api.features import TimeFilter, coerce, time_range
from villagecov.publishing import Collection, published
from villagecov.storage import Store

MAX_SEEN = 10_000_000  # as the largest offset accepted


def _foreign() -> BadQuery:
    return BadQuery("cursor is not one this server issued: follow the `next` link, or use offset")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, context: str, payload: str) -> str:
    return _b64(hmac.new(key, f"{context}\n{payload}".encode(), hashlib.sha256).digest()[:16])


@dataclass(frozen=True)
class Cursor:
    key: str | int  # the id of the last feature shown
    seen: int  # features with that id shown so far (ids are not unique in every store)

    def encode(self, secret: bytes, context: str) -> str:
        """The token: payload and its HMAC-SHA256 (truncated to 128 bits) under ``secret``,
        bound to ``context`` (the collection), so a forged or foreign cursor is refused."""
        raw = json.dumps([self.key, self.seen], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        payload = _b64(raw)
        return f"{payload}.{_mac(secret, context, payload)}"

    @staticmethod
    def decode(token: str, secret: bytes, context: str) -> Cursor:
        payload, _, mac = token.partition(".")
        if not mac or not hmac.compare_digest(mac, _mac(secret, context, payload)):
            raise _foreign()
        try:
            key, seen = json.loads(_unb64(payload).decode("utf-8"))
            if not isinstance(key, str | int) or isinstance(key, bool) or not isinstance(seen, int) \
                    or isinstance(seen, bool) or not 0 <= seen <= MAX_SEEN:
                raise ValueError(token)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise _foreign() from exc
        return Cursor(key, seen)


def cursor_secret(configured: str | None) -> bytes:
    """The signing key: the configured secret, else a random one for this process."""
    return configured.encode("utf-8") if configured else secrets.token_bytes(32)


def next_cursor(ids: list[object], cursor: Cursor | None) -> Cursor | None:
    """The cursor after a page whose ids, in order, are ``ids`` (read from ``cursor``, if any)."""
    if not ids or ids[-1] is None:
        return None
    last = ids[-1]
    tail = 0
    for v in reversed(ids):
        if v != last:
            break
        tail += 1
    if tail == len(ids) and cursor is not None and cursor.key == last:  # the whole page continued a tie
        tail += cursor.seen
    return Cursor(last, tail)


def store_page(
    store: Store, coll: Collection, filters: Mapping[str, str], offset: int, limit: int, cursor: Cursor | None = None,
    when: TimeFilter | None = None,
) -> tuple[gpd.GeoDataFrame, int, Cursor | None] | None:
    """(page, number matched, cursor of the next page) of the big layer ``coll`` read from the
    store, or None when the request must use the whole frame: a filter on a float (compared with a
    tolerance in memory). ``when`` (a ``datetime`` filter) becomes a time range the store's index on
    ``time`` serves. The router sends only big layers without bbox. With ``cursor`` the page starts
    after it (``offset`` is then only the page's number)."""
    where: dict[str, object] = dict(coll.where)
    for name, raw in filters.items():
        if coll.prop_kind(name) not in ("str", "int", "bool"):
            return None
        where[name] = coerce(coll, name, raw)
    if when is not None and coll.temporal == "time":
        where["time"] = time_range(when)  # served by the index on measurements(time)
    start, skip = None, offset
    if cursor is not None:
        if not isinstance(cursor.key, str if coll.prop_kind(coll.id_column) == "str" else int):
            raise _foreign()
        start, skip = [cursor.key], cursor.seen
    page = store.read_page(coll.table, where=where or None, order_by=[coll.id_column], limit=limit, offset=skip,
                           start=start)
    ids = page[coll.id_column].tolist()
    return published(page, coll), store.count(coll.table, where=where or None), next_cursor(ids, cursor)
