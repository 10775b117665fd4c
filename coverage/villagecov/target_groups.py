"""Target-group lists: which villages or communes are especially difficult (QĐ 612/QĐ-UBDT),
zone III (QĐ 861/QĐ-TTg), on the border, or ethnic-minority villages.

A CSV (UTF-8) with one row per member: ``group, level, code, source, as_of`` — ``level`` is
``village`` (``code`` = village_id) or ``commune`` (``code`` = the commune code the villages are
registered under: every village of the commune is a member). ``source`` names the decision or
list and ``as_of`` its date: a later list of a group replaces the earlier one from its date on.
The indicators are then broken down by group (``<indicator>:<group>``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from villagecov.catalogue import GROUPS
from villagecov.errors import InputError

COLUMNS = ("group", "level", "code", "source", "as_of")


def load_target_groups(path: Path | str) -> pd.DataFrame:
    """The lists as a frame with :data:`COLUMNS`; one-line :class:`InputError` on a bad row."""
    p = Path(path)
    if not p.exists():
        raise InputError("target-group file not found", file=str(p))
    frame = pd.read_csv(p, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for col in COLUMNS:
        if col not in frame.columns:
            raise InputError(f"missing column {col!r}", file=str(p), field=col)
    frame = frame[list(COLUMNS)].apply(lambda s: s.str.strip())
    for n, r in enumerate(frame.itertuples(index=False), start=2):
        if r.group not in GROUPS or r.group == "remote":
            known = ", ".join(g for g in GROUPS if g != "remote")
            raise InputError(f"unknown group {r.group!r} (one of {known})", file=str(p), row=n, field="group")
        if r.level not in ("village", "commune"):
            raise InputError(f"level {r.level!r} is not village or commune", file=str(p), row=n, field="level")
        if not r.code:
            raise InputError("code is empty", file=str(p), row=n, field="code")
        if not r.source:
            raise InputError("every list names its source (decision, date)", file=str(p), row=n, field="source")
        try:
            frame.loc[frame.index[n - 2], "as_of"] = pd.Timestamp(r.as_of).strftime("%Y-%m-%d")
        except ValueError:
            raise InputError(f"as_of {r.as_of!r} is not a date", file=str(p), row=n, field="as_of") from None
    return frame.reset_index(drop=True)
