"""One small Dask cluster for the scale tests: 2 single-threaded workers in this process (threads,
not processes: starts in well under a second and keeps CI fast; the tasks are the same functions a
remote worker runs, pickled the same way — ``distributed`` serialises task arguments and results
even between in-process workers when they move between workers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c:
        yield c


@pytest.fixture
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    with distributed.Client(cluster) as c:
        yield c


# the ingest tests' stores holding the real boundaries (GeoPackage and PostGIS)
from tests.ingest.conftest import gpkg_template, loaded, postgis_template, template  # noqa: E402, F401
