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
