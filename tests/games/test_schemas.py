"""Each game declares its parameters (``params.toml``) and trial table (``table.toml``) as data.

The declarations are read by :mod:`games.engine.params` and :mod:`games.engine.trial`;
these tests check that every game ships both files (as package data of the wheel and
the bundle), that each column's description names its type, and that a declaration
that cannot work fails when it is read.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pytest

from games.api import ConfigError, EventRecord
from games.catalog import GAME_IDS
from games.engine.params import Param, ParamSchema
from games.engine.trial import Column, TableSchema
from tests.games.test_game_lists_agree import ROOT

_TYPE_WORDS = {"i": "int", "f": "float", "b": "bool", "U": "str"}


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_columns_are_declared_with_a_description_naming_their_type(game_id: str) -> None:
    task = importlib.import_module(f"games.{game_id}.task")
    table = TableSchema.load(game_id)
    assert dict(task.COLUMNS) == dict(table.descriptions)
    for column in table.columns:
        brackets = re.findall(r"\(([^()]*)\)\s*$", column.description)
        word = _TYPE_WORDS[np.dtype(column.dtype).kind]
        assert brackets and re.search(rf"\b{word}\b", brackets[-1]), column


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_parameters_are_declared_in_params_toml(game_id: str) -> None:
    task = importlib.import_module(f"games.{game_id}.task")
    with (ROOT / "games" / game_id / "params.toml").open("rb") as f:
        declared = tomllib.load(f)
    assert list(task.DEFAULT_PARAMS) == list(declared)
    assert task.validate_params({}) == task.validate_params(dict(task.DEFAULT_PARAMS))


def test_the_schemas_are_package_data_of_the_wheel_and_the_bundle() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["games"]
    files = sorted((ROOT / "games").glob("*/*.toml"))
    assert len(files) == 2 * len(GAME_IDS)
    for path in files:
        relative = PurePosixPath(path.relative_to(ROOT / "games").as_posix())
        assert any(relative.match(pattern) for pattern in patterns), relative
    spec = (ROOT / "packaging" / "kiosk.spec").read_text(encoding="utf-8")
    assert 'collect_data_files("games")' in spec


def _schema(*params: Param) -> ParamSchema:
    return ParamSchema("demo", params)


def test_param_schema_checks_each_declared_kind_with_the_shared_messages() -> None:
    schema = _schema(
        Param("n", 3, "int", (1, 5)),
        Param("p", 0.5, "number", (0.0, 1.0)),
        Param("mode", "a", "choice", choices=("a", "b")),
        Param("key", "f", "key"),
        Param("order", ("x", "y"), "order"),
    )
    assert schema.validate({"p": 1}) == {
        "n": 3,
        "p": 1.0,
        "mode": "a",
        "key": "f",
        "order": ("x", "y"),
    }
    assert isinstance(schema.validate({"p": 1})["p"], float)
    assert schema.validate({"order": ["y", "x"]})["order"] == ("y", "x")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"n": 6}, "parameter 'n' must be an integer in 1..5, got 6"),
        ({"p": "x"}, "parameter 'p' must be a number, got 'x'"),
        ({"mode": "c"}, "parameter 'mode' must be one of a, b, got 'c'"),
        ({"key": ""}, "parameter 'key' must be a non-empty key name"),
        ({"order": ["x"]}, "parameter 'order' must be a list holding 'x' and 'y' once each"),
        ({"other": 1}, "unknown parameter 'other'; allowed keys: key, mode, n, order, p"),
    ]
    for params, message in cases:
        with pytest.raises(ConfigError, match=re.escape(f"demo: {message}")):
            schema.validate(params)


@pytest.mark.parametrize(
    "param",
    [
        Param("n", 3, "integer", (1, 5)),  # unknown check
        Param("n", 3, "int"),  # a range missing
        Param("n", 3, range=(1, 5)),  # a range without a check
        Param("mode", "c", "choice", choices=("a", "b")),  # default not a choice
    ],
)
def test_a_declaration_that_cannot_work_fails_when_read(param: Param) -> None:
    with pytest.raises(ValueError, match="demo: parameter"):
        _schema(param)


def _event(seq: int, kind: str, payload: dict[str, Any]) -> EventRecord:
    return EventRecord(seq, seq * 1000, kind, 4, payload)


def test_table_builder_takes_sourced_columns_from_the_trial_and_converts_them() -> None:
    schema = TableSchema(
        [
            Column("trial_index", np.int64, "index (int)", "index"),
            Column("block", np.int64, "block (int)", "design"),
            Column("won", np.bool_, "won (bool)", "outcome"),
            Column("rt_ms", np.float64, "rt (ms, float)"),
        ]
    )
    trial = [_event(1, "trial_start", {"block": 2.0}), _event(2, "trial_end", {"won": 1})]
    table = schema.builder()
    table.add_trial(trial, rt_ms=12.5)
    columns = table.columns()
    assert {name: values.tolist() for name, values in columns.items()} == {
        "trial_index": [4],
        "block": [2],
        "won": [True],
        "rt_ms": [12.5],
    }
    with pytest.raises(KeyError, match="taken from the events"):
        table.add_trial(trial, rt_ms=1.0, block=3)
    with pytest.raises(KeyError, match="missing"):
        table.add_trial(trial)
    with pytest.raises(ValueError, match="unknown source"):
        TableSchema([Column("x", np.int64, "x (int)", "elsewhere")])
