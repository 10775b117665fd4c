"""SYNTHETIC Task 9 village survey: fixed broadband, radio, TV, press and post, per village and year.

Availability probabilities depend on the kind of village (ward/town, lowland, remote) and the
year; a service present in an earlier survey stays present, so the second survey shows progress,
slowest in remote villages.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from villagecov.demo.frame import rng_for
from villagecov.schema import SERVICES

# service -> {village kind -> (share in the first survey, share in the last survey)}
AVAILABILITY: dict[str, dict[str, tuple[float, float]]] = {
    "fixed_broadband": {"urban": (0.95, 1.0), "lowland": (0.6, 0.93), "remote": (0.1, 0.45)},
    "radio": {"urban": (0.85, 0.98), "lowland": (0.7, 0.95), "remote": (0.4, 0.75)},
    "tv": {"urban": (0.97, 0.99), "lowland": (0.95, 0.99), "remote": (0.7, 0.9)},
    "press": {"urban": (0.9, 0.98), "lowland": (0.8, 0.95), "remote": (0.55, 0.8)},
    "post": {"urban": (0.7, 0.8), "lowland": (0.5, 0.65), "remote": (0.25, 0.4)},
    "loudspeaker": {"urban": (0.6, 0.7), "lowland": (0.75, 0.9), "remote": (0.35, 0.7)},
}
SOURCE = "Khảo sát thôn bản (SYNTHETIC)"


def surveys(villages: gpd.GeoDataFrame, as_of: list[str], seed: int) -> dict[str, pd.DataFrame]:
    """One survey frame per date in ``as_of`` (first = baseline, last = latest), keyed by date.

    Columns ``village_id, as_of, source, fixed_broadband, radio, tv, press, post, loudspeaker, synthetic``
    with availability as ``1``/``0``.
    """
    rng = rng_for(seed, "surveys")
    kind = np.where(villages["urban"], "urban", np.where(villages["remote"], "remote", "lowland"))
    n = len(villages)
    latent = {s: rng.random(n) for s in SERVICES}  # one draw per village: monotone progress
    out: dict[str, pd.DataFrame] = {}
    steps = max(len(as_of) - 1, 1)
    for i, date in enumerate(as_of):
        frame = pd.DataFrame({"village_id": villages["village_id"].to_numpy(), "as_of": date, "source": SOURCE})
        for service in SERVICES:
            first = np.array([AVAILABILITY[service][k][0] for k in kind])
            last = np.array([AVAILABILITY[service][k][1] for k in kind])
            share = first + (last - first) * i / steps
            frame[service] = (latent[service] < share).astype(int)
        frame["synthetic"] = "true"
        out[date] = frame
    return out
