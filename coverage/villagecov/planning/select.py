"""Site selection: maximum coverage under a budget, or minimum cost to reach a target.

Generic over "candidates" (with costs) that each cover a set of "elements" (villages, with
weights: population or 1). Two methods, reported side by side:

- greedy: repeatedly take the candidate with the largest newly covered weight per unit cost.
  Budgeted version: the better of that greedy and the best single affordable candidate —
  at least ½(1 − 1/e) of the optimum (Khuller, Moss & Naor, 1999); with equal costs it is the
  classic greedy with its (1 − 1/e) guarantee (Nemhauser, Wolsey & Fisher, 1978). Target version:
  the greedy set cover, within a factor H(n) ≤ 1 + ln n of the cheapest.
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


def incidence(sets: list[NDArray[np.integer]], n_elements: int) -> NDArray[np.bool_]:
    """Boolean candidates × elements matrix of ``sets``."""
    a = np.zeros((len(sets), n_elements), dtype=bool)
    for i, s in enumerate(sets):
        a[i, np.asarray(s, dtype=np.int64)] = True
    return a


def covered_value(chosen: list[int], a: NDArray[np.bool_], weights: NDArray[np.floating]) -> float:
    if not chosen:
        return 0.0
    return float(weights[a[chosen].any(axis=0)].sum())


def _greedy(costs: NDArray, a: NDArray[np.bool_], w: NDArray, budget: float | None, target: float | None
            ) -> tuple[list[int], list[float]]:
    covered = np.zeros(a.shape[1], dtype=bool)
    chosen: list[int] = []
    values: list[float] = []
    spent, value = 0.0, 0.0
    avail = np.ones(a.shape[0], dtype=bool)
    while avail.any():
        if target is not None and value >= target - 1e-9:
            break
        gains = a[:, ~covered].astype(np.float64) @ w[~covered]
        ok = avail & (gains > 0)
        if budget is not None:
            ok &= spent + costs <= budget + 1e-6
        if not ok.any():
            break
        ratio = np.where(ok, gains / np.maximum(costs, 1e-9), -np.inf)
        best = int(np.argmax(ratio))  # ties: the lowest index, deterministic
        chosen.append(best)
        avail[best] = False
        covered |= a[best]
        spent += float(costs[best])
        value += float(gains[best])
        values.append(value)
    return chosen, values


def greedy_budget(costs: NDArray, sets: list[NDArray], weights: NDArray, budget: float) -> Selection:
    """Greedy maximum coverage within ``budget`` (better of ratio greedy and best single candidate)."""
    t0 = time.perf_counter()
    costs, w = np.asarray(costs, float), np.asarray(weights, float)
    a = incidence(sets, len(w))
    chosen, values = _greedy(costs, a, w, budget, None)
    single = [(covered_value([i], a, w), -i) for i in range(len(costs)) if costs[i] <= budget + 1e-6]
    if single:
        best_value, neg_i = max(single)
        if best_value > (values[-1] if values else 0.0):
            chosen, values = [-neg_i], [best_value]
    return Selection("greedy", chosen, float(costs[chosen].sum()) if chosen else 0.0,
                     covered_value(chosen, a, w), "heuristic", time.perf_counter() - t0, values)


def greedy_target(costs: NDArray, sets: list[NDArray], weights: NDArray, target: float) -> Selection:
    """Greedy (cost-effectiveness) selection until the covered weight reaches ``target``."""
    t0 = time.perf_counter()
    costs, w = np.asarray(costs, float), np.asarray(weights, float)
    a = incidence(sets, len(w))
    chosen, values = _greedy(costs, a, w, None, target)
    value = covered_value(chosen, a, w)
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


def _model(costs: NDArray, a: NDArray[np.bool_], w: NDArray, sense: int) -> tuple[object, list, list, NDArray]:
    import pulp

    prob = pulp.LpProblem("site_selection", sense)

    def binary(name: str) -> object:
        if hasattr(prob, "add_variable"):  # PuLP ≥ 3.3
            return prob.add_variable(name, cat="Binary")
        return pulp.LpVariable(name, cat="Binary")

    x = [binary(f"x{i}") for i in range(a.shape[0])]
    useful = np.flatnonzero(a.any(axis=0) & (w > 0))
    y = [binary(f"y{j}") for j in useful]
    for yj, j in zip(y, useful, strict=True):
        prob += yj <= pulp.lpSum(x[i] for i in np.flatnonzero(a[:, j]))
    return prob, x, y, useful


def ilp_budget(costs: NDArray, sets: list[NDArray], weights: NDArray, budget: float,
               time_limit: float = 60.0) -> Selection:
    """Exact maximum coverage within ``budget`` (CBC): max Σ w_j y_j, Σ c_i x_i ≤ B, y_j ≤ Σ_{i∋j} x_i."""
    import pulp

    t0 = time.perf_counter()
    costs, w = np.asarray(costs, float), np.asarray(weights, float)
    a = incidence(sets, len(w))
    prob, x, y, useful = _model(costs, a, w, pulp.LpMaximize)
    prob += pulp.lpSum(float(w[j]) * yj for yj, j in zip(y, useful, strict=True))  # type: ignore[operator]
    prob += pulp.lpSum(float(c) * xi for c, xi in zip(costs, x, strict=True)) <= budget  # type: ignore[operator]
    status = _solve(prob, time_limit)
    chosen = [i for i, xi in enumerate(x) if (xi.value() or 0) > 0.5] if status != "infeasible" else []
    return Selection("ilp", chosen, float(costs[chosen].sum()) if chosen else 0.0, covered_value(chosen, a, w),
                     status, time.perf_counter() - t0)


def ilp_target(costs: NDArray, sets: list[NDArray], weights: NDArray, target: float,
               time_limit: float = 60.0) -> Selection:
    """Exact minimum cost reaching covered weight ≥ ``target`` (CBC)."""
    import pulp

    t0 = time.perf_counter()
    costs, w = np.asarray(costs, float), np.asarray(weights, float)
    a = incidence(sets, len(w))
    prob, x, y, useful = _model(costs, a, w, pulp.LpMinimize)
    prob += pulp.lpSum(float(c) * xi for c, xi in zip(costs, x, strict=True))  # type: ignore[operator]
    prob += pulp.lpSum(float(w[j]) * yj for yj, j in zip(y, useful, strict=True)) >= target - 1e-6  # type: ignore[operator]
    status = _solve(prob, time_limit)
    chosen = [i for i, xi in enumerate(x) if (xi.value() or 0) > 0.5] if status != "infeasible" else []
    return Selection("ilp", chosen, float(costs[chosen].sum()) if chosen else 0.0, covered_value(chosen, a, w),
                     status, time.perf_counter() - t0)


def relative_gap(greedy: Selection, exact: Selection, objective: str) -> float | None:
    """(exact − greedy) / exact for coverage, (greedy − exact) / exact for cost; None if unknown."""
    if exact.status not in ("optimal", "feasible") or greedy.status == "infeasible":
        return None
    if objective == "coverage":
        return (exact.value - greedy.value) / exact.value if exact.value > 0 else 0.0
    return (greedy.cost - exact.cost) / exact.cost if exact.cost > 0 else 0.0
