"""Pure scoring: numpy/scipy functions that take arrays and return frozen dataclasses.

Nothing here imports Qt, SQLAlchemy or touches files, so exported data can be
rescored without the kiosk.  The shared primitives, one module each:

* :mod:`scoring.sdt` – d′ and criterion with the log-linear correction (Hautus 1995)
* :mod:`scoring.ddm` – EZ-diffusion (Wagenmakers et al. 2007) and a diffusion simulator
* :mod:`scoring.ssrt` – stop-signal RT, integration method (Verbruggen et al. 2019)
* :mod:`scoring.prt` – response bias and discriminability (Pizzagalli et al. 2005)
* :mod:`scoring.reliability` – Spearman–Brown, permutation split-half, bootstrap CIs
* :mod:`scoring.bart` – adjusted average pumps (Lejuez et al. 2002)
* :mod:`scoring.igt` – Iowa Gambling Task net scores (Bechara et al. 1994)
* :mod:`scoring.tol` – Tower of London state space and minimum moves (Shallice 1982)

On top of them (each module's docstring is its contract):

* :mod:`scoring.metrics` – one module per game: ``score(table) -> GameScores``
* :mod:`scoring.traits` – the nine traits: the composite table and their scoring
* :mod:`scoring.norms` – versioned norm tables: JSON in and out, choosing a table
* :mod:`scoring.norm_building` – building a norm table from scored sessions
* :mod:`scoring.session` – ``score_session(tables, norms)``: games, traits, versions

Every function is total over degenerate data: it returns NaN and names the
problem in ``flags`` instead of raising; only arguments of the wrong type or
shape raise ``TypeError``/``ValueError``.
"""

from scoring import (
    bart,
    ddm,
    igt,
    metrics,
    norm_building,
    norms,
    prt,
    reliability,
    sdt,
    session,
    ssrt,
    tol,
    traits,
)

__all__ = [
    "bart",
    "ddm",
    "igt",
    "metrics",
    "norm_building",
    "norms",
    "prt",
    "reliability",
    "sdt",
    "session",
    "ssrt",
    "tol",
    "traits",
]
