"""An in-process LRU of rendered tiles, bounded in bytes, emptied when the store changes.

Tiles depend only on the store's content and the request (collection, z, x, y, vintage), so a
tile rendered once is served again from memory until the store-state token of the layer cache
changes (another process's writes show within ``LayerCache.token_ttl_s``; uploads through the
app clear the layer cache at once). ``settings.tile_cache_mb = 0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from villagecov.publishing import LayerCache
from villagecov.storage import Store
from villagecov.storage.tiles import Tile

Key = tuple[str, int, int, int, str | None]


class TileCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[Key, Tile] = OrderedDict()
        self._bytes = 0
        self._token: str | None = None
        self._lock = threading.Lock()

    def get_or_render(
        self, store: Store, layers: LayerCache, key: Key, render: Callable[[], Tile]
    ) -> tuple[Tile, bool]:
        """The tile under ``key`` and whether it came from memory."""
        if self.max_bytes <= 0:
            return render(), False
        token = layers.token(store)
        with self._lock:
            if token != self._token:
                self._tiles.clear()
                self._bytes, self._token = 0, token
            hit = self._tiles.get(key)
            if hit is not None:
                self._tiles.move_to_end(key)
                return hit, True
        tile = render()
        size = len(tile.data) + 200  # the key and the object around the bytes
        with self._lock:
            if self._token == token and size <= self.max_bytes and key not in self._tiles:
                self._tiles[key] = tile
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, old = self._tiles.popitem(last=False)
                    self._bytes -= len(old.data) + 200
        return tile, False
