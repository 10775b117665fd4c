"""The boundary version of a village register, told by its commune codes and where its villages lie.

Commune codes alone do not tell: the 2025-07 communes kept the code of one of the communes they
merged, so a 2025-07 register read as 2019 is half accepted — its villages in the merged parts
lie "outside" the old, smaller commune of that code. So a register whose villages do not all fit
their communes in the version asked for is read again in the other versions:

- it fits another version entirely: refused with the version to use when ``--boundaries`` was
  given, read in that version when it was not;
- some villages fit only the version asked for and others only another one: refused as mixed,
  naming a village of each;
- otherwise its bad rows are ordinary row errors (quarantine).
"""

from __future__ import annotations

from collections.abc import Callable

from villagecov.errors import InputError
from villagecov.schema import BOUNDARY_VERSIONS
from villagecov.sources.common import Parsed


def commune_rejects(parsed: Parsed) -> int:
    return sum(1 for r in parsed.rejects.rows if r["field"] == "commune_code")


def _accepted(parsed: Parsed) -> set[str]:
    frame = parsed.tables.get("villages")
    return set() if frame is None or frame.empty else set(frame["village_id"].astype(str))


def detect(parsed: Parsed, requested: str, explicit: bool, file: str,
           read_as: Callable[[str], Parsed]) -> Parsed | None:
    """None: keep ``parsed``; else the register read in the version its villages fit (auto only).
    Raises InputError when they fit another version than asked for, or mix versions."""
    if commune_rejects(parsed) == 0:
        return None
    mine = _accepted(parsed)
    others = {v: read_as(v) for v in BOUNDARY_VERSIONS if v != requested}
    for version, other in others.items():
        if commune_rejects(other) == 0 and len(other.rejects) <= len(parsed.rejects):
            if explicit:
                raise InputError(f"its villages fit the {version} communes, not the {requested} ones "
                                 f"({commune_rejects(parsed)} would be rejected): ingest it with --boundaries "
                                 f"{version}", file=file, field="commune_code")
            return other
    for version, other in others.items():
        theirs = _accepted(other)
        only_theirs, only_mine = sorted(theirs - mine), sorted(mine - theirs)
        if only_theirs and only_mine:
            raise InputError(f"its commune codes mix boundary versions: village {only_mine[0]} fits the "
                             f"{requested} communes, village {only_theirs[0]} only the {version} ones; send one "
                             "file per boundary version", file=file, field="commune_code")
    return None
