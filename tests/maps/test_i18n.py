"""The label catalogue: complete in both languages, Vietnamese default, folding for search."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from villagecov.maps import i18n
from villagecov.maps.i18n import LABELS, LANGS, fold, format_reasons, js_labels, t, t_opt

VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"


def test_every_label_exists_in_both_languages_and_is_nfc() -> None:
    for key, entry in LABELS.items():
        assert set(entry) == set(LANGS), key
        for text in entry.values():
            assert text.strip() and unicodedata.is_normalized("NFC", text), key


def test_vietnamese_is_the_default_and_statuses_read_naturally() -> None:
    assert t("status.covered") == "Có sóng"
    assert t("status.partial") == "Có sóng một phần"
    assert t("status.none") == "Không có sóng"
    assert t("status.none", "en") == "Not covered"
    assert t("synthetic.banner").startswith("DỮ LIỆU GIẢ LẬP (SYNTHETIC)")
    assert js_labels("en")["layer.villages"] == "Villages by coverage status"


def test_unknown_key_language_and_enum_fallback() -> None:
    with pytest.raises(KeyError):
        t("no.such.label")
    with pytest.raises(ValueError, match="unsupported language"):
        t("status.none", "fr")
    assert t_opt("operator", "viettel", "vi") == "Viettel"
    assert t_opt("reason", "flood_zone", "vi") == "flood_zone"  # uncatalogued codes show as they are


def test_remote_reasons_read_as_sentences() -> None:
    assert format_reasons("distance_to_seat=31.2km>25km;elevation=512m>400m;border_commune", "vi") == [
        "Xa trung tâm huyện (31,2 km > 25 km)", "Vùng núi cao (512 m > 400 m)", "Xã biên giới"]
    assert format_reasons("distance_to_seat=31.2km>25km", "en") == ["Far from the district seat (31.2 km > 25 km)"]
    assert format_reasons("official, flood_zone", "en") == ["Official list", "flood_zone"]
    assert format_reasons(None, "vi") == []


def test_fold_matches_with_or_without_diacritics() -> None:
    assert fold("Thôn Đồng Hóa") == "thon dong hoa"
    assert fold("  BẢN   Dốc Mây ") == "ban doc may"
    assert fold("Tổ dân phố Đức Ninh") == fold("to dan pho duc ninh")
    assert fold("Phường Đồng Phú") == "phuong dong phu"


@given(st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ", max_size=40))
def test_fold_is_ascii_idempotent_and_length_preserving(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert fold(folded) == folded
    assert len(folded) == len(" ".join(text.split()))


def test_no_visible_string_literals_outside_the_catalogue() -> None:
    """Builders take their words from maps.i18n: no Vietnamese text elsewhere in maps/*.py."""
    here = Path(i18n.__file__).parent
    accented = re.compile(r"[ăâđêôơưàảãáạèẻẽéẹìỉĩíịòỏõóọùủũúụỳỷỹýỵ]", re.IGNORECASE)
    builders = ("assets", "build", "elements", "inputs", "layers", "panels", "progress", "province", "unit")
    for path in (here / f"{name}.py" for name in builders):
        for line in path.read_text(encoding="utf-8").splitlines():
            if accented.search(line) and not line.lstrip().startswith("#"):
                assert '"""' in line or line.startswith(("    ``", "``")), f"{path.name}: {line}"
