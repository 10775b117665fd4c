"""One meaning per colour and symbol, distinguishable under deuteranopia and protanopia
(Machado et al. 2009 simulation, CIE ΔE*ab), and Vietnamese alphabetical order."""

from __future__ import annotations

from villagecov.maps import palette
from villagecov.maps.collate import vi_key, vi_sorted
from villagecov.maps.palette import (
    CLASS_COLOURS,
    MIN_DELTA_E,
    SERVICE_CLASS_COLOURS,
    SERVICE_YES_NO,
    delta_e,
    min_distance,
    simulate,
)
from villagecov.signal_classes import COVERAGE_CLASSES, SIGNAL_CLASSES


def _hex(rgba: tuple[int, int, int, int]) -> str:
    r, g, b = rgba[:3]
    return f"#{r:02x}{g:02x}{b:02x}"


def test_the_simulation_is_the_published_one() -> None:
    # the matrices keep white white and black black, and fold red and green together for deuteranopes
    assert all(abs(c - 1.0) < 0.01 for c in simulate("#ffffff", "deuteranopia"))
    assert simulate("#000000", "protanopia") == (0.0, 0.0, 0.0)
    assert delta_e("#d73027", "#1a9850", "normal") > 60
    assert delta_e("#d73027", "#1a9850", "deuteranopia") < delta_e("#d73027", "#1a9850", "normal") / 2


def test_every_legend_stays_apart_for_colour_blind_readers() -> None:
    legends = {
        "village classes": CLASS_COLOURS,
        "Task 9 services": {k: v for k, v in SERVICE_CLASS_COLOURS.items()},
        "one service": SERVICE_YES_NO,
        "signal classes": {cid: _hex(rgba) for cid, _, rgba in SIGNAL_CLASSES},
        "coverage classes": {cid: _hex(rgba) for cid, rgba in COVERAGE_CLASSES},
        "overlays on the village layer": {"declared": palette.DECLARED_COLOUR, "challenge": palette.CHALLENGE_COLOUR,
                                          **CLASS_COLOURS},
    }
    for name, colours in legends.items():
        d, vision, a, b = min_distance(colours)
        assert d >= MIN_DELTA_E, f"{name}: {a} and {b} are {d:.1f} apart under {vision}"


def test_the_old_palette_would_fail() -> None:
    old = {"5G": "#1a7837", "4G": "#5aae61", "3G": "#d9ef8b", "2G": "#fee08b", "partial": "#fdae61",
           "none": "#d73027", "unknown": "#cccccc"}
    assert min_distance(old)[0] < MIN_DELTA_E


def test_one_meaning_per_colour() -> None:
    # has it = blue shades, lacks it = orange shades, no data = grey: the same colour keeps its meaning
    assert SERVICE_YES_NO["yes"] == SERVICE_CLASS_COLOURS["all"] == CLASS_COLOURS["4G"]
    assert SERVICE_YES_NO["no"] == SERVICE_CLASS_COLOURS["no"] == CLASS_COLOURS["none"]
    assert SERVICE_YES_NO["unknown"] == CLASS_COLOURS["unknown"]
    assert SERVICE_CLASS_COLOURS["some"] == CLASS_COLOURS["partial"]
    overlays = [palette.DECLARED_COLOUR, palette.CHALLENGE_COLOUR]
    assert len(set(overlays)) == 2 and not set(overlays) & set(CLASS_COLOURS.values())
    # operators are told apart by letters, not by colours that could clash with a class
    assert len(set(palette.OPERATOR_LETTERS.values())) == len(palette.OPERATOR_LETTERS)
    assert not set(palette.OPERATOR_LETTERS.values()) & set(palette.KIND_LETTERS.values())


def test_vietnamese_alphabetical_order() -> None:
    names = ["Xã Yên Hóa", "Xã Đồng Hóa", "Xã Dân Hóa", "Xã Ân Hóa", "Xã An Thủy", "Xã Bắc Trạch", "Xã Ba Đồn",
             "Xã Dương Thủy"]
    assert vi_sorted(names) == ["Xã An Thủy", "Xã Ân Hóa", "Xã Ba Đồn", "Xã Bắc Trạch", "Xã Dân Hóa", "Xã Dương Thủy",
                                "Xã Đồng Hóa", "Xã Yên Hóa"]
    assert sorted(names)[-1] == "Xã Đồng Hóa"  # by code point Đ would come after Y
    # tones only break ties: a < à < ả < ã < á < ạ
    assert vi_sorted(["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert vi_key("Hòa") < vi_key("Hoàng")
