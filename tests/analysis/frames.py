"""Small hand-made frames shaped like the store's tables (see villagecov.schema)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

V1, V2 = "2019-12-31", "2024-12-31"


def indicator_rows() -> pd.DataFrame:
    """Two districts (D1 Đồng Hới, D2 Minh Hóa) and the province, two vintages, two indicators.

    t8.villages_4g_share: province 4/10 → 7/10; D1 3/4 → 4/4; D2 1/6 → 3/6 (D2 baseline left
    null to exercise the fallback). t8.villages_no_signal (count): province 3 → 1; D1 0 → 0; D2 3 → 1.
    """
    rows = []

    def add(ind, level, code, name, as_of, num, den, baseline, target, version="2019"):
        value = num if ind == "t8.villages_no_signal" else num / den
        rows.append({"indicator": ind, "level": level, "unit_code": code, "unit_name": name,
                     "boundary_version": version, "as_of": as_of, "value": value, "numerator": num,
                     "denominator": den, "baseline": baseline, "target": target, "run_id": "r1"})

    s, n = "t8.villages_4g_share", "t8.villages_no_signal"
    for as_of, (pn, d1, d2) in {V1: (4, 3, 1), V2: (7, 4, 3)}.items():
        add(s, "province", "44", "Quảng Bình", as_of, pn, 10, 0.4, 1.0)
        add(s, "district", "450", "Đồng Hới", as_of, d1, 4, 0.75, 1.0)
        add(s, "district", "452", "Minh Hóa", as_of, d2, 6, None, 1.0)
    for as_of, (pn, d1, d2) in {V1: (3, 0, 3), V2: (1, 0, 1)}.items():
        add(n, "province", "44", "Quảng Bình", as_of, pn, 10, 3.0, 0.0)
        add(n, "district", "450", "Đồng Hới", as_of, d1, 4, 0.0, 0.0)
        add(n, "district", "452", "Minh Hóa", as_of, d2, 6, 3.0, 0.0)
    # a 2025-07 commune row, to check that versions are kept apart
    add(s, "commune", "99001", "Xã Mới", V2, 2, 2, 1.0, 1.0, version="2025-07")
    return pd.DataFrame(rows)


def admin_units() -> gpd.GeoDataFrame:
    """2019: province 44, districts 450/452, communes 1001 (in 450), 1002 and 1003 (in 452).
    2025-07: communes 99001 (= 1002 + 1003) and 99002 (= 1001), no districts."""
    recs = [
        ("44", "province", "Quảng Bình", None, "2019"),
        ("450", "district", "Đồng Hới", "44", "2019"),
        ("452", "district", "Minh Hóa", "44", "2019"),
        ("1001", "commune", "Phường Hải Thành", "450", "2019"),
        ("1002", "commune", "Xã Dân Hóa", "452", "2019"),
        ("1003", "commune", "Xã Trọng Hóa", "452", "2019"),
        ("44", "province", "Quảng Bình", None, "2025-07"),
        ("99001", "commune", "Xã Dân Hóa", "44", "2025-07"),
        ("99002", "commune", "Phường Đồng Hới", "44", "2025-07"),
    ]
    return gpd.GeoDataFrame(
        [{"code": c, "level": lv, "name": n, "parent_code": p, "version": v} for c, lv, n, p, v in recs],
        geometry=[box(106, 17, 106.1, 17.1)] * len(recs), crs="EPSG:4326",
    )


def crosswalk() -> pd.DataFrame:
    return pd.DataFrame([
        {"from_version": "2019", "from_code": f, "to_version": "2025-07", "to_code": t, "level": "commune",
         "weight": 1.0}
        for f, t in [("1002", "99001"), ("1003", "99001"), ("1001", "99002")]
    ])


def village_summary() -> pd.DataFrame:
    """Five villages at V2. v1 (1001) 4G, 95 % of its people covered; v2 (1002) 3G only, 0 %;
    v3 (1002) no signal, remote, no 4G evidence (null share); v4 (1003) partial (30 %), remote, no
    indicator row (falls back to best_technology None → no 4G); v5 (1003) 5G per best_technology
    but the engine's 4G numerator says 0, 50 % covered. People without 4G: 40, 400, 200, 70, 300."""
    recs = [
        ("v1", "1001", 800, False, "", "4G", False, 0.95, "covered"),
        ("v2", "1002", 400, False, "", "3G", False, 0.0, "none"),
        ("v3", "1002", 200, True, "distance,elevation", None, True, None, None),
        ("v4", "1003", 100, True, "border", None, False, 0.3, "partial"),
        ("v5", "1003", 600, False, "", "5G", False, 0.5, "partial"),
    ]
    return pd.DataFrame([
        {"village_id": v, "as_of": V2, "commune_code": c, "boundary_version": "2019", "population": p,
         "remote": r, "remote_reasons": rr, "best_technology": bt, "n_operators_4g": 0, "no_signal": ns,
         "pop_share_4g": sh, "status_4g": st}
        for v, c, p, r, rr, bt, ns, sh, st in recs
    ])


def village_indicator_rows() -> pd.DataFrame:
    """Village-level t8.villages_4g_share rows at V2 (v4 has none), and a V1 row that must be ignored."""
    recs = [("v1", 1.0, V2), ("v2", 0.0, V2), ("v3", 0.0, V2), ("v5", 0.0, V2), ("v2", 1.0, V1)]
    return pd.DataFrame([
        {"indicator": "t8.villages_4g_share", "level": "village", "unit_code": v, "boundary_version": "2019",
         "as_of": d, "value": n, "numerator": n, "denominator": 1.0}
        for v, n, d in recs
    ])


def villages() -> gpd.GeoDataFrame:
    names = {"v1": "Tổ dân phố 1", "v2": "Thôn Tân Lý", "v3": "Bản Ka Ai", "v4": "Bản Cha Lo", "v5": "Thôn Yên Hợp"}
    ids = list(names)
    geoms = [box(106 + i * 0.01, 17, 106 + i * 0.01 + 0.004, 17.002) for i in range(len(ids))]
    return gpd.GeoDataFrame({"village_id": ids, "name": [names[i] for i in ids],
                             "commune_code": ["1001", "1002", "1002", "1003", "1003"], "synthetic": True},
                            geometry=geoms, crs="EPSG:4326")
