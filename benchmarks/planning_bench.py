"""Benchmark of site selection (villagecov.planning.select) on SYNTHETIC instances.

    .venv/bin/python benchmarks/planning_bench.py [--sizes 50x200,200x1000,600x3000] [--time-limit 60]

Villages are random points over a 200 × 130 km rectangle (the size of Quảng Bình) with
log-normal populations; candidates are random points, each covering the villages within a random
radius of 3–9 km (terrain makes real sets irregular; sizes and overlaps are what matter here);
costs 0.8–2.9 billion VND (co-location … new tower with microwave). For each size: greedy and
CBC (PuLP) for a budget of a quarter of what covering everything costs, and for the target
"every coverable village"; times, values and the gap between them.

Prints figures; numbers, not pass/fail. Not part of the test suite.
"""

from __future__ import annotations

import argparse

import numpy as np

from villagecov.planning.select import greedy_budget, greedy_target, ilp_budget, ilp_target, relative_gap


def instance(n_cand: int, n_vill: int, seed: int) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    vx, vy = rng.uniform(0, 200_000, n_vill), rng.uniform(0, 130_000, n_vill)
    pop = np.round(rng.lognormal(6.0, 0.6, n_vill))
    cx, cy = rng.uniform(0, 200_000, n_cand), rng.uniform(0, 130_000, n_cand)
    radius = rng.uniform(3_000, 9_000, n_cand)
    sets = [np.flatnonzero(np.hypot(vx - x, vy - y) <= r) for x, y, r in zip(cx, cy, radius, strict=True)]
    costs = rng.choice([0.8e9, 2.6e9, 2.75e9, 2.9e9], size=n_cand, p=[0.15, 0.35, 0.3, 0.2])
    return costs, sets, pop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="50x200,200x1000,600x3000")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(f"{'candidates × villages':>22} {'objective':>9} {'greedy':>26} {'exact (CBC)':>38} {'gap':>7}")
    for size in args.sizes.split(","):
        n_c, n_v = (int(v) for v in size.split("x"))
        costs, sets, pop = instance(n_c, n_v, args.seed)
        reach = float(pop[np.unique(np.concatenate(sets))].sum())
        full = greedy_target(costs, sets, pop, reach)
        budget = 0.25 * full.cost
        g, e = greedy_budget(costs, sets, pop, budget), ilp_budget(costs, sets, pop, budget, args.time_limit)
        gap = relative_gap(g, e, "coverage")
        print(f"{size:>22} {'budget':>9} {g.value:>12,.0f} ppl {g.seconds:>7.2f} s "
              f"{e.value:>12,.0f} ppl {e.seconds:>7.2f} s {e.status:>10} {'' if gap is None else f'{gap:.2%}':>7}")
        g, e = full, ilp_target(costs, sets, pop, reach, args.time_limit)
        gap = relative_gap(g, e, "cost")
        print(f"{'':>22} {'target':>9} {g.cost / 1e9:>10,.1f} bn VND {g.seconds:>5.2f} s "
              f"{e.cost / 1e9:>10,.1f} bn VND {e.seconds:>5.2f} s {e.status:>12} {'' if gap is None else f'{gap:.2%}':>7}")


if __name__ == "__main__":
    main()
