"""Split halves evaluated together give what each half gives alone.

:class:`scoring.metrics._engine.Halves` puts two halves of equal width into one
two-row sample, so each statistic runs once for both.  That is only right if every
statistic of every game works row by row (as it must on bootstrap resamples): here
each game's metrics are scored on simulated sessions both ways and must agree.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import SCORERS, _engine
from tools.build_provisional_norms import simulate_tables


def _separately(self: _engine.Halves, first: np.ndarray, second: np.ndarray) -> None:
    self._pair = None
    self._samples = _engine.Sample(first[np.newaxis, :]), _engine.Sample(second[np.newaxis, :])


@pytest.mark.parametrize("game", sorted(SCORERS))
def test_halves_in_one_sample_equal_halves_one_by_one(
    game: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = [simulate_tables(candidate, seed=29, games=[game])[game] for candidate in range(6)]
    together = [SCORERS[game](table, bootstrap=False) for table in tables]
    monkeypatch.setattr(_engine.Halves, "__init__", _separately)
    alone = [SCORERS[game](table, bootstrap=False) for table in tables]
    compared = 0
    for joint, single in zip(together, alone, strict=True):
        assert joint.metrics.keys() == single.metrics.keys()
        for name, metric in joint.metrics.items():
            for a, b in zip(metric.split_half, single.metrics[name].split_half, strict=True):
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(
                    b, rel=1e-12, abs=1e-12
                ), (game, name)
                compared += math.isfinite(a)
    assert compared > 0, f"{game}: no split half was computed"


def test_halves_of_equal_width_share_one_sample() -> None:
    equal = _engine.Halves(np.array([0, 2]), np.array([1, 3]))
    unequal = _engine.Halves(np.array([0, 2]), np.array([1]))
    calls: list[int] = []

    def statistic(sample: _engine.Sample) -> np.ndarray:
        calls.append(sample.replicates)
        return sample.indices.sum(axis=1).astype(np.float64)

    assert equal.values(statistic) == (2.0, 4.0)
    assert calls == [2]
    assert unequal.values(statistic) == (2.0, 1.0)
    assert calls == [2, 1, 1]
