"""Cut coverage polygons into small disjoint pieces on a square grid (EPSG:32648, metres).

Why: intersecting a 30-vertex village with an operator's national coverage (a multipolygon of
hundreds of thousands of vertices with holes) costs time proportional to the big polygon. Cut
along a fixed grid first (recursive halving, like PostGIS ``ST_Subdivide``, so each vertex is
visited O(log n) times), every piece lies in one grid cell and has few vertices; the pieces of a
dissolved layer are disjoint, so the covered area of a village is the exact sum of its
intersections with the pieces it touches, and most of those tests are cheap: pieces are
prepared, villages inside a piece skip the overlay entirely.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import lib as _shapely_lib

POLYGON = 3


@dataclass(frozen=True)
class TiledLayer:
    """Disjoint polygonal pieces of one coverage layer, each inside one grid cell.

    ``pieces`` are shapely (Multi)Polygons in EPSG:32648; ``cells`` the (ix, iy) grid index of
    each piece; ``tree`` an STRtree over the pieces (prepared).
    """

    pieces: np.ndarray
    cells: np.ndarray
    tree: shapely.STRtree

    @property
    def empty(self) -> bool:
        return len(self.pieces) == 0


def polygon_parts(geoms: np.ndarray) -> np.ndarray:
    """Valid single polygons of ``geoms`` (invalid input repaired with make_valid)."""
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    if len(geoms) == 0:
        return np.empty(0, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    parts = shapely.get_parts(geoms)
    # make_valid may return collections holding polygons: flatten once more.
    parts = shapely.get_parts(parts)
    parts = parts[(shapely.get_type_id(parts) == POLYGON) & ~shapely.is_empty(parts)]
    return parts[shapely.area(parts) > 0]


def _clip(geoms: np.ndarray, xmin: np.ndarray, ymin: np.ndarray, xmax: np.ndarray, ymax: np.ndarray) -> np.ndarray:
    """Vectorised rectangle clip; falls back to overlay where the fast clip is not valid."""
    out = _shapely_lib.clip_by_rect(geoms, xmin, ymin, xmax, ymax)
    bad = ~shapely.is_valid(out)
    if bad.any():
        boxes = shapely.box(xmin[bad], ymin[bad], xmax[bad], ymax[bad])
        out[bad] = shapely.intersection(shapely.make_valid(geoms[bad]), boxes)
    return out


def _cell_range(lo: np.ndarray, hi: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    first = np.floor(lo / size).astype(np.int64)
    last = np.maximum(np.ceil(hi / size).astype(np.int64) - 1, first)
    return first, last


def split_to_grid(polygons: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``polygons`` so that each piece lies in one ``size``-metre grid cell.

    Returns (pieces, cells) with cells an (n, 2) int array of grid indices. Halves along an
    aligned grid line through the middle of each geometry's cell span until every piece fits.
    """
    done_geoms: list[np.ndarray] = []
    done_cells: list[np.ndarray] = []
    todo = np.asarray(polygons, dtype=object)
    while len(todo):
        b = shapely.bounds(todo)
        x0, x1 = _cell_range(b[:, 0], b[:, 2], size)
        y0, y1 = _cell_range(b[:, 1], b[:, 3], size)
        nx, ny = x1 - x0 + 1, y1 - y0 + 1
        fits = (nx == 1) & (ny == 1)
        if fits.any():
            done_geoms.append(todo[fits])
            done_cells.append(np.column_stack([x0[fits], y0[fits]]))
        rest = ~fits
        if not rest.any():
            break
        g, b = todo[rest], b[rest]
        by_x = (nx >= ny)[rest]
        cut_x = (x0[rest] + nx[rest] // 2) * size
        cut_y = (y0[rest] + ny[rest] // 2) * size
        # first half: left (by_x) or bottom; second half: right or top
        lo_xmax = np.where(by_x, cut_x, b[:, 2])
        lo_ymax = np.where(by_x, b[:, 3], cut_y)
        hi_xmin = np.where(by_x, cut_x, b[:, 0])
        hi_ymin = np.where(by_x, b[:, 1], cut_y)
        lo = _clip(g, b[:, 0], b[:, 1], lo_xmax, lo_ymax)
        hi = _clip(g, hi_xmin, hi_ymin, b[:, 2], b[:, 3])
        halves = np.concatenate([lo, hi])
        halves = halves[~shapely.is_empty(halves)]
        # a clip can return a collection (polygon + slivers): keep polygons only
        parts = shapely.get_parts(halves)
        todo = parts[(shapely.get_type_id(parts) == POLYGON) & (shapely.area(parts) > 0)]
    if not done_geoms:
        return np.empty(0, dtype=object), np.empty((0, 2), dtype=np.int64)
    return np.concatenate(done_geoms), np.concatenate(done_cells)


def dissolve_by_cell(pieces: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union pieces that share a grid cell (overlapping inputs), vectorised round by round."""
    if len(pieces) == 0:
        return pieces, cells
    key = cells[:, 0] * 1_000_003 + cells[:, 1]
    order = np.argsort(key, kind="stable")
    key, pieces, cells = key[order], pieces[order], cells[order]
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(key)]))
    rank = np.arange(len(key)) - starts[group]
    acc = pieces[starts].copy()
    for r in range(1, int(rank.max()) + 1):
        sel = rank == r
        acc[group[sel]] = shapely.union(acc[group[sel]], pieces[sel])
    out_cells = cells[starts]
    return acc, out_cells


def tile_layer(geoms: np.ndarray, size: float, *, dissolve: bool) -> TiledLayer:
    """A :class:`TiledLayer` from coverage (multi)polygons in EPSG:32648.

    ``dissolve``: the inputs may overlap (several rows for one layer): pieces sharing a cell
    are unioned so that the pieces stay disjoint.
    """
    parts = polygon_parts(geoms)
    pieces, cells = split_to_grid(parts, size)
    if dissolve and len(pieces):
        pieces, cells = dissolve_by_cell(pieces, cells)
    shapely.prepare(pieces)
    return TiledLayer(pieces=pieces, cells=cells, tree=shapely.STRtree(pieces))


def needs_dissolve(geoms: np.ndarray) -> bool:
    """True when a layer has several rows (they may overlap); one valid multipolygon does not."""
    geoms = np.asarray(geoms, dtype=object)
    return int((~shapely.is_missing(geoms)).sum()) > 1
