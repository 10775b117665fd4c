"""Vietnamese alphabetical order (what a Vietnamese reader expects in an index).

The alphabet is ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y``: ``Đ`` comes
right after ``D`` (not after ``Z`` as by code point) and ``Ă``/``Â`` after ``A``. Tone marks
(huyền, hỏi, ngã, sắc, nặng) only break ties, in the order: none, huyền, hỏi, ngã, sắc, nặng.
"""

from __future__ import annotations

import unicodedata

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_MODIFIER_RANK = {"": 0, _BREVE: 1, _CIRCUMFLEX: 2, _HORN: 3}


def _letters(text: str) -> list[tuple[str, str, int]]:
    """(base letter, vowel modifier, tone) per letter of ``text`` (lower case)."""
    out: list[tuple[str, str, int]] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _TONES and out:
            base, mod, _ = out[-1]
            out[-1] = (base, mod, _TONES[ch])
        elif ch in _MODIFIER_RANK and out:
            base, _, tone = out[-1]
            out[-1] = (base, ch, tone)
        elif unicodedata.combining(ch):
            continue
        else:
            out.append((ch, "", 0))
    return out


def vi_key(text: str) -> tuple[tuple[tuple[str, int], ...], tuple[int, ...]]:
    """Sort key: letters in Vietnamese order first, tones to break ties."""
    letters = _letters(text)
    primary = tuple(("d" if b == "đ" else b, (1 if b == "đ" else _MODIFIER_RANK[m])) for b, m, _ in letters)
    return primary, tuple(tone for _, _, tone in letters)


def vi_sorted(names: list[str]) -> list[str]:
    return sorted(names, key=vi_key)
