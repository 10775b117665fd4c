"""What the maps expect from the API: URL templates, tile properties and the village JSON.

The builders never call the API: they write these URLs into the page and the browser fetches
them. ``base`` is the API root as the browser sees it ("" = same origin as the page, which is
the case when the API serves the maps under ``/maps/``).

Vector tiles (MVT, WebMercatorQuad) — ``/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}``:

- ``villages``: one feature per village polygon with property ``village_id`` (``name`` optional).
  Colours come from a lookup written into the page (village_id → class), so the tiles need no
  coverage attributes. Any MVT layer name is accepted.
- ``coverage``: declared coverage polygons with properties ``operator``, ``technology``,
  ``evidence`` and ``as_of`` (ISO date); the page draws one layer per operator × technology
  and filters features on those properties (a property missing from the tile is not checked).

Raster tiles — ``/rasters/{coverage_id}/tiles/WebMercatorQuad/{z}/{y}/{x}.png`` (predicted
signal of a modelled coverage raster, transparent where there is no signal).

Village details — ``GET /villages/{village_id}`` → JSON like :data:`VILLAGE_JSON_EXAMPLE`, the
shape ``api/dashboard.py::village_detail`` returns: attributes (name, commune_code, population,
households, remote, remote_reasons as a comma-separated string or a list, as_of …) under
``attributes`` (flat keys at the top level are accepted too); ``coverage`` one row per operator
(including ``"ANY"``) × technology × evidence at the latest vintage — the popup keeps the best
status per operator × technology; ``services`` one row per Task 9 service; ``measurements`` one
row per operator × technology with ``n`` and ``*_median`` values (``dl_mbps``/``tests`` also
accepted). The commune name comes from the page (``VC.communeNames``) when the JSON lacks
``commune_name``. Every key but ``village_id`` may be missing or null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VILLAGE_JSON_EXAMPLE: dict[str, Any] = {
    "village_id": "QB-19594-007",
    "attributes": {
        "village_id": "QB-19594-007",
        "name": "Bản Dốc Mây",
        "commune_code": "19594",
        "population": 412,
        "households": 96,
        "remote": True,
        "remote_reasons": "official,elevation",
        "synthetic": True,
        "as_of": "2025-06-30",
        "status_4g": "partial",
    },
    "coverage": [
        {"operator": "ANY", "technology": "4G", "evidence": "declared", "status": "partial", "covered_pop_share": 0.41},
        {"operator": "ANY", "technology": "4G", "evidence": "modelled", "status": "none", "covered_pop_share": 0.1},
        {"operator": "viettel", "technology": "4G", "evidence": "declared", "status": "partial",
         "covered_pop_share": 0.41},
        {"operator": "viettel", "technology": "2G", "evidence": "declared", "status": "covered",
         "covered_pop_share": 0.95},
        {"operator": "vinaphone", "technology": "4G", "evidence": "declared", "status": "none", "covered_pop_share": 0.0},
    ],
    "services": [
        {"service": "fixed_broadband", "available": False, "as_of": "2025-06-30"},
        {"service": "radio", "available": True, "as_of": "2025-06-30"},
        {"service": "tv", "available": True, "as_of": "2025-06-30"},
        {"service": "press", "available": False, "as_of": "2025-06-30"},
    ],
    "measurements": [
        {"operator": "viettel", "technology": "4G", "n": 23, "dl_mbps_median": 18.4, "ul_mbps_median": 6.2,
         "latency_ms_median": 48.0},
    ],
}


@dataclass(frozen=True)
class ApiUrls:
    """URL templates the page uses; ``{z}``, ``{x}``, ``{y}`` and ``{id}`` are filled by the browser."""

    base: str = ""
    villages_collection: str = "villages"
    coverage_collection: str = "coverage"

    def _root(self) -> str:
        return self.base.rstrip("/")

    def collection_tiles(self, collection: str) -> str:
        return f"{self._root()}/collections/{collection}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"

    @property
    def village_tiles(self) -> str:
        return self.collection_tiles(self.villages_collection)

    @property
    def coverage_tiles(self) -> str:
        return self.collection_tiles(self.coverage_collection)

    def raster_tiles(self, raster_id: str) -> str:
        return f"{self._root()}/rasters/{raster_id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}.png"

    @property
    def village(self) -> str:
        return f"{self._root()}/villages/{{id}}"

    @property
    def challenges(self) -> str:
        """``POST`` a report here (api/routers/challenges.py); ``/villages`` lists the challenged ones."""
        return f"{self._root()}/challenges"
