"""Races and crashes on both stores: one file ingested by six writers at once is written once;
an ingest killed (SIGKILL) at random points leaves the store as it was or fully ingested, never
damaged, and the next ingest works; a killed writer's hot journal is not replayed into the next."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from ingest_files import place
from typer.testing import CliRunner

from villagecov.errors import DuplicateSubmission
from villagecov.ingest import ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store, open_store
from villagecov.storage.base import Store as BaseStore

OPTIONS = {"operator": "viettel", "as_of": "2025-06-30"}


def _drive_csv(path: Path, n: int) -> Path:
    _, lon, lat = place(70)
    rows = [
        f"2025-03-01T08:{k % 60:02d}:00,{lon + (k % 200) * 1e-5:.6f},{lat + (k // 200) * 1e-5:.6f},4,LTE,"
        f"{-80 - k % 30},{20 + k % 7}"
        for k in range(n)
    ]
    path.write_text(
        "time,lon,lat,mnc,technology,rsrp_dbm,dl_mbps\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


def test_six_concurrent_ingests_of_one_file_write_it_once(
    loaded: Store, settings: Settings, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _drive_csv(files / "do_kiem.csv", 50)
    writers = 6
    barrier = threading.Barrier(writers, timeout=60)
    fast_path = BaseStore.has_submission

    def all_pass_the_fast_path_together(self: Store, *args: str) -> bool:
        seen = fast_path(self, *args)
        barrier.wait()  # nobody commits before all six have looked: a check-then-act would race
        return seen

    monkeypatch.setattr(BaseStore, "has_submission", all_pass_the_fast_path_together)
    outcomes: list[str] = []

    def upload() -> None:
        with open_store(loaded.url) as store:
            try:
                ingest_file(settings, store, "measurements", path, IngestOptions(**OPTIONS))
                outcomes.append("ingested")
            except DuplicateSubmission:
                outcomes.append("duplicate")
            except Exception as exc:
                outcomes.append(repr(exc))

    threads = [threading.Thread(target=upload) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(outcomes) == ["duplicate"] * (writers - 1) + ["ingested"], outcomes
    assert loaded.count("measurements") == 50
    assert loaded.count("submissions", {"kind": "measurements"}) == 1


CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    import villagecov.sources.measurements as m
    from villagecov.ingest import ingest_file
    from villagecov.settings import Settings
    from villagecov.sources.common import IngestOptions
    from villagecov.storage import open_store

    m.CHUNK_ROWS = 1500  # several writes into the open transaction
    url, archive, path = sys.argv[1:4]
    with open_store(url) as store:
        print("START", flush=True)
        ingest_file(Settings(store=url, archive_dir=archive), store, "measurements", Path(path),
                    IngestOptions(operator="viettel", as_of="2025-06-30"))
    print("DONE", flush=True)
""")


def _spawn(script: Path, store: Store, settings: Settings, path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(script), store.url, str(settings.archive_dir), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "START"
    return proc


def test_ingest_killed_at_random_points(
    loaded: Store, settings: Settings, files: Path, tmp_path: Path
) -> None:
    rows = 6000
    path = _drive_csv(files / "do_kiem_lon.csv", rows)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    before = loaded.digest()
    timing = _spawn(script, loaded, settings, path)  # one full run: how long an ingest takes
    t0 = time.monotonic()
    timing.wait(timeout=300)
    duration = time.monotonic() - t0
    assert timing.returncode == 0, timing.stderr.read() if timing.stderr else ""
    full = _content(loaded)
    _undo(loaded)
    assert loaded.digest() == before
    rng = random.Random(16)
    kills = 12 if loaded.kind == "geopackage" else 6
    states = []
    for _ in range(kills):
        proc = _spawn(script, loaded, settings, path)
        time.sleep(rng.uniform(0, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        # Readable, and either nothing of the file or all of it with its submission row.
        if loaded.count("submissions", {"kind": "measurements"}) == 0:
            assert loaded.digest() == before, "a killed ingest left a partial store"
            states.append("before")
        else:
            assert _content(loaded) == full, "a killed ingest left a partial store"
            states.append("full")
            _undo(loaded)
    assert loaded.repair()  # the store's own check passes after all that
    report = ingest_file(settings, loaded, "measurements", path, IngestOptions(**OPTIONS))
    assert report.accepted == {"measurements": rows} and _content(loaded) == full
    assert "before" in states, states  # some kills did land inside the ingest


def _content(store: Store) -> tuple[str, int]:
    """The measurements as stored (without fids) and the number of submissions."""
    frame = (
        store.read("measurements")
        .drop(columns="geometry")
        .assign(wkt=store.read("measurements").geometry.to_wkt())
    )
    return frame.sort_values(["time", "wkt"]).to_csv(index=False), store.count("submissions")


def _undo(store: Store) -> None:
    """Take the measurement file out again: its rows, its submission and its audit-log entry."""
    ids = [str(i) for i in store.read("submissions", where={"kind": "measurements"})["submission_id"]]
    with store.transaction() as tx:
        tx.delete("measurements", {"operator": "viettel"})
        tx.delete("submissions", {"kind": "measurements"})
        if ids:
            tx.delete("change_log", {"action": "ingest", "target": ids})


def test_a_killed_writers_hot_journal_is_not_replayed(tmp_path: Path, files: Path, gpkg_template) -> None:  # type: ignore[no-untyped-def]
    """The reported fault (GeoPackage only: PostgreSQL rolls a killed client's transaction back
    itself): SIGKILL while SQLite writes the working copy leaves a hot ``-journal``; the next
    transaction's fresh copy must not inherit it ("database disk image is malformed")."""
    shutil.copyfile(gpkg_template.url, tmp_path / "store.gpkg")
    loaded = open_store(str(tmp_path / "store.gpkg"))
    settings = Settings(store=loaded.url, archive_dir=tmp_path / "archive")
    script = tmp_path / "journal.py"
    script.write_text(
        textwrap.dedent("""
        import os, signal, sqlite3, sys
        from villagecov.storage import open_store
        store = open_store(sys.argv[1])
        with store.transaction() as tx:
            con = sqlite3.connect(tx.path)
            con.execute("PRAGMA cache_size = 1")  # spill to the file: the journal becomes hot
            con.execute("BEGIN")
            con.execute("DELETE FROM admin_units")
            con.execute("UPDATE gpkg_contents SET description = 'half-written'")
            os.kill(os.getpid(), signal.SIGKILL)
    """),
        encoding="utf-8",
    )
    before = loaded.digest()
    proc = subprocess.run([sys.executable, str(script), loaded.url], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    journal = Path(loaded.url + ".writing.gpkg-journal")
    assert journal.exists() and journal.stat().st_size > 0
    assert loaded.digest() == before
    path = _drive_csv(files / "do_kiem.csv", 20)
    report = ingest_file(settings, loaded, "measurements", path, IngestOptions(**OPTIONS))
    assert report.accepted == {"measurements": 20} and not journal.exists()
    assert loaded.count("admin_units") > 0


def test_doctor_repair_clears_stale_working_files(loaded: Store, settings: Settings) -> None:
    from villagecov.cli import app

    if loaded.kind == "geopackage":
        for suffix in (".writing.gpkg", ".writing.gpkg-journal"):
            Path(loaded.url + suffix).write_bytes(b"stale")
    r = CliRunner().invoke(app, ["doctor", "--repair"], env={"VILLAGECOV_STORE": loaded.url})
    assert r.exit_code == 0, r.output
    if loaded.kind == "geopackage":
        assert "removed stale working file" in r.output and "integrity check: ok" in r.output
        assert not Path(loaded.url + ".writing.gpkg").exists()
    else:
        assert "nothing to repair" in r.output
