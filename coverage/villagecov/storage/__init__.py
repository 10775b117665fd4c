"""Stores: one interface (:class:`Store`), two backends chosen by URL."""

from __future__ import annotations

from villagecov.errors import ConfigError
from villagecov.storage.base import Store, Transaction

__all__ = ["Store", "Transaction", "open_store"]


def open_store(url: str, *, initialize: bool = False) -> Store:
    """Open the store at ``url``: ``postgresql+psycopg://…`` → PostGIS, anything else → GeoPackage path."""
    if not url.strip():
        raise ConfigError("the store is empty: set VILLAGECOV_STORE to a GeoPackage path or a postgresql+psycopg:// URL")
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from villagecov.storage.postgis import PostGISStore

        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        store: Store = PostGISStore(url)
    else:
        from villagecov.storage.geopackage import GeoPackageStore

        store = GeoPackageStore(url)
    if initialize:
        store.initialize()
    return store
