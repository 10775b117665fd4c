"""DEM as published: SRTM ``.hgt`` tiles (big-endian int16, 1201×1201 at 3″, named by their SW
corner, -32768 voids), Copernicus-style GeoTIFF tiles; one file, several, a folder, a zip, a VRT.
Ground missing under the area is filled from the other tiles or interpolated and reported —
never taken as 0 m."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from villagecov.errors import InputError
from villagecov.propagation.terrain import load_dem

# EPSG:32648 box straddling lon 106° at lat ≈ 17.45° (about 105.95°–106.05°)
BOUNDS = (600_000.0, 1_928_000.0, 612_000.0, 1_932_000.0)


def hgt(folder: Path, lat: int, lon: int, height: int, void: tuple[slice, slice] | None = None) -> Path:
    """An SRTM3 tile exactly as NASA ships it: raw big-endian int16, 1201×1201, no header."""
    data = np.full((1201, 1201), height, dtype=">i2")
    if void is not None:
        data[void] = -32768
    path = folder / f"N{lat:02d}E{lon:03d}.hgt"
    path.write_bytes(data.tobytes())
    return path


def cop_tif(path: Path, lon0: float, lat0: float, height: float, size: int = 400) -> Path:
    """A Copernicus DEM-like GeoTIFF tile (float32 metres, EPSG:4326)."""
    step = 1.0 / size
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(step, 0, lon0, 0, -step, lat0 + 1)) as dst:
        dst.write(np.full((size, size), height, dtype="float32"), 1)
    return path


def test_one_tile_leaves_ground_missing_reported_not_zero(tmp_path: Path) -> None:
    east = hgt(tmp_path, 17, 106, 400)
    dem = load_dem(east, BOUNDS, 100.0)
    assert 0.2 < dem.missing_share < 0.8  # the part west of 106° has no tile
    assert dem.heights.min() > 390  # interpolated from the nearest ground, never 0 m sea


def test_folder_of_hgt_tiles_is_a_mosaic(tmp_path: Path) -> None:
    tiles = tmp_path / "srtm"
    tiles.mkdir()
    hgt(tiles, 17, 105, 200)
    hgt(tiles, 17, 106, 400)
    dem = load_dem(tiles, BOUNDS, 100.0)
    assert dem.missing_share == 0.0 and dem.sources == 2
    assert dem.heights[:, 0].mean() == pytest.approx(200, abs=1) and dem.heights[:, -1].mean() == pytest.approx(400, abs=1)


def test_voids_filled_from_another_file_and_zip_and_vrt(tmp_path: Path) -> None:
    west = hgt(tmp_path, 17, 105, 200)
    east = hgt(tmp_path, 17, 106, 400, void=(slice(0, 1201), slice(0, 600)))  # west half of the tile void
    cop = cop_tif(tmp_path / "Copernicus_DSM_COG_10_N17_00_E106_00_DEM.tif", 106.0, 17.0, 410.0)
    dem = load_dem(f"{west},{east},{cop}", BOUNDS, 100.0)  # several files: the first with ground wins
    assert dem.missing_share == 0.0 and dem.sources == 3
    assert dem.heights[:, -1].mean() == pytest.approx(410, abs=1)  # the void filled from Copernicus
    z = tmp_path / "N17E105.SRTMGL3.hgt.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(west, "N17E105.hgt")
    assert load_dem(z, BOUNDS, 100.0).heights[:, 0].mean() == pytest.approx(200, abs=1)
    vrt = tmp_path / "mosaic.vrt"
    with rasterio.open(west) as a:
        pass
    vrt.write_text(_vrt([west], a.width, a.height, a.transform), encoding="utf-8")
    assert load_dem(vrt, BOUNDS, 100.0).heights[:, 0].mean() == pytest.approx(200, abs=1)


def test_dem_outside_the_area_and_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    far = hgt(tmp_path, 10, 100, 50)
    with pytest.raises(InputError, match="does not cover the area"):
        load_dem(far, BOUNDS, 100.0)
    with pytest.raises(InputError, match="no such DEM file or folder"):
        load_dem(tmp_path / "nope.tif", BOUNDS, 100.0)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no DEM tiles found"):
        load_dem(tmp_path / "empty", BOUNDS, 100.0)


def _vrt(files: list[Path], width: int, height: int, transform: Affine) -> str:
    """A minimal GDAL VRT over one SRTM tile (as ``gdalbuildvrt`` writes)."""
    gt = ", ".join(f"{v:.17g}" for v in transform.to_gdal())
    sources = "".join(
        f"<SimpleSource><SourceFilename relativeToVRT=\"0\">{f}</SourceFilename><SourceBand>1</SourceBand>"
        f"<SrcRect xOff=\"0\" yOff=\"0\" xSize=\"{width}\" ySize=\"{height}\"/>"
        f"<DstRect xOff=\"0\" yOff=\"0\" xSize=\"{width}\" ySize=\"{height}\"/></SimpleSource>" for f in files)
    return (f"<VRTDataset rasterXSize=\"{width}\" rasterYSize=\"{height}\"><SRS>EPSG:4326</SRS>"
            f"<GeoTransform>{gt}</GeoTransform><VRTRasterBand dataType=\"Int16\" band=\"1\">"
            f"<NoDataValue>-32768</NoDataValue>{sources}</VRTRasterBand></VRTDataset>")
