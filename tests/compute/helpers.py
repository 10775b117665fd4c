"""Small hand-built frames for the compute tests (metric boxes around Quảng Bình, SYNTHETIC)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from villagecov.schema import METRIC_CRS, STORAGE_CRS

X0, Y0 = 600_000.0, 1_900_000.0  # EPSG:32648, inside Quảng Bình


def box(x: float, y: float, w: float, h: float) -> shapely.Polygon:
    """A box at (X0 + x, Y0 + y) of w × h metres."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def villages(rows: list[dict]) -> gpd.GeoDataFrame:
    """Village rows with metric ``geometry``; defaults filled; returned in EPSG:4326."""
    out = []
    for i, r in enumerate(rows):
        out.append({"village_id": f"v{i}", "name": f"Thôn {i}", "commune_code": "c1", "boundary_version": "2019",
                    "population": 100, "remote_official": None, "as_of": "2024-01-01", "synthetic": True,
                    "source": "SYNTHETIC", **r})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)


def coverage(rows: list[dict]) -> gpd.GeoDataFrame:
    out = []
    for i, r in enumerate(rows):
        out.append({"coverage_id": f"c{i}", "operator": "viettel", "technology": "4G", "evidence": "declared",
                    "raster_path": None, "value_kind": "polygon", "as_of": "2024-01-01", "synthetic": True,
                    "source": "SYNTHETIC", **r})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)


def points(rows: list[dict]) -> gpd.GeoDataFrame:
    """Measurement rows; ``geometry`` given as metric (x, y) offsets."""
    out = []
    for i, r in enumerate(rows):
        x, y = r.pop("xy")
        out.append({"measurement_id": f"m{i}", "kind": "drive_test", "time": "2023-12-01T00:00:00Z",
                    "operator": "viettel", "technology": "4G", "rsrp_dbm": -90.0, "dl_mbps": None,
                    "as_of": "2023-12-01", "synthetic": True, "source": "SYNTHETIC", **r,
                    "geometry": shapely.Point(X0 + x, Y0 + y)})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)
