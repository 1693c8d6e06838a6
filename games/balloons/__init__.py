"""Balloons: a Balloon Analogue Risk Task.

Modelled on the BART of Lejuez, C. W., Read, J. P., Kahler, C. W., Richards, J. B.,
Ramsey, S. E., Stuart, G. L., Strong, D. R. & Brown, R. A. (2002), "Evaluation of a
behavioral measure of risk taking: the Balloon Analogue Risk Task (BART)", Journal of
Experimental Psychology: Applied 8(2), 75-84. Rules, schedule and trial table are in
:mod:`games.balloons.task`; a simulated player is in :mod:`games.balloons.bot`.
"""
