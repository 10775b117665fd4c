"""GET /reports on both stores: the same report the CLI writes, with the run it was built from."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.reporting.test_report import computed  # noqa: F401  (fixture)
from villagecov.api.app import create_app
from villagecov.settings import Settings
from villagecov.storage import Store


@pytest.fixture
def client(computed: Settings):  # noqa: F811
    with TestClient(create_app(computed)) as c:
        yield c


def test_reports_index_and_files(client: TestClient, store: Store) -> None:
    run_id = store.read("runs")["run_id"].iloc[0]
    index = client.get("/reports").json()
    assert index["run_id"] == run_id and index["periods"] == ["2024", "2025"]
    r = client.get("/reports/2025.xlsx")
    assert r.status_code == 200 and r.headers["x-villagecov-run"] == run_id
    assert 'filename="SYNTHETIC_bao-cao_2025_province_2019.xlsx"' in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "Trang bìa"
    pdf = client.get("/reports/2025.pdf", params={"lang": "en"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    csv = client.get("/reports/2025.csv", params={"level": "commune", "unit": "c1"})
    assert csv.status_code == 200 and "t8.villages_4g_share" in csv.text and ",c1," in csv.text
    gone = client.get("/reports/2025.pdf", params={"level": "district", "boundaries": "2025-07"})
    assert gone.status_code == 404 and "districts were abolished on 1 July 2025" in gone.text
    assert client.get("/reports/2019.pdf").status_code == 404
    assert client.get("/reports/2025.doc").status_code == 400  # the API answers bad parameters with 400
    survey = client.get("/reports/survey/c1.xlsx")
    assert survey.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(survey.content))["khao_sat"]
    assert [c.value for c in ws["A"]][1:] == ["v0", "v1"]


def test_levels_abolished_by_the_reforms_are_said_plainly(client: TestClient, store: Store,
                                                           computed: Settings) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from villagecov.cli import app

    r = client.get("/indicators", params={"level": "district", "boundaries": "2025-07"})
    assert r.status_code == 404 and "districts were abolished on 1 July 2025" in r.text
    s = client.get("/indicators/t8.villages_4g_share/series", params={"level": "district", "boundaries": "2025-07"})
    assert s.status_code == 404 and "districts were abolished on 1 July 2025" in s.text
    assert client.get("/indicators", params={"level": "district", "boundaries": "2019"}).status_code == 200
    out = CliRunner().invoke(app, ["indicators", "--store", store.url, "--level", "district", "--boundaries", "2025-07"])
    assert out.exit_code != 0 and "districts were abolished on 1 July 2025" in out.output
    assert "run `villagecov compute` first" not in out.output


def test_cli_catalogue_lists_the_same_definitions() -> None:
    import json

    from typer.testing import CliRunner

    from villagecov.catalogue import CATALOGUE
    from villagecov.cli import app

    out = CliRunner().invoke(app, ["catalogue", "--format", "json", "--lang", "en"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["indicator"] for r in rows] == list(CATALOGUE)
    post = next(r for r in rows if r["indicator"] == "t8.people_per_post_point")
    assert post["name"] == "People per postal service point" and post["denominator"] == "postal service points in service"


def test_period_picks_the_vintage_of_that_year_only() -> None:
    from villagecov.errors import NotFound
    from villagecov.reporting.model import pick_vintage

    dates = ["2019-12-31", "2024-01-01", "2024-12-31"]
    assert pick_vintage(dates, "2024") == "2024-12-31"
    assert pick_vintage(dates, "2024-06-30") == "2024-01-01"
    with pytest.raises(NotFound, match="no indicators for period 2025: the computed vintages are 2019-12-31 … 2024-12-31"):
        pick_vintage(dates, "2025")


def test_cli_indicator_prefix_leaves_breakdowns_out_unless_named(store: Store, computed: Settings) -> None:  # noqa: F811
    import io

    import pandas as pd
    from typer.testing import CliRunner

    from villagecov.cli import app

    def ids(*args: str) -> set[str]:
        out = CliRunner().invoke(app, ["indicators", "--store", store.url, "--format", "csv", *args])
        assert out.exit_code == 0, out.output
        return set(pd.read_csv(io.StringIO(out.output))["indicator"])

    assert ids("--indicator", "t8.villages_4g_share") == {"t8.villages_4g_share"}
    assert {i.split(":")[0] for i in ids()} >= {"t8.villages_4g_share", "t8.communes_post_share"}
