"""Settings, read once at the edge (CLI, app factory) from ``VILLAGECOV_*`` and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """All tunables of the service. Thresholds in dBm, shares in [0, 1], money in VND."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    store: str = Field(
        default=str(PROJECT_ROOT / "var" / "villagecov.gpkg"),
        description="GeoPackage path (embedded default) or postgresql+psycopg:// URL",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="bundled real data")
    archive_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "archive",
        description="content-addressed archive of every ingested file and its quarantine report",
    )
    max_upload_mb: int = 200
    max_uncompressed_mb: int = 2000

    # Signal thresholds (outdoor): 4G/5G RSRP, 3G RSCP, 2G RxLev.
    threshold_dbm_4g: float = -105.0
    threshold_dbm_5g: float = -105.0
    threshold_dbm_3g: float = -100.0
    threshold_dbm_2g: float = -95.0
    covered_share: float = 0.8
    partial_share: float = 0.2
    target_share: float = 1.0  # the plan's target: every village

    # Remoteness rules (used when no official flag is given).
    remote_distance_km: float = 25.0
    remote_elevation_m: float = 400.0

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost", "http://127.0.0.1"])
    items_limit_default: int = 100
    items_limit_max: int = 10000

    def threshold_dbm(self, technology: str) -> float:
        """Signal threshold in dBm for ``technology`` (2G/3G/4G/5G)."""
        return {
            "2G": self.threshold_dbm_2g,
            "3G": self.threshold_dbm_3g,
            "4G": self.threshold_dbm_4g,
            "5G": self.threshold_dbm_5g,
        }[technology]

    @property
    def store_is_postgis(self) -> bool:
        return self.store.startswith("postgresql")
