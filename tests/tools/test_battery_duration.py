"""``tools.battery_duration``: playing time measured on simulated candidates."""

from __future__ import annotations

import pytest

from tools.battery_duration import main, measure


@pytest.mark.slow
def test_short_battery_is_minutes_and_standard_arrows_is_longer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = measure("short", candidates=2)
    assert [row.game_id for row in short][:2] == ["balloons", "exchange_trust"]
    assert len(short) == 13
    assert all(0.0 < row.low_min <= row.mean_min <= row.high_min for row in short)
    assert sum(row.mean_min for row in short) < 6.0
    # 128 arrows trials of cue (0.5 s), blank (0.5 s) and a response: over 3 minutes.
    standard_arrows = [r for r in measure("standard", candidates=1) if r.game_id == "arrows"]
    assert standard_arrows[0].mean_min > 3.0
    assert main(["--battery", "short", "--candidates", "1"]) == 0
    assert "min of play" in capsys.readouterr().out
