"""``villagecov doctor --repair``: recover what an interrupted writer left behind.

The stores never need it to stay correct — each transaction clears a killed writer's leftovers
before it starts — but a repair run says what it found,, checks the store's integrity and marks
upload jobs whose server or worker process died as failed, so that nobody waits for them.
"""

from __future__ import annotations

from villagecov.settings import Settings
from villagecov.storage import open_store


def repair_all(settings: Settings) -> list[str]:
    """Repair the store and the upload jobs of ``settings``; one line per action or finding."""
    from villagecov.jobs import Jobs

    store = open_store(settings.store)
    try:
        lines = store.repair()
    finally:
        store.close()
    return lines + Jobs(settings).repair()
