"""What the 2025 reforms changed in the administrative levels, said plainly where it matters.

On 1 July 2025 district-level units were abolished (communes now report straight to the
province) and Quảng Bình merged into Quảng Trị province. A request for a level that does not exist
on a boundary version gets that reason, not "run compute first".
"""

from __future__ import annotations

from villagecov.errors import NotFound

# boundary version -> levels that do not exist on it, with the reason
ABSENT_LEVELS: dict[str, dict[str, str]] = {
    "2025-07": {
        "district": "districts were abolished on 1 July 2025: the 2025-07 boundaries have no district level "
                    "(communes report straight to the province)",
    },
}
ABSENT_LEVELS_VI: dict[str, dict[str, str]] = {
    "2025-07": {"district": "cấp huyện đã kết thúc hoạt động từ ngày 1/7/2025: ranh giới 2025-07 không có cấp huyện"},
}


def absent_reason(level: str | None, version: str | None, lang: str = "en") -> str | None:
    """Why ``level`` does not exist on ``version`` (None when it does)."""
    if level is None or version is None:
        return None
    table = ABSENT_LEVELS_VI if lang == "vi" else ABSENT_LEVELS
    return table.get(version, {}).get(level)


def check_level(level: str | None, version: str | None) -> None:
    """:class:`NotFound` with the plain reason when ``level`` does not exist on ``version``."""
    reason = absent_reason(level, version)
    if reason:
        raise NotFound(reason)
