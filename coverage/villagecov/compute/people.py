"""The one definition of "people without coverage" (người dân chưa được phủ sóng).

People without coverage of a technology in a village are the people living in the parts of the
village its coverage does not reach: the village population times the share of it *not* covered,

    people_without = population × (1 − covered_pop_share)

where ``covered_pop_share`` is the compute engine's effective share of the village population
inside the coverage (any operator; contradicted declarations count as 0; no counted evidence
counts as 0 — ``village_summary.pop_share_4g`` for 4G). It is population-weighted, never the whole
population of a village below the 80 % rule. Summed over every village of a unit it equals the
unit's population minus the numerator of ``t8.population_4g_share`` (denominator − numerator),
which is how the tests tie it to ``villagecov indicators``.

Used by the notebooks (``villagecov.analysis``), the site plan (``villagecov.planning.gaps``), the
API gap layers (``villagecov.publishing``), the PostGIS village layer (:func:`people_without_sql`) and the maps.
Per village the layers show it rounded to whole people and rank by that (:mod:`villagecov.rules`);
totals are summed unrounded, then rounded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def people_without(population: object, covered_share: object) -> np.ndarray:
    """Per village: ``population × (1 − covered_share)``, float; the share is clipped to [0, 1],
    a missing share counts as 0 (nothing counted as covered), a missing population as 0."""
    pop = pd.to_numeric(pd.Series(np.asarray(population, dtype=object).ravel()), errors="coerce")
    share = pd.to_numeric(pd.Series(np.asarray(covered_share, dtype=object).ravel()), errors="coerce")
    p = pop.fillna(0.0).to_numpy(dtype="float64")
    s = share.fillna(0.0).clip(0.0, 1.0).to_numpy(dtype="float64")
    return p * (1.0 - s)


def people_without_sql(population: str = "population", covered_share: str = "pop_share_4g",
                       dialect: str = "postgresql") -> str:
    """The same definition as an SQL expression over two columns (float; whole people for the
    layers: :func:`villagecov.rules.uncovered_sql`). ``dialect`` ``"sqlite"``: SQLite spells
    least/greatest as the two-argument min/max."""
    lo, hi = ("greatest", "least") if dialect == "postgresql" else ("max", "min")
    return f"(coalesce({population}, 0) * (1 - {hi}({lo}(coalesce({covered_share}, 0), 0), 1)))"
