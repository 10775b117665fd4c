"""Settings split by concern (villagecov.settings): each tunable belongs to exactly one concern, the
environment names stay flat, each concern reads alone, and a function that takes a concern uses
only that concern's fields (checked on the code, since the edge passes the whole Settings)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from villagecov import settings as S

ROOT = Path(__file__).resolve().parents[2]
CONCERNS = [S.StoreSettings, S.UploadSettings, S.ThresholdSettings, S.ComputeSettings, S.PlanningSettings,
            S.ReportSettings, S.ApiSettings, S.TileSettings]


def test_every_field_belongs_to_exactly_one_concern() -> None:
    seen: dict[str, str] = {}
    for concern in CONCERNS:
        for name in concern.model_fields:
            assert name not in seen, f"{name} is in {seen.get(name)} and {concern.__name__}"
            seen[name] = concern.__name__
    assert set(seen) == set(S.Settings.model_fields)
    assert all(issubclass(S.Settings, c) for c in CONCERNS)


def test_the_environment_names_stay_flat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VILLAGECOV_TILE_MAX_FEATURES", "123")
    monkeypatch.setenv("VILLAGECOV_PLAN_COST_NEW_TOWER_VND", "7")
    monkeypatch.setenv("VILLAGECOV_THRESHOLD_DBM_4G", "-100")
    assert S.TileSettings().tile_max_features == S.Settings().tile_max_features == 123
    assert S.PlanningSettings().plan_cost_new_tower_vnd == S.Settings().plan_cost_new_tower_vnd == 7
    assert S.ThresholdSettings().threshold_dbm("4G") == S.Settings().threshold_dbm("4G") == -100
    assert not hasattr(S.TileSettings(), "plan_cost_new_tower_vnd")


def _members(concern: type) -> set[str]:
    return set(concern.model_fields) | {n for n in vars(concern) if not n.startswith("_")}


def concern_misuses(source: str) -> list[str]:
    """Functions whose parameter is annotated with a concern but that read another concern's field."""
    by_name = {c.__name__: _members(c) for c in CONCERNS}
    out = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for arg in fn.args.args + fn.args.kwonlyargs:
            concern = ast.unparse(arg.annotation) if arg.annotation is not None else ""
            if concern not in by_name:
                continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id == arg.arg and node.attr not in by_name[concern]
                        and node.attr not in ("model_copy", "model_dump")):
                    out.append(f"{fn.name}({arg.arg}: {concern}) reads .{node.attr} (line {node.lineno})")
    return out


def test_functions_taking_a_concern_use_only_its_fields() -> None:
    bad = []
    for folder in ("coverage/villagecov", "api", "maps"):
        for path in (ROOT / folder).rglob("*.py"):
            bad += [f"{path.relative_to(ROOT)}: {m}" for m in concern_misuses(path.read_text(encoding="utf-8"))]
    assert not bad, bad
    narrowed = sum(source.count(f": {c.__name__}") for folder in ("coverage/villagecov", "api")
                   for source in (p.read_text(encoding="utf-8") for p in (ROOT / folder).rglob("*.py"))
                   for c in CONCERNS)
    assert narrowed >= 20, "the modules take the narrowest concern they need"


def test_the_checker_sees_a_misuse() -> None:
    source = "def f(settings: TileSettings) -> int:\n    return settings.plan_opex_years\n"
    assert concern_misuses(source) == ["f(settings: TileSettings) reads .plan_opex_years (line 2)"]
