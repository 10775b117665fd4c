"""The legend of the raster layers uses the colours of the API's raster tiles."""

from __future__ import annotations


def test_legend_shows_the_signal_classes_in_the_api_tile_colours_only_when_asked() -> None:
    from villagecov.maps.panels import legend_html
    from villagecov.signal_classes import SIGNAL_CLASSES, css

    html = legend_html("vi", signal=True)
    assert "Tín hiệu mô phỏng (so với ngưỡng; 4G/5G: RSRP −105 dBm)" in html and "Không có dịch vụ (dưới ngưỡng − 10 dB)" in html
    for _, _, rgba in SIGNAL_CLASSES:
        assert css(rgba) in html
    assert "Modelled signal" in legend_html("en", signal=True)
    assert "Tín hiệu mô phỏng" not in legend_html("vi")


def test_api_tiles_and_legend_share_one_colour_table() -> None:
    from villagecov.raster_tiles import SIGNAL_CLASSES as API_CLASSES
    from villagecov.signal_classes import SIGNAL_CLASSES

    assert [rgba for _, rgba in API_CLASSES] == [rgba for _, _, rgba in SIGNAL_CLASSES]
