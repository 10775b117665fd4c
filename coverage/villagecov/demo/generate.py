"""Write the whole SYNTHETIC demo input set and its manifest (deterministic for a given seed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.demo.coverage import THRESHOLDS_DBM, SignalModel, compute_signals, coverage_polygons
from villagecov.demo.frame import load_frame
from villagecov.demo.manifest import DemoManifest
from villagecov.demo.measurements import (
    ContradictionZone,
    contradiction_zones,
    drive_tests,
    ookla_tiles,
    road_network,
)
from villagecov.demo.sites import TO_LONLAT, Site, make_sites, nonmobile_sites, opencellid_cells
from villagecov.demo.surveys import surveys
from villagecov.demo.terrain import NODATA, make_terrain, province_mask, write_dem, write_geotiff
from villagecov.demo.villages import make_villages
from villagecov.demo.writers import write_csv, write_geojson, write_gpkg, write_zipped_shapefile
from villagecov.schema import METRIC_CRS, MOBILE_OPERATORS, STORAGE_CRS

VINTAGES = ["2019-12-31", "2024-12-31"]
VILLAGES_AS_OF = "2019-12-31"  # populations of the 2019 census (1 April); register dated at the baseline
POINT_DISTRICTS = ("454", "457", "458")  # delivered as a points CSV with Vietnamese columns
OFFICIAL_FLAG_DISTRICTS = ("452", "456", "457")  # the only districts whose register has dbkk
VI_COLUMNS = {"ma_thon": "village_id", "ten_thon": "name", "ma_xa": "commune_code",
              "dan_so": "population", "so_ho": "households", "dbkk": "remote"}
SHAPEFILE_OPERATOR = "gmobile"
GEOJSON_UTM = ("vietnamobile", "2024-12-31")
RASTER_EVIDENCE = ("mobifone", "4G", "2024-12-31")


def _end_of_day(date: str) -> float:
    return datetime.fromisoformat(date).replace(hour=23, minute=59, second=59, tzinfo=UTC).timestamp()


def generate_demo_inputs(out_dir: Path, data_dir: Path, seed: int = 2019) -> DemoManifest:
    """Generate every SYNTHETIC demo input into ``out_dir`` (created); return the manifest.

    ``data_dir`` holds the real 2019 commune boundaries (``boundaries/…``). Same seed → the same
    bytes in every file. Entries are in ingest order: villages, sites, terrain, coverage,
    measurements, services.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = load_frame(Path(data_dir))
    terrain = make_terrain(frame, seed)
    villages = make_villages(frame, terrain, seed)
    manifest = DemoManifest(out_dir=out, seed=seed)

    _write_villages(manifest, villages)
    sites = make_sites(frame, terrain, villages, seed)
    cells = opencellid_cells(sites, seed)
    p = out / "SYNTHETIC_sites_opencellid_452.csv"
    write_csv(cells, p)
    manifest.add("sites", p, "OpenCelliD-style cells (MCC 452) of ~1,500 SYNTHETIC tower sites, "
                 "several cells per site within ±10 m; created 2019–2024.", as_of=VINTAGES[-1])
    p = out / "SYNTHETIC_sites_nonmobile.csv"
    write_csv(nonmobile_sites(frame, villages, seed), p)
    manifest.add("sites", p, "Generic sites CSV: a post office, commune radio and fibre PoP per "
                 "commune, FM and DTT transmitters (SYNTHETIC).", as_of=VINTAGES[-1])

    p = out / "SYNTHETIC_terrain_dem_90m_epsg32648.tif"
    write_dem(p, terrain)
    manifest.add("terrain", p, "SYNTHETIC DEM: elevation (m), float32, EPSG:32648, 90 m pixels, "
                 "nodata -9999 beyond 5 km of the province.")

    model = compute_signals(frame, terrain, sites, VINTAGES, [_end_of_day(v) for v in VINTAGES], seed)
    roads = road_network(villages, seed)
    zones = contradiction_zones(frame, model, roads, VINTAGES[-1], seed)
    _write_coverage(manifest, model, frame.outline, zones)

    p = out / "SYNTHETIC_measurements_drive_test_2024.csv"
    # 500 m inside the outline: the ingest checks against the province outline, drawn differently
    write_csv(drive_tests(model, roads, zones, VINTAGES[-1], seed, frame.outline.buffer(-500.0)), p)
    manifest.add("measurements", p, "Drive-test points (4G) along the roads of Viettel, VinaPhone, "
                 "MobiFone, Nov–Dec 2024 (SYNTHETIC); weak RSRP inside the declared contradiction zones.",
                 as_of=VINTAGES[-1])
    p = out / "SYNTHETIC_measurements_ookla_tiles_2024q4.csv"
    write_csv(ookla_tiles(model, villages, VINTAGES[-1], seed), p)
    manifest.add("measurements", p, "Ookla-style mobile performance tiles (zoom-16 quadkeys) over "
                 "populated places, Q4 2024 (SYNTHETIC).", as_of="2024-10-01")

    for date, survey in surveys(villages, VINTAGES, seed).items():
        p = out / f"SYNTHETIC_services_survey_{date}.csv"
        write_csv(survey, p)
        manifest.add("services", p, f"Task 9 village survey as of {date} (SYNTHETIC).", as_of=date)

    manifest.facts = _facts(villages, sites, zones, model)
    manifest.write()
    return manifest


def _write_villages(manifest: DemoManifest, villages: gpd.GeoDataFrame) -> None:
    flagged = villages["district_code"].isin(OFFICIAL_FLAG_DISTRICTS)
    # text, as registers export it: "true"/"false", and no value where the register has no flag
    remote = villages["remote"].map({True: "true", False: "false"}).where(flagged, None)
    as_points = villages["district_code"].isin(POINT_DISTRICTS)

    poly = villages.loc[~as_points]
    polys = gpd.GeoDataFrame({
        "village_id": poly["village_id"], "name": poly["name"], "commune_code": poly["commune_code"],
        "population": poly["population"], "households": poly["households"],
        "remote": remote[~as_points], "synthetic": True,
    }, geometry=poly.geometry.to_crs(STORAGE_CRS).values, crs=STORAGE_CRS)
    p = manifest.out_dir / "SYNTHETIC_villages_polygons_2019.geojson"
    write_geojson(polys, p, decimals=6, name="SYNTHETIC_villages")
    manifest.add("villages", p, "SYNTHETIC village polygons (Voronoi cells of settlements clipped "
                 f"to the 2019 communes) of districts {', '.join(sorted(set(poly['district_code'])))}; "
                 "official remote flag only in some districts.", as_of=VILLAGES_AS_OF)

    pts = villages.loc[as_points]
    lon, lat = TO_LONLAT.transform(np.array([g.x for g in pts["point"]]), np.array([g.y for g in pts["point"]]))
    flag = remote[as_points].fillna("")
    csv = pd.DataFrame({
        "ma_thon": pts["village_id"], "ten_thon": pts["name"], "ma_xa": pts["commune_code"],
        "dan_so": pts["population"], "so_ho": pts["households"], "dbkk": flag,
        "lon": np.round(lon, 6), "lat": np.round(lat, 6), "synthetic": "true",
    })
    p = manifest.out_dir / "SYNTHETIC_villages_points_vi_2019.csv"
    write_csv(csv, p)
    manifest.add("villages", p, "SYNTHETIC village points with Vietnamese register columns of districts "
                 f"{', '.join(POINT_DISTRICTS)} (to become Voronoi cells).", as_of=VILLAGES_AS_OF,
                 columns=dict(VI_COLUMNS))


def _layer(geom: object, operator: str, tech: str, as_of: str, crs: str = STORAGE_CRS) -> gpd.GeoDataFrame:
    g = gpd.GeoSeries([geom], crs=METRIC_CRS)
    return gpd.GeoDataFrame({"operator": [operator], "technology": [tech], "as_of": [as_of],
                             "synthetic": [True]}, geometry=g.to_crs(crs).values, crs=crs)


def _write_coverage(manifest: DemoManifest, model: SignalModel, outline: shapely.Geometry,
                    zones: list[ContradictionZone]) -> None:
    out = manifest.out_dir
    for operator in MOBILE_OPERATORS:
        for as_of in VINTAGES:
            layers: dict[str, object] = {}
            for tech in THRESHOLDS_DBM:
                geom = coverage_polygons(model, operator, tech, as_of, outline)
                extra = [z.disc() for z in zones if (z.operator, z.technology, as_of) == (operator, tech, VINTAGES[-1])]
                if extra and geom is not None:
                    geom = shapely.MultiPolygon(list(shapely.get_parts(shapely.union_all([geom, *extra]))))
                if geom is not None:
                    layers[tech] = geom
            desc = f"Declared coverage of {operator} as of {as_of} (SYNTHETIC)"
            if operator == SHAPEFILE_OPERATOR:
                for tech, geom in layers.items():
                    p = out / f"SYNTHETIC_coverage_{operator}_{tech}_{as_of}.shp.zip"
                    write_zipped_shapefile(p, _layer(geom, operator, tech, as_of), f"SYNTHETIC_{operator}_{tech}", as_of)
                    manifest.add("coverage", p, f"{desc}, {tech}, zipped Shapefile (EPSG:4326).",
                                 operator=operator, technology=tech, as_of=as_of)
            elif (operator, as_of) == GEOJSON_UTM:
                for tech, geom in layers.items():
                    p = out / f"SYNTHETIC_coverage_{operator}_{tech}_{as_of}_epsg32648.geojson"
                    write_geojson(_layer(geom, operator, tech, as_of, METRIC_CRS), p, decimals=1)
                    manifest.add("coverage", p, f"{desc}, {tech}, GeoJSON in EPSG:32648.",
                                 operator=operator, technology=tech, as_of=as_of)
            else:
                p = out / f"SYNTHETIC_coverage_{operator}_{as_of}.gpkg"
                write_gpkg(p, {t: _layer(g, operator, t, as_of) for t, g in layers.items()}, desc, as_of)
                manifest.add("coverage", p, f"{desc}: GeoPackage, one layer per technology "
                             f"({', '.join(layers)}).", operator=operator, as_of=as_of)
    operator, tech, as_of = RASTER_EVIDENCE
    arr = model.rasters[(operator, tech, as_of)].copy()
    arr[(arr < -130.0) | ~province_mask(outline, model.grid, 5000.0)] = NODATA
    p = out / f"SYNTHETIC_coverage_{operator}_{tech}_rsrp_{as_of}.tif"
    write_geotiff(p, np.round(arr, 1), model.grid, "RSRP (dBm)",
                  {"UNITS": "dBm", "OPERATOR": operator, "TECHNOLOGY": tech, "AS_OF": as_of,
                   "DESCRIPTION": "SYNTHETIC modelled 4G RSRP, best server"})
    manifest.add("coverage", p, f"{operator} {tech} signal strength (RSRP, dBm) as of {as_of}: GeoTIFF, "
                 "EPSG:32648, 250 m, nodata -9999 (SYNTHETIC).", operator=operator, technology=tech,
                 as_of=as_of, value="signal_dbm")


def _facts(villages: gpd.GeoDataFrame, sites: list[Site], zones: list[ContradictionZone],
           model: SignalModel) -> dict[str, object]:
    """Figures of the generated set, for the manifest (and for tests and the demo's story)."""
    x = np.array([p.x for p in villages["point"]])
    y = np.array([p.y for p in villages["point"]])
    facts: dict[str, object] = {
        "villages": int(len(villages)),
        "villages_remote": int(villages["remote"].sum()),
        "population": int(villages["population"].sum()),
        "tower_sites": int(len(sites)),
        "vintages": VINTAGES,
        "contradiction_zones": [z.as_dict() for z in zones],
    }
    for as_of in VINTAGES:
        best_4g = np.max([model.sample(op, "4G", as_of, x, y) for op in MOBILE_OPERATORS], axis=0)
        margin = np.max([model.sample(op, t, as_of, x, y) - THRESHOLDS_DBM[t]
                         for op in MOBILE_OPERATORS for t in ("2G", "3G", "4G")], axis=0)
        no_signal = margin < 0
        facts[f"settlements_with_4g_{as_of}"] = int((best_4g >= THRESHOLDS_DBM["4G"]).sum())
        facts[f"settlements_without_signal_{as_of}"] = int(no_signal.sum())
        facts[f"settlements_without_signal_remote_{as_of}"] = int((no_signal & villages["remote"]).sum())
    return facts
