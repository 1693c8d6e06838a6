"""The version of the scoring rules, in a module of its own that depends on nothing, so
every part of scoring (metrics, norm tables, session scoring) names it from one place.

:data:`SCORING_VERSION` is recorded with every scored session and every norm table.
Bump it when a metric's definition changes, so that scores from different rules are
never mixed (a table built under other rules is refused by
:func:`scoring.session.score_session`).
"""

from __future__ import annotations

__all__ = ["SCORING_VERSION"]

SCORING_VERSION = "1.1.0"
