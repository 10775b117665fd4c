"""Scheduler specs of --scheduler / VILLAGECOV_DASK_SCHEDULER."""

from __future__ import annotations

import pytest

from villagecov.errors import InputError
from villagecov.scale.cluster import dask_client, parse_local


def test_local_specs_and_addresses() -> None:
    assert parse_local("local:3") == 3
    assert parse_local("local") >= 1
    assert parse_local("tcp://10.0.0.5:8786") is None
    with pytest.raises(InputError, match="local:N"):
        parse_local("local:0")


def test_no_scheduler_is_the_single_process_path() -> None:
    with dask_client(None) as client:
        assert client is None


def test_unreachable_scheduler_is_a_one_line_error() -> None:
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"), dask_client("tcp://127.0.0.1:9", timeout="1s"):
        pass


def test_local_n_runs_worker_processes(tmp_path) -> None:
    """``local:1`` starts a real worker process: the tasks and their arguments cross a process
    boundary (pickled), as on a remote cluster."""
    from typer.testing import CliRunner

    from tests.scale.test_predict_dask import synthetic_sites
    from villagecov.cli import app
    from villagecov.storage import open_store

    url = str(tmp_path / "store.gpkg")
    open_store(url, initialize=True).close()
    sites = tmp_path / "SYNTHETIC_sites.gpkg"
    synthetic_sites().to_file(sites, driver="GPKG")
    res = CliRunner().invoke(app, ["predict", "--sites", str(sites), "--resolution", "500", "--radius-km", "5",
                                   "--operator", "vinaphone", "--no-ingest", "--store", url, "--out",
                                   str(tmp_path / "out"), "--scheduler", "local:1"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "signal_vinaphone_4G_SYNTHETIC.tif").exists()
