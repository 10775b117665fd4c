"""Connected components of points within a distance: the one grouping rule for cells → sites
and sites → towers (union-find over an STRtree ``dwithin`` query). Metric coordinates."""

from __future__ import annotations

import numpy as np
import shapely


def clusters(points: np.ndarray, radius: float) -> np.ndarray:
    """Labels 0..k-1 of the groups of ``points`` joined (transitively) when closer than ``radius``;
    labels are ordered by each group's first point."""
    parent = np.arange(len(points))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, right = shapely.STRtree(points).query(points, predicate="dwithin", distance=radius)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(len(points))])
    _, labels = np.unique(roots, return_inverse=True)
    return labels
