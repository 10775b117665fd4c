"""The province's coordinate frame for the SYNTHETIC demo: communes, outline, coast-to-border axis.

Everything here works in EPSG:32648 (UTM 48N, metres). Quảng Bình is a strip running NW→SE
between the sea (north-east side) and the Lao border (south-west side); :class:`ProvinceFrame`
gives every point an *inland* coordinate ``t`` (0 on the coast, 1 on the Lao border) and its
distance to the Lao border, which the terrain, village and site generators share.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS

COMMUNES_FILE = Path("boundaries") / "quangbinh_communes_2019_vietnam63.geojson"
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ProvinceFrame:
    """Communes (EPSG:32648), the province outline and the coast→Lao-border axis.

    ``axis`` is the unit vector along the coast (NW→SE), ``normal`` points inland (south-west);
    ``coast_d``/``border_d`` tabulate, per along-axis position ``s_grid``, the inland offset (m)
    of the coast and of the Lao border.
    """

    communes: gpd.GeoDataFrame
    outline: shapely.Geometry
    axis: FloatArray
    normal: FloatArray
    s_grid: FloatArray
    coast_d: FloatArray
    border_d: FloatArray

    def along(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Along-coast position (m, grows towards the south-east)."""
        return np.asarray(x) * self.axis[0] + np.asarray(y) * self.axis[1]

    def across(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Inland offset (m, grows towards Laos)."""
        return np.asarray(x) * self.normal[0] + np.asarray(y) * self.normal[1]

    def inland(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """0 on the coast, 1 on the Lao border (unclipped: <0 at sea, >1 in Laos)."""
        s, d = self.along(x, y), self.across(x, y)
        c = np.interp(s, self.s_grid, self.coast_d)
        b = np.interp(s, self.s_grid, self.border_d)
        return (d - c) / np.maximum(b - c, 1.0)

    def border_distance_m(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Distance (m) to the Lao border measured across the strip (0 or less beyond it)."""
        s, d = self.along(x, y), self.across(x, y)
        return np.interp(s, self.s_grid, self.border_d) - d


def load_frame(data_dir: Path) -> ProvinceFrame:
    """Read the real 2019 communes from ``data_dir`` and derive the frame (EPSG:32648)."""
    path = Path(data_dir) / COMMUNES_FILE
    if not path.exists():
        raise InputError("the 2019 commune boundaries are missing", file=str(path))
    communes = gpd.read_file(path).to_crs(METRIC_CRS)
    missing = communes["pop_2019"].isna()
    if missing.any():
        raise InputError("commune without a 2019 census population", file=str(path), field="pop_2019")
    communes = communes.sort_values("commune_code", kind="stable").reset_index(drop=True)
    communes["geometry"] = shapely.make_valid(communes.geometry.values)
    outline = shapely.union_all(communes.geometry.values)

    ring = shapely.segmentize(shapely.boundary(outline), 500.0)
    pts = shapely.get_coordinates(ring)
    centred = pts - pts.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axis = vt[0] / np.linalg.norm(vt[0])
    if axis[1] > 0:  # point it south-east
        axis = -axis
    normal = np.array([-axis[1], axis[0]])
    if normal[0] > 0:  # inland = west
        normal = -normal

    s = pts @ axis
    d = pts @ normal
    edges = np.arange(s.min(), s.max() + 5000.0, 5000.0)
    centres, lo, hi = [], [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        sel = (s >= a) & (s < b)
        if sel.sum() >= 2:
            centres.append((a + b) / 2)
            lo.append(d[sel].min())
            hi.append(d[sel].max())
    lo_s = _smooth(np.array(lo))
    # North-west of Đèo Ngang the outline's eastern edge is the Hà Tĩnh border, not the sea:
    # hold the coast at the offset it has at Đèo Ngang (the most seaward point of the north half).
    k = int(np.argmin(lo_s[: len(lo_s) // 2]))
    lo_s[:k] = lo_s[k]
    hi_s = _smooth(np.array(hi))
    return ProvinceFrame(
        communes=communes,
        outline=outline,
        axis=axis,
        normal=normal,
        s_grid=np.array(centres),
        coast_d=lo_s,
        border_d=hi_s,
    )


def _smooth(values: FloatArray, width: int = 3) -> FloatArray:
    """Moving average with edge padding (keeps the length)."""
    padded = np.pad(values, width, mode="edge")
    kernel = np.ones(2 * width + 1) / (2 * width + 1)
    return np.convolve(padded, kernel, mode="valid")


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible random stream per generator component."""
    key = [seed] + [ord(c) for c in stream]
    return np.random.default_rng(key)
