"""Which Dask scheduler a command runs on.

``spec``: None or "" — no Dask, the single-process path; ``local:N`` (or ``local``) — a
LocalCluster of N worker processes on this machine, one thread each, started and stopped by the
command; anything else — the address of a running ``dask scheduler`` (``tcp://host:8786``).
The CLI takes it from ``--scheduler`` or ``VILLAGECOV_DASK_SCHEDULER`` (settings.dask_scheduler).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from villagecov.errors import InputError

if TYPE_CHECKING:
    from distributed import Client


def parse_local(spec: str) -> int | None:
    """Workers of a ``local:N`` spec (``local`` alone: one per core), or None for an address."""
    if spec == "local":
        return max(1, os.cpu_count() or 1)
    if not spec.startswith("local:"):
        return None
    try:
        n = int(spec.split(":", 1)[1])
    except ValueError:
        n = 0
    if n < 1:
        raise InputError(f"bad scheduler {spec!r}: local:N needs N ≥ 1 workers", field="--scheduler")
    return n


@contextmanager
def dask_client(spec: str | None, *, processes: bool = True, timeout: str = "20s") -> Iterator[Client | None]:
    """A connected ``distributed.Client`` for ``spec`` (see the module), or None without one.

    A ``local:N`` cluster runs N single-threaded worker processes (``processes=False``: threads of
    this process, for tests) and is closed on exit; a remote scheduler is only disconnected from.
    """
    if not spec:
        yield None
        return
    from distributed import Client, LocalCluster

    n = parse_local(spec)
    if n is not None:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
        return
    try:
        client = Client(spec, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {spec}: {exc}", field="--scheduler") from None
    try:
        yield client
    finally:
        client.close()


def worker_count(client: Client) -> int:
    """Threads over all workers (the parallelism to split work for), at least 1."""
    return max(1, sum(client.nthreads().values()))
