"""Link budget per site and technology: what the receiver measures for a given path loss.

received (dBm) = EIRP (dBm, per sector, total) + reference-signal offset (dB) + receiver gain (dBi)
− path loss (dB). The offset turns total power into the quantity the thresholds are set on:
4G/5G RSRP is the power of one resource element, 3G RSCP the pilot channel (CPICH), 2G RxLev the
whole BCCH carrier. Receiver: handset at 1.5 m, 0 dBi, outdoors (thresholds are outdoor).

Defaults (used where a site has no ``height_m`` / ``eirp_dbm``) are ASSUMPTIONS typical of
Vietnamese rural macro sites, not operator data:
- bands: 2G GSM 900, 3G UMTS 2100, 4G LTE 1800 (band 3), 5G NR 2600 (n41, Viettel's 2024 licence);
- EIRP: 2G 20 W + 15 dBi − 3 dB = 55 dBm; 3G 20 W + 17 − 3 = 57 dBm; 4G 40 W + 17 − 3 = 60 dBm;
  5G 200 W + 24 dBi (massive MIMO) − 1 dB = 76 dBm;
- offsets: 3G CPICH at 10 % of power (−10 dB); 4G 20 MHz = 100 PRB: −10 log10(12·100) = −30.8 dB;
  5G 100 MHz at 30 kHz = 273 PRB: −10 log10(12·273) = −35.2 dB;
- tower height 30 m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from villagecov.errors import InputError
from villagecov.propagation.pathloss import hata_loss_db
from villagecov.settings import Settings, ThresholdSettings

RX_HEIGHT_M = 1.5
DEFAULT_TOWER_HEIGHT_M = 30.0


@dataclass(frozen=True)
class LinkBudget:
    """One site × technology. Frequencies in MHz, powers in dBm, gains/losses in dB, heights in m."""

    technology: str
    freq_mhz: float
    eirp_dbm: float
    signal_offset_db: float
    threshold_dbm: float
    tx_height_m: float = DEFAULT_TOWER_HEIGHT_M
    rx_height_m: float = RX_HEIGHT_M
    rx_gain_dbi: float = 0.0

    @property
    def max_loss_db(self) -> float:
        """Largest path loss (dB) that still meets the threshold."""
        return self.eirp_dbm + self.signal_offset_db + self.rx_gain_dbi - self.threshold_dbm

    def received_dbm(self, path_loss_db: np.ndarray) -> np.ndarray:
        return self.eirp_dbm + self.signal_offset_db + self.rx_gain_dbi - np.asarray(path_loss_db)

    def hata_range_km(self, environment: str = "rural", margin_db: float = 10.0) -> float:
        """Distance (km) at which the Hata loss reaches ``max_loss_db + margin_db``; terrain only
        adds loss, so no pixel beyond it can be served (used to bound the sweep)."""
        at_1km = float(hata_loss_db(1.0, self.freq_mhz, self.tx_height_m, self.rx_height_m, environment))
        slope = 44.9 - 6.55 * math.log10(max(self.tx_height_m, 1.0))  # dB per decade of distance
        return float(10 ** ((self.max_loss_db + margin_db - at_1km) / slope))


TECHNOLOGY_DEFAULTS: dict[str, tuple[float, float, float]] = {
    # technology: (frequency MHz, EIRP dBm, reference-signal offset dB) — see the module docstring
    "2G": (900.0, 55.0, 0.0),
    "3G": (2100.0, 57.0, -10.0),
    "4G": (1800.0, 60.0, -10 * math.log10(12 * 100)),
    "5G": (2600.0, 76.0, -10 * math.log10(12 * 273)),
}


def default_budget(technology: str, settings: ThresholdSettings) -> LinkBudget:
    """The default budget of ``technology`` with the settings' threshold."""
    if technology not in TECHNOLOGY_DEFAULTS:
        raise InputError(f"unknown technology {technology!r}; known: {', '.join(TECHNOLOGY_DEFAULTS)}")
    freq, eirp, offset = TECHNOLOGY_DEFAULTS[technology]
    return LinkBudget(technology, freq, eirp, offset, settings.threshold_dbm(technology))


def site_budget(
    technology: str, settings: Settings, height_m: float | None = None, eirp_dbm: float | None = None
) -> LinkBudget:
    """Budget of one site: its own height (m) and EIRP (dBm) where known, defaults otherwise."""
    b = default_budget(technology, settings)
    if height_m is not None and not (isinstance(height_m, float) and math.isnan(height_m)) and height_m > 0:
        b = replace(b, tx_height_m=float(height_m))
    if eirp_dbm is not None and not (isinstance(eirp_dbm, float) and math.isnan(eirp_dbm)):
        b = replace(b, eirp_dbm=float(eirp_dbm))
    return b
