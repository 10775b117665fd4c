"""AS_OF parsed as a date (never compared as text) and matched to the store's periods."""

from __future__ import annotations

import pytest

from villagecov.analysis.params import check_boundary_version, choose_period, parse_as_of
from villagecov.errors import ConfigError, NotFound

PERIODS = ["2019-12-31", "2024-12-31"]


@pytest.mark.parametrize(("text", "period", "how"), [
    ("", "2024-12-31", "latest"),
    ("2024-12-31", "2024-12-31", "exact"),
    ("31/12/2024", "2024-12-31", "exact"),
    ("31.12.2019", "2019-12-31", "exact"),
    ("31/12/2019", "2019-12-31", "exact"),  # was silently 2024-12-31 when compared as text
    ("2024", "2024-12-31", "in year"),  # was silently 2019-12-31 when compared as text
    ("2019", "2019-12-31", "in year"),
    ("12/2024", "2024-12-31", "in month"),
    ("2024-12", "2024-12-31", "in month"),
    ("2020-06-30", "2019-12-31", "at or before"),
    (" 2030-01-01 ", "2024-12-31", "at or before"),
])
def test_choose_period(text: str, period: str, how: str) -> None:
    choice = choose_period(text, PERIODS)
    assert (choice.period, choice.how) == (period, how)


@pytest.mark.parametrize("text", ["31/02/2024", "13/13/2024", "2024-13-01", "yesterday", "2024/12/31x", "12/31/2024"])
def test_bad_dates_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ConfigError, match="AS_OF .*YYYY-MM-DD, DD/MM/YYYY"):
        parse_as_of(text)


@pytest.mark.parametrize(("text", "message"), [
    ("2010-01-01", "no period at or before 2010-01-01; the store's periods are 2019-12-31, 2024-12-31"),
    ("2021", "no period in 2021; the store's periods are 2019-12-31, 2024-12-31"),
    ("06/2024", "no period in 2024-06; the store's periods are"),
])
def test_dates_without_a_period_list_the_periods(text: str, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        choose_period(text, PERIODS)


def test_describe_says_which_period_and_why() -> None:
    assert choose_period("2020-06-30", PERIODS).describe("en") == (
        "period 2019-12-31 (the latest at or before 2020-06-30)")
    assert "năm 2024" in choose_period("2024", PERIODS).describe("vi")


def test_boundary_version_checked_against_the_store() -> None:
    assert check_boundary_version("2025-07", ["2019", "2025-07", "2025-01"]) == "2025-07"
    with pytest.raises(NotFound, match="'2025' is not in the store; its boundary versions are 2019, 2025-01, 2025-07"):
        check_boundary_version("2025", ["2019", "2025-07", "2025-01"])
