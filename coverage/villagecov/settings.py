"""Settings, read once at the edge (CLI, app factory) from ``VILLAGECOV_*`` and passed in.

Split by concern: each class below holds one concern's tunables and can be read on its own
(``TileSettings()``); :class:`Settings` is all of them, so the environment names stay flat
(``VILLAGECOV_TILE_MAX_FEATURES``). A function takes the narrowest concern it needs
(``settings: TileSettings``); the edge passes the one :class:`Settings` it read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class StoreSettings(BaseSettings):
    """Where the data lives: the store, the bundled data, the archive and the built maps."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    store: str = Field(
        default=str(PROJECT_ROOT / "var" / "villagecov.gpkg"),
        description="GeoPackage path (embedded default) or postgresql+psycopg:// URL",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="bundled real data")
    maps_dir: Path = Field(default=PROJECT_ROOT / "var" / "maps", description="built HTML maps served at /maps/")
    demo_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "demo-inputs", description="where `villagecov demo` writes SYNTHETIC inputs"
    )
    archive_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "archive",
        description="content-addressed archive of every ingested file and its quarantine report",
    )

    @property
    def store_is_postgis(self) -> bool:
        return self.store.startswith("postgresql")


class UploadSettings(BaseSettings):
    """Limits of uploads and of public challenge reports (docs/security.md)."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    max_upload_mb: int = 200
    challenges_per_hour: int = Field(5, ge=1, description="public challenge reports per client address and hour")
    max_uncompressed_mb: int = 2000

    # Uploads through the API (see docs/security.md): each is ingested in a worker process with
    # these limits; at most upload_workers at once, upload_queue_max waiting, else 503.
    upload_workers: int = Field(default=2, ge=1, le=32)
    upload_queue_max: int = Field(default=20, ge=1)
    upload_job_memory_mb: int = Field(default=3072, ge=0, description="address-space cap of a worker (0: none)")
    upload_job_timeout_s: int = Field(default=1800, ge=1)
    upload_body_timeout_s: float = Field(default=30.0, gt=0, description="longest wait for the next body chunk")


class ThresholdSettings(BaseSettings):
    """When a village counts as covered: signal thresholds in dBm and shares in [0, 1]."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    # Signal thresholds (outdoor): 4G/5G RSRP, 3G RSCP, 2G RxLev.
    threshold_dbm_4g: float = -105.0
    threshold_dbm_5g: float = -105.0
    threshold_dbm_3g: float = -100.0
    threshold_dbm_2g: float = -95.0
    covered_share: float = 0.8
    partial_share: float = 0.2
    target_share: float = 1.0  # the plan's target: every village

    def threshold_dbm(self, technology: str) -> float:
        """Signal threshold in dBm for ``technology`` (2G/3G/4G/5G)."""
        return {
            "2G": self.threshold_dbm_2g,
            "3G": self.threshold_dbm_3g,
            "4G": self.threshold_dbm_4g,
            "5G": self.threshold_dbm_5g,
        }[technology]


class ComputeSettings(BaseSettings):
    """The village coverage engine and the indicators' rules: remoteness, evidence, contradiction, targets."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    # Remoteness rules (used when no official flag is given). Distance from the district seat, or,
    # on boundaries without districts (2025-07; "auto"), from the village's commune centre.
    remote_centre: Literal["auto", "district_seat", "commune_centre"] = "auto"
    remote_commune_distance_km: float = 15.0
    remote_distance_km: float = 25.0
    remote_elevation_m: float = 400.0
    # Commune codes (GSO, 2019 boundaries) on the national border or officially mountainous:
    # every village in them is remote. Empty by default: the province's decisions fill them.
    remote_border_communes: list[str] = Field(default_factory=list)
    remote_mountainous_communes: list[str] = Field(default_factory=list)

    # Village coverage engine (villagecov.compute).
    compute_tile_m: float = 20000.0  # coverage is cut into square tiles of this side (m, EPSG:32648)
    compute_threads: int = 2
    # Dask scheduler of predict/compute/measurements (villagecov.scale.cluster): an address
    # (tcp://host:8786), local:N (a LocalCluster of N processes) or empty (single process).
    dask_scheduler: str | None = None
    scale_block_villages: int = 5000  # compute on Dask: villages per task (whole communes per block)
    population_raster: Path | None = Field(default=None, description="population per cell GeoTIFF")
    terrain_raster: Path | None = Field(default=None, description="elevation (m) GeoTIFF for remoteness")
    # Evidence that counts for the indicators; contradicted declared coverage does not count.
    # reporting periods (villagecov.compute.periods): year | quarter | month | date
    reporting_period: Literal["year", "quarter", "month", "date"] = "year"
    indicator_evidence: list[str] = Field(default_factory=lambda: ["declared", "modelled"])
    # FCC-challenge-like rule: declared coverage of an operator/technology in a village is
    # contradicted when at least `contradiction_min_tests` measurements inside it exist and at
    # least `contradiction_fail_share` of them fail the signal threshold (or, without a signal
    # value, the download speed `measured_min_dl_mbps`).
    contradiction_min_tests: int = 5
    contradiction_fail_share: float = 0.5
    measured_min_dl_mbps: float = 5.0
    measurement_window_days: int = 730  # measurements older than this before a vintage are ignored
    targets_file: Path = Field(default=PROJECT_ROOT / "data" / "targets" / "targets.csv",
                               description="official targets per indicator and year, with document and article")
    target_groups_file: Path | None = Field(
        default=None, description="CSV of target-group lists: group, level (village|commune), code, source, as_of")
    tower_group_m: float = 30.0  # operators' mobile sites within this distance (m) are one physical tower
    indicator_targets: dict[str, float] = Field(
        default_factory=dict, description="per-indicator target overriding the defaults"
    )


class PlanningSettings(BaseSettings):
    """Site planning (villagecov.planning): unit costs in VND and the search's limits."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    # Site planning (villagecov.planning). Costs in VND. ASSUMPTIONS, not quotations: order-of-
    # magnitude unit costs for rural Vietnam chosen by the planning module's author (no public
    # price list was available); replace them with the department's or operators' figures.
    plan_cost_new_tower_vnd: float = 1_500_000_000.0  # greenfield 40 m tower, civil works, RAN
    plan_cost_colocation_vnd: float = 500_000_000.0  # RAN equipment + antennas on an existing tower
    plan_cost_fibre_per_km_vnd: float = 50_000_000.0  # aerial fibre along roads, per km
    plan_cost_microwave_vnd: float = 300_000_000.0  # one microwave backhaul link, both ends
    plan_fibre_max_km: float = 10.0  # farther than this from a fibre PoP: microwave backhaul
    plan_cost_power_vnd: float = 200_000_000.0  # grid connection (or solar + battery) of a new site
    plan_opex_new_per_year_vnd: float = 150_000_000.0  # power, land rent, maintenance of a new site
    plan_opex_colocation_per_year_vnd: float = 60_000_000.0  # power and tower rent of a co-location
    plan_opex_years: int = 5  # years of opex counted in a candidate's cost (0: capital cost only)
    plan_tower_height_m: float = 40.0  # antenna height of a new tower (m)
    plan_candidate_radius_km: float = 10.0  # candidates farther than this from every gap are dropped
    plan_grid_spacing_m: float = 2000.0  # grid candidates over uncovered populated villages
    plan_max_hilltops: int = 40
    plan_ilp_time_limit_s: float = 60.0


class ReportSettings(BaseSettings):
    """The reporting bodies named in the annual report's titles and recipients."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    # Reporting bodies (titles of the annual report and the maps): the structure since 1 March 2025
    # (telecom and post under Science and Technology; press, radio and TV under Culture, Sports
    # and Tourism) and, since 1 July 2025, the merged Quảng Trị province.
    report_body: str = "Sở Khoa học và Công nghệ tỉnh Quảng Trị"
    report_body_en: str = "Department of Science and Technology of Quảng Trị province"
    report_recipients: list[str] = Field(
        default_factory=lambda: ["Bộ Khoa học và Công nghệ", "Ủy ban nhân dân tỉnh Quảng Trị"])
    report_media_recipients: list[str] = Field(
        default_factory=lambda: ["Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Trị"],
        description="recipients of the press, radio and TV parts of Task 9")


class ApiSettings(BaseSettings):
    """The web API: address, links, CORS, paging, caching of published JSON and time budget."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost", "http://127.0.0.1"])
    items_limit_default: int = 100
    items_limit_max: int = 10000
    # Reads: a request running longer than this answers 503 with Retry-After.
    request_time_budget_s: float = Field(default=30.0, gt=0)
    # Links in responses are built from this (e.g. https://villagecov.example.gov.vn), never from
    # the request's Host header; unset: http://api_host:api_port.
    public_base_url: str | None = None
    # Who may frame the HTML pages and maps (CSP frame-ancestors): the dashboard's origin, say.
    frame_ancestors: str = "'self'"
    # HMAC key signing paging cursors; unset: a random key per process (cursors die with it).
    cursor_secret: str | None = None
    items_max_age_s: int = 60  # Cache-Control max-age of items and other published JSON


class TileSettings(BaseSettings):
    """Vector and raster tiles: encoding, caps, the PostGIS tile pool and the tile cache."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")

    # Vector tiles: extent/buffer in tile units; simplification tolerance in tile units at each
    # zoom (1 unit = tile width / extent); a tile keeps at most tile_max_features per layer.
    tile_extent: int = 4096
    tile_buffer: int = 64
    tile_simplify: float = 1.0
    tile_max_features: int = 20000
    # Point layers too big to hold (measurements): below this zoom a tile keeps at most
    # tile_points_low_zoom_max points (a sample, said in the tile headers and the TileJSON).
    tile_points_full_zoom: int = Field(default=12, ge=0, le=24)
    tile_points_low_zoom_max: int = Field(default=2000, ge=1)
    # PostGIS connections drawing tiles at once (more requests wait for one, first come first
    # served): about the database's cores. Beyond that, concurrent tile queries only share the CPU,
    # and a heavy low-zoom tile takes as many times longer as there are queries beside it.
    tile_db_connections: int = Field(default=4, ge=1, le=64)
    tile_cache_mb: int = 64  # in-process cache of rendered tiles (0: off); emptied when the store changes
    tiles_max_age_s: int = 300  # Cache-Control max-age of tiles


class Settings(StoreSettings, UploadSettings, ThresholdSettings, ComputeSettings, PlanningSettings,
               ReportSettings, ApiSettings, TileSettings):
    """All tunables of the service, every concern above. Thresholds in dBm, shares in [0, 1], money in VND."""

    model_config = SettingsConfigDict(env_prefix="VILLAGECOV_", extra="ignore")
