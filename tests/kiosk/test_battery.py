"""Battery files: the built-in ones load; a bad one is refused naming file, key, allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from games.catalog import GAME_IDS
from kiosk.battery import BatteryError, load_battery


@pytest.mark.parametrize("name", ["standard", "short"])
def test_builtin_batteries_hold_every_game(name: str) -> None:
    battery = load_battery(name)
    assert [g.game_id for g in battery.games] == list(GAME_IDS)
    assert battery.name == name and len(battery.sha256) == 64
    assert battery.definition()["games"][0]["id"] == "balloons"


def test_standard_battery_follows_the_science() -> None:
    games = {g.game_id: g.params for g in load_battery("standard").games}
    stop = games["stop"]
    assert stop["n_blocks"] * stop["trials_per_block"] * stop["p_stop"] >= 50
    assert games["cards"]["n_picks"] == 100 and games["cards"]["loan"] == 2000
    assert games["stop"]["ssd_start_ms"] == 200 and games["stop"]["ssd_step_ms"] == 50


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text('[battery]\nname = "mine"\nversion = "1"\n' + text)
    return path


BAD = {
    "unknown game": (
        '[[games]]\nid = "ballons"\n',
        ["games[0].id = 'ballons' is not a game", "allowed: balloons, exchange_trust"],
    ),
    "unknown parameter": (
        '[[games]]\nid = "balloons"\nparams = { n_baloons = 3 }\n',
        ["games[0] (balloons).params", "n_baloons"],
    ),
    "bad value": (
        '[[games]]\nid = "stop"\nparams = { p_stop = 2.0 }\n',
        ["games[0] (stop).params", "p_stop"],
    ),
    "unknown key in a game": (
        '[[games]]\nid = "cards"\nparms = {}\n',
        ["games[0].parms is not a known key; allowed: id, params"],
    ),
    "no games": ("", ["no [[games]] entries"]),
    "syntax": ("[[games]\n", ["not valid TOML"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_battery_is_refused_with_file_key_and_allowed(tmp_path: Path, case: str) -> None:
    text, expected = BAD[case]
    path = write(tmp_path, text)
    with pytest.raises(BatteryError) as excinfo:
        load_battery(path)
    message = str(excinfo.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


@pytest.mark.slow
def test_cli_checks_a_battery(tmp_path: Path) -> None:
    path = write(tmp_path, '[[games]]\nid = "balloons"\nparams = { n_balloons = -1 }\n')
    run = [sys.executable, "-m", "kiosk", "battery", "check"]
    bad = subprocess.run([*run, str(path)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "n_balloons" in bad.stderr and str(path) in bad.stderr
    good = subprocess.run([*run, "short"], capture_output=True, text=True, timeout=60)
    assert good.returncode == 0 and "result: usable" in good.stdout
    assert "Towers" in good.stdout
