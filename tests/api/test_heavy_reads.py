"""Heavy reads bounded, on both stores: time filters on the big measurements layer are served
by the store (its index on ``time``) page by page, with the same answer as the in-memory path;
point tiles at low zoom keep a capped sample and say so in their headers and TileJSON."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded


def _ids(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [f["id"] for f in body["features"]]


def test_time_filters_are_served_by_the_store(client: TestClient, seeded: Seeded) -> None:
    cases = {
        "2025-03-01": ["M1", "M2"],
        "2025-03-01T08:30:00Z/2025-04-01": ["M2", "M3"],
        "2025-03-01T16:00:00+07:00": ["M2"],  # 09:00 UTC: the same second in another zone
        "../2025-03-31": ["M1", "M2"],
        "2025-05-01T08:00:00Z/..": ["M4", "M5"],
        "2024-01-01/2024-12-31": [],
    }
    for when, expected in cases.items():
        paged = client.get("/collections/measurements/items", params={"datetime": when, "limit": 1000}).json()
        boxed = client.get(
            "/collections/measurements/items",  # the in-memory path (a bbox) agrees
            params={"datetime": when, "bbox": "100,10,110,25", "limit": 1000},
        ).json()
        assert _ids(paged) == expected == _ids(boxed), when
        assert paged["numberMatched"] == len(expected)
    page = client.get(
        "/collections/measurements/items", params={"datetime": "2025-01-01/2025-12-31", "limit": 2}
    )
    nxt = next(link["href"] for link in page.json()["links"] if link["rel"] == "next")
    assert "cursor=" in nxt and _ids(client.get(nxt).json()) == ["M3", "M4"]
    if seeded.settings.store_is_postgis:
        engine = sa.create_engine(seeded.settings.store)
        with engine.connect() as conn:
            names = set(
                conn.execute(
                    sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'measurements'")
                ).scalars()
            )
            conn.execute(sa.text("SET enable_seqscan = off"))
            plan = " ".join(
                conn.execute(
                    sa.text(
                        "EXPLAIN SELECT * FROM measurements WHERE time >= '2025-03-01' AND time < '2025-03-02'"
                    )
                ).scalars()
            )
        engine.dispose()
        assert "ix_measurements_time" in names and "ix_measurements_time" in plan
    else:
        import sqlite3

        con = sqlite3.connect(seeded.settings.store)
        plan = " ".join(
            str(r)
            for r in con.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM measurements WHERE time >= '2025-03-01' AND time < '2025-03-02'"
            )
        )
        con.close()
        assert "ix_measurements_time" in plan


def test_low_zoom_point_tiles_are_capped_and_say_so(seeded: Seeded) -> None:
    from villagecov.api.app import create_app

    settings = seeded.settings.model_copy(
        update={"tile_points_low_zoom_max": 2, "tile_points_full_zoom": 12, "tile_cache_mb": 0}
    )
    lon, lat = seeded.centres["V1"]
    tms = morecantile.tms.get("WebMercatorQuad")
    with TestClient(create_app(settings)) as c:
        meta = c.get("/collections/measurements/tiles/WebMercatorQuad/tilejson.json").json()
        assert meta["x-villagecov-max-features"][0] == {"minzoom": 0, "maxzoom": 11, "maxFeatures": 2}
        for z, cap in ((8, 2), (14, None)):
            t = tms.tile(lon, lat, z)
            r = c.get(f"/collections/measurements/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}")
            feats = mapbox_vector_tile.decode(r.content)["measurements"]["features"]
            b = tms.bounds(t)
            inside = c.get(
                "/collections/measurements/items", params={"bbox": f"{b.left},{b.bottom},{b.right},{b.top}"}
            ).json()["numberMatched"]
            if cap is not None:
                assert inside > 2 and len(feats) == 2 and r.headers["x-tile-truncated"] == "true"
                assert int(r.headers["x-tile-features-dropped"]) == inside - 2
            else:
                assert len(feats) == inside >= 3 and "x-tile-truncated" not in r.headers


def test_store_sample_stops_at_the_limit_and_counts_the_rest(seeded: Seeded) -> None:
    from villagecov.storage import open_store

    with open_store(seeded.settings.store) as store:
        everything = store.read("measurements", bbox=(100, 10, 110, 25))
        rows, total = store.sample("measurements", (100, 10, 110, 25), 2)
        assert len(rows) == 2 and total == len(everything) == 5
        assert set(rows["measurement_id"]) <= set(everything["measurement_id"])
        none, zero = store.sample("measurements", (0, 0, 1, 1), 2)
        assert none.empty and zero == 0


def test_a_tile_over_the_time_budget_is_a_503_with_retry_after(seeded: Seeded) -> None:
    """Over the budget: 503 with Retry-After, whichever store draws the tile."""
    from villagecov.api.app import create_app

    settings = seeded.settings.model_copy(update={"request_time_budget_s": 0.001, "tile_cache_mb": 0})
    t = morecantile.tms.get("WebMercatorQuad").tile(*seeded.centres["V1"], 8)
    with TestClient(create_app(settings)) as c:
        r = c.get(f"/collections/coverage/tiles/WebMercatorQuad/8/{t.y}/{t.x}")
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0, r.text
