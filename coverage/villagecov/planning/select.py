"""Site selection: maximum coverage under a budget, or minimum cost to reach a target.

Generic over "candidates" (with costs) that each cover a set of points; every point belongs to a
village (weights: population or 1) and a village counts once ``need`` of its points are covered,
possibly by several candidates together (see :class:`Cover`). Two methods, reported side by side:

- greedy: repeatedly take the candidate with the largest gain per unit cost. The gain is measured on
  the submodular surrogate Σ_v w_v·min(covered points of v, need_v)/need_v, which equals the
  covered weight once villages are complete. With one point per village (need 1) this is plain
  maximum coverage: the budgeted version (better of the ratio greedy and the best single affordable
  candidate) reaches at least ½(1 − 1/e) of the optimum (Khuller, Moss & Naor, 1999), with equal
  costs the classic (1 − 1/e) (Nemhauser, Wolsey & Fisher, 1978); the target version is the greedy
  set cover, within H(n) ≤ 1 + ln n of the cheapest. With villages that need several points the
  guarantees hold for the surrogate only; the reported value is always the true covered weight.
- ilp: the exact integer program solved by CBC through PuLP, within a time limit; ``status`` says
  whether the optimum was proven.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass
class Selection:
    method: str  # greedy | ilp
    chosen: list[int]  # candidate indices, in the order taken (greedy) or sorted (ilp)
    cost: float
    value: float  # covered weight
    status: str  # optimal | feasible | heuristic | infeasible | not_run
    seconds: float = 0.0
    order_values: list[float] = field(default_factory=list)  # greedy: cumulative value after each pick


@dataclass
class Cover:
    """What each candidate covers. Candidates cover *points*; a point belongs to a village
    (``owner``); a village counts as covered when at least ``need`` of its points are covered by
    the chosen candidates together. With one point per village and ``need`` = 1 this is plain
    maximum coverage / set cover over villages."""

    a: NDArray[np.bool_]  # candidates × points, points sorted by owner
    owner: NDArray[np.int64]  # village of each point
    need: NDArray[np.int64]  # points a village needs
    weights: NDArray[np.float64]  # per village
    starts: NDArray[np.int64]  # first point of each village

    @classmethod
    def build(cls, sets: list[NDArray[np.integer]], weights: NDArray, owner: NDArray | None = None,
              need: NDArray | None = None) -> Cover:
        w = np.asarray(weights, dtype=float)
        owner = np.arange(len(w)) if owner is None else np.asarray(owner, dtype=np.int64)
        need = np.ones(len(w), dtype=np.int64) if need is None else np.asarray(need, dtype=np.int64)
        order = np.argsort(owner, kind="stable")
        if np.any(np.bincount(owner, minlength=len(w)) == 0):
            raise ValueError("every village needs at least one point")
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        a = np.zeros((len(sets), len(owner)), dtype=bool)
        for i, pts in enumerate(sets):
            a[i, position[np.asarray(pts, dtype=np.int64)]] = True
        owner_sorted = owner[order]
        starts = np.searchsorted(owner_sorted, np.arange(len(w)))
        return cls(a, owner_sorted, need, w, starts)

    def counts(self, points: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Covered points per village for a points mask (or a candidates × points matrix)."""
        return np.add.reduceat(points.astype(np.int64), self.starts, axis=-1)

    def value(self, chosen: list[int]) -> float:
        if not chosen or self.weights.size == 0:
            return 0.0
        return float(self.weights[self.counts(self.a[chosen].any(axis=0)) >= self.need].sum())

    def reachable(self) -> float:
        """Weight of the villages all candidates together would cover."""
        return self.value(list(range(self.a.shape[0])))


def _greedy(costs: NDArray, cov: Cover, budget: float | None, target: float | None) -> tuple[list[int], list[float]]:
    """Ratio greedy on the surrogate Σ_v w_v·min(covered points, need)/need (submodular; equal to the
    covered weight once villages are complete). Stops at the budget or the target (true value)."""
    covered = np.zeros(cov.a.shape[1], dtype=bool)
    chosen: list[int] = []
    values: list[float] = []
    spent = 0.0
    avail = np.ones(cov.a.shape[0], dtype=bool)
    need = cov.need.astype(float)
    while avail.any() and cov.weights.size:
        if target is not None and (values[-1] if values else 0.0) >= target - 1e-9:
            break
        have = np.minimum(cov.counts(covered), need)
        new = cov.counts(cov.a & ~covered[None, :])  # candidates × villages
        gains = ((np.minimum(have[None, :] + new, need[None, :]) - have[None, :]) / need[None, :]) @ cov.weights
        ok = avail & (gains > 1e-12)
        if budget is not None:
            ok &= spent + costs <= budget + 1e-6
        if not ok.any():
            break
        ratio = np.where(ok, gains / np.maximum(costs, 1e-9), -np.inf)
        best = int(np.argmax(ratio))  # ties: the lowest index, deterministic
        chosen.append(best)
        avail[best] = False
        covered |= cov.a[best]
        spent += float(costs[best])
        values.append(cov.value(chosen))
    return chosen, values


def greedy_budget(costs: NDArray, sets: list[NDArray], weights: NDArray, budget: float,
                  owner: NDArray | None = None, need: NDArray | None = None) -> Selection:
    """Greedy maximum coverage within ``budget`` (better of ratio greedy and best single candidate)."""
    t0 = time.perf_counter()
    costs = np.asarray(costs, float)
    cov = Cover.build(sets, weights, owner, need)
    chosen, values = _greedy(costs, cov, budget, None)
    single = [(cov.value([i]), -i) for i in range(len(costs)) if costs[i] <= budget + 1e-6]
    if single:
        best_value, neg_i = max(single)
        if best_value > cov.value(chosen):
            chosen, values = [-neg_i], [best_value]
    return Selection("greedy", chosen, float(costs[chosen].sum()) if chosen else 0.0,
                     cov.value(chosen), "heuristic", time.perf_counter() - t0, values)


def greedy_target(costs: NDArray, sets: list[NDArray], weights: NDArray, target: float,
                  owner: NDArray | None = None, need: NDArray | None = None) -> Selection:
    """Greedy (cost-effectiveness) selection until the covered weight reaches ``target``."""
    t0 = time.perf_counter()
    costs = np.asarray(costs, float)
    cov = Cover.build(sets, weights, owner, need)
    chosen, values = _greedy(costs, cov, None, target)
    value = cov.value(chosen)
    status = "heuristic" if value >= target - 1e-9 else "infeasible"
    return Selection("greedy", chosen, float(costs[chosen].sum()) if chosen else 0.0, value, status,
                     time.perf_counter() - t0, values)


def _solve(prob: object, time_limit: float) -> str:
    import warnings

    import pulp

    with warnings.catch_warnings():
        # PuLP 3 deprecates PULP_CBC_CMD for 4.0; it is still the CBC bundled with the wheel
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=1))  # type: ignore[attr-defined]
    sol = getattr(prob, "sol_status", None)
    if prob.status == pulp.LpStatusOptimal and sol in (None, pulp.LpSolutionOptimal):  # type: ignore[attr-defined]
        return "optimal"
    if sol == pulp.LpSolutionIntegerFeasible or prob.status == pulp.LpStatusOptimal:  # type: ignore[attr-defined]
        return "feasible"
    return "infeasible"


def _model(cov: Cover, sense: int) -> tuple[object, list, list, NDArray]:
    """x_i (site i built), z_p ≤ Σ_{i∋p} x_i (point p covered), need_v·y_v ≤ Σ_{p∈v} z_p (village v)."""
    import pulp

    prob = pulp.LpProblem("site_selection", sense)

    def var(name: str, cat: str) -> object:
        if hasattr(prob, "add_variable"):  # PuLP ≥ 3.3
            return prob.add_variable(name, lowBound=0, upBound=1, cat=cat)
        return pulp.LpVariable(name, lowBound=0, upBound=1, cat=cat)

    a = cov.a
    x = [var(f"x{i}", "Binary") for i in range(a.shape[0])]
    coverable = a.any(axis=0)
    can = (cov.counts(coverable) >= cov.need) & (cov.weights > 0)
    villages = np.flatnonzero(can)
    y = [var(f"y{v}", "Binary") for v in villages]
    for yv, v in zip(y, villages, strict=True):
        pts = np.arange(cov.starts[v], cov.starts[v + 1] if v + 1 < len(cov.starts) else a.shape[1])
        pts = pts[coverable[pts]]
        if cov.need[v] == 1 and len(pts) == 1:  # plain set cover: no point variable needed
            prob += yv <= pulp.lpSum(x[i] for i in np.flatnonzero(a[:, pts[0]]))
            continue
        z = [var(f"z{p}", "Continuous") for p in pts]
        for zp, p in zip(z, pts, strict=True):
            prob += zp <= pulp.lpSum(x[i] for i in np.flatnonzero(a[:, p]))
        prob += int(cov.need[v]) * yv <= pulp.lpSum(z)
    return prob, x, y, villages


def ilp_budget(costs: NDArray, sets: list[NDArray], weights: NDArray, budget: float,
               time_limit: float = 60.0, owner: NDArray | None = None, need: NDArray | None = None) -> Selection:
    """Exact maximum coverage within ``budget`` (CBC): max Σ w_v y_v, Σ c_i x_i ≤ B."""
    import pulp

    t0 = time.perf_counter()
    costs = np.asarray(costs, float)
    cov = Cover.build(sets, weights, owner, need)
    prob, x, y, villages = _model(cov, pulp.LpMaximize)
    prob += pulp.lpSum(float(cov.weights[v]) * yv for yv, v in zip(y, villages, strict=True))  # type: ignore[operator]
    prob += pulp.lpSum(float(c) * xi for c, xi in zip(costs, x, strict=True)) <= budget  # type: ignore[operator]
    status = _solve(prob, time_limit)
    chosen = [i for i, xi in enumerate(x) if (xi.value() or 0) > 0.5] if status != "infeasible" else []
    return Selection("ilp", chosen, float(costs[chosen].sum()) if chosen else 0.0, cov.value(chosen),
                     status, time.perf_counter() - t0)


def ilp_target(costs: NDArray, sets: list[NDArray], weights: NDArray, target: float,
               time_limit: float = 60.0, owner: NDArray | None = None, need: NDArray | None = None) -> Selection:
    """Exact minimum cost reaching covered weight ≥ ``target`` (CBC)."""
    import pulp

    t0 = time.perf_counter()
    costs = np.asarray(costs, float)
    cov = Cover.build(sets, weights, owner, need)
    prob, x, y, villages = _model(cov, pulp.LpMinimize)
    prob += pulp.lpSum(float(c) * xi for c, xi in zip(costs, x, strict=True))  # type: ignore[operator]
    prob += pulp.lpSum(float(cov.weights[v]) * yv for yv, v in zip(y, villages, strict=True)) >= target - 1e-6  # type: ignore[operator]
    status = _solve(prob, time_limit)
    chosen = [i for i, xi in enumerate(x) if (xi.value() or 0) > 0.5] if status != "infeasible" else []
    return Selection("ilp", chosen, float(costs[chosen].sum()) if chosen else 0.0, cov.value(chosen),
                     status, time.perf_counter() - t0)


def relative_gap(greedy: Selection, exact: Selection, objective: str) -> float | None:
    """(exact − greedy) / exact for coverage, (greedy − exact) / exact for cost; None if unknown."""
    if exact.status not in ("optimal", "feasible") or greedy.status == "infeasible":
        return None
    if objective == "coverage":
        return (exact.value - greedy.value) / exact.value if exact.value > 0 else 0.0
    return (greedy.cost - exact.cost) / exact.cost if exact.cost > 0 else 0.0
