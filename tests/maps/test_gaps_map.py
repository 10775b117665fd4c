"""The analysts' gaps map: labels from the one catalogue, both languages, SYNTHETIC banner, offline."""

from __future__ import annotations

import inspect

import pytest

from villagecov.maps import gaps
from villagecov.maps.i18n import LABELS


def test_every_gaps_label_is_in_the_catalogue_in_both_languages() -> None:
    keys = [k for k in LABELS if k.startswith("gaps.")]
    assert len(keys) >= 10
    for key in keys:
        vi, en = LABELS[key]["vi"], LABELS[key]["en"]
        assert vi.strip() and en.strip()
        assert gaps.label(key.removeprefix("gaps."), "vi") == vi
        assert gaps.label(key.removeprefix("gaps."), "en") == en
    assert gaps.label("no_4g", "vi") == "Chưa có 4G"
    assert gaps.label("no_4g", "en") == "No 4G"
    with pytest.raises(KeyError):
        gaps.label("no_such_label", "vi")


def test_the_module_keeps_no_label_table_of_its_own() -> None:
    assert "_LABELS" not in inspect.getsource(gaps)

