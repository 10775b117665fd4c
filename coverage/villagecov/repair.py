"""``villagecov doctor --repair``: recover what an interrupted writer left behind.

The stores never need it to stay correct — each transaction clears a killed writer's leftovers
before it starts — but a repair run says what it found, and checks the store's integrity.
"""

from __future__ import annotations

from villagecov.settings import Settings
from villagecov.storage import open_store


def repair_all(settings: Settings) -> list[str]:
    """Repair the store and the upload jobs of ``settings``; one line per action or finding."""
    store = open_store(settings.store)
    try:
        return store.repair()
    finally:
        store.close()
