"""The games are listed in three places; the lists must name the same games.

``games.catalog.GAME_IDS`` (the battery), ``scoring.metrics.GAME_IDS`` (the scorers'
registry) and the import-linter contract that keeps games independent of one
another (``pyproject.toml``). A game added to one and not the others shows here, as
does a task that lacks a name of :data:`games.api.TASK_EXPORTS`.
The Qt-free part of ``games.engine`` is listed in its own contract, checked too.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

import scoring.metrics
from games import catalog
from games.api import TASK_EXPORTS

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict[str, Any]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        data = tomllib.load(f)
    contracts: list[dict[str, Any]] = data["tool"]["importlinter"]["contracts"]
    return contracts


def _contract(kind: str, name_part: str) -> dict[str, Any]:
    found = [c for c in _contracts() if c["type"] == kind and name_part in c["name"]]
    assert len(found) == 1, f"one {kind} contract about {name_part!r} expected"
    return found[0]


def test_catalog_and_scoring_registry_name_the_same_games() -> None:
    assert len(set(catalog.GAME_IDS)) == len(catalog.GAME_IDS)
    assert set(scoring.metrics.GAME_IDS) == set(catalog.GAME_IDS)


def test_independence_contract_names_every_catalog_game() -> None:
    modules = _contract("independence", "independent")["modules"]
    assert sorted(modules) == sorted(f"games.{game_id}" for game_id in catalog.GAME_IDS)


def test_every_game_package_is_in_the_catalog() -> None:
    packages = {
        p.parent.name for p in (ROOT / "games").glob("*/task.py") if p.parent.name != "engine"
    }
    assert packages == set(catalog.GAME_IDS)


def test_qt_free_engine_contract_lists_every_qt_free_engine_module() -> None:
    contract = _contract("forbidden", "engine is Qt-free")
    listed = set(contract["source_modules"])
    modules = {"games.engine"} | {
        f"games.engine.{p.stem}"
        for p in (ROOT / "games" / "engine").glob("*.py")
        if p.stem != "__init__"
    }
    assert listed == modules
    assert "games.engine.qt" in contract["forbidden_modules"]


def test_every_game_resolves_to_its_own_view_class() -> None:
    """The shell finds a game's widget by its game id; a task class that names its
    game too (imported into the view module) must not make that ambiguous."""
    from games.catalog import GAME_IDS, TaskGame

    for game_id in GAME_IDS:
        view = TaskGame(game_id).view_class()
        assert view.__module__ == f"games.{game_id}.view", game_id


def test_every_task_defines_and_exports_the_task_contract() -> None:
    for game_id in catalog.GAME_IDS:
        task = importlib.import_module(f"games.{game_id}.task")
        assert set(TASK_EXPORTS) <= set(task.__all__), game_id
        assert all(hasattr(task, name) for name in task.__all__), game_id
