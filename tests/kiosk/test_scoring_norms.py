"""Scoring a stored session against norms of its own design, or saying it is another.

A short-battery session is scored against the short battery's table when one is
shipped; scored against the standard table, every game is flagged as of another
design, and metrics below the design's minimum of trials get no stored percentile.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.battery import load_battery
from kiosk.scoring_service import (
    battery_design,
    default_norms,
    norms_for_session,
    score_stored_session,
    session_design,
)
from kiosk.store import open_store
from kiosk.store.models import Score
from tests.helpers import record_simulated_session


def test_design_fingerprints_tell_batteries_apart() -> None:
    standard, short = (
        battery_design(load_battery("standard")),
        battery_design(load_battery("short")),
    )
    assert (standard.battery, short.battery) == ("standard", "short")
    assert set(standard.mismatched_games(short)) == set(short.games)
    assert standard.mismatched_games(standard) == ()
    assert battery_design(load_battery("standard")) == standard  # stable


@pytest.mark.slow
def test_short_session_gets_short_norms_or_other_design_flags(tmp_path: Path) -> None:
    with open_store(tmp_path / "k.db") as store:
        sid = record_simulated_session(store, "short", seed=3)
        design = session_design(store, sid)
        assert design is not None and design.battery == "short"
        own = norms_for_session(store, sid)
        assert own.design is not None and own.design.battery == "short"
        matched = score_stored_session(store, sid, bootstrap=False)
        assert matched.norm_version == own.version
        # Only games whose design changed since the table was built are flagged (none,
        # until a task's design changes and the table is rebuilt).
        changed = set(own.design.mismatched_games(design))
        assert len(changed) < len(design.games)
        flagged_games = {
            f.split(":", 1)[1] for f in matched.flags if f.startswith("norms_other_design:")
        }
        assert flagged_games == changed

        standard = default_norms()
        assert standard.design is not None and standard.design.battery == "standard"
        flagged = score_stored_session(store, sid, standard, bootstrap=False)
        assert "norms_other_design:balloons" in flagged.flags
        assert "norms_other_design" in flagged.games["balloons"].flags
        # Three balloons are below the design minimum: the stored percentile is empty.
        with store.reader() as s:
            row = s.scalars(
                select(Score).where(
                    Score.session_id == sid,
                    Score.name == "balloons.explosions",
                    Score.norm_version == standard.version,
                )
            ).one()
        assert row.percentile is None
        assert row.flags["percentile_withheld"] == "low_data"
