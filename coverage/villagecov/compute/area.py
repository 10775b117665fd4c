"""Exact covered-area shares of villages from tiled vector coverage (EPSG:32648, m²).

For each village × piece pair that the STRtree finds: a village inside the (prepared) piece
counts whole, a disjoint pair nothing, and only boundary-crossing pairs pay for a GEOS overlay,
on the small piece rather than on the whole national coverage. Pieces of a layer are disjoint,
so per-village sums of intersection areas are exact. ANY (the union over operators) is exact
too: where one operator covers the village whole, or only one operator covers part of it, ANY
is that operator's share; otherwise the per-operator intersection pieces of that village are
unioned (small village-sized geometries, vectorised round by round).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from villagecov.compute.tiling import TiledLayer

FULL = 1.0 - 1e-9  # a share at least this is "whole village" (floating point of split pieces)


@dataclass(frozen=True)
class LayerOverlap:
    """Result of one layer over all villages.

    ``share``: covered area / village area, in [0, 1]. ``item_village``/``item_geom``: the
    covered parts of villages that are partly covered (for the ANY union).
    """

    share: np.ndarray
    item_village: np.ndarray
    item_geom: np.ndarray


def empty_overlap(n: int) -> LayerOverlap:
    return LayerOverlap(np.zeros(n), np.empty(0, dtype=np.int64), np.empty(0, dtype=object))


def overlap(villages: np.ndarray, village_area: np.ndarray, layer: TiledLayer, *, keep_items: bool = True) -> LayerOverlap:
    """Covered area share of each village by ``layer`` (both in EPSG:32648)."""
    n = len(villages)
    if layer.empty or n == 0:
        return empty_overlap(n)
    v, p = layer.tree.query(villages)  # bounding-box candidates
    pieces = layer.pieces[p]
    hit = shapely.intersects(pieces, villages[v])  # pieces are prepared: fast
    v, p, pieces = v[hit], p[hit], pieces[hit]
    inside = shapely.contains_properly(pieces, villages[v])
    covered = np.bincount(v[inside], weights=village_area[v[inside]], minlength=n).astype("float64")
    cross_v = v[~inside]
    parts = shapely.intersection(villages[cross_v], pieces[~inside])
    part_area = shapely.area(parts)
    covered += np.bincount(cross_v, weights=part_area, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(village_area > 0, covered / village_area, 0.0)
    share = np.clip(share, 0.0, 1.0)
    if not keep_items:
        return LayerOverlap(share, np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    keep = (part_area > 0) & (share[cross_v] < FULL)
    return LayerOverlap(share, cross_v[keep], parts[keep])


def union_by_group(group: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of ``geoms`` per value of ``group``; returns (groups, unions), vectorised by rank."""
    if len(group) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    order = np.argsort(group, kind="stable")
    group, geoms = group[order], geoms[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    gid = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(group)]))
    rank = np.arange(len(group)) - starts[gid]
    acc = geoms[starts].copy()
    for r in range(1, int(rank.max()) + 1):
        sel = rank == r
        acc[gid[sel]] = shapely.union(acc[gid[sel]], geoms[sel])
    return group[starts], acc


def any_share(village_area: np.ndarray, overlaps: list[LayerOverlap]) -> np.ndarray:
    """Area share of the union of all layers (ANY operator), exact."""
    n = len(village_area)
    if not overlaps:
        return np.zeros(n)
    shares = np.vstack([o.share for o in overlaps])
    best = shares.max(axis=0)
    partial = ((shares > 0) & (shares < FULL)).sum(axis=0)
    need = (partial >= 2) & (best < FULL)
    if not need.any():
        return best
    iv = np.concatenate([o.item_village for o in overlaps])
    ig = np.concatenate([o.item_geom for o in overlaps])
    sel = need[iv]
    groups, unions = union_by_group(iv[sel], ig[sel])
    out = best.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        union_share = shapely.area(unions) / village_area[groups]
    out[groups] = np.clip(np.maximum(union_share, best[groups]), 0.0, 1.0)
    return out
