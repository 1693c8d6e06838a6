"""Towers: a Tower of London.

Modelled on Shallice, T. (1982), "Specific impairments of planning", Philosophical
Transactions of the Royal Society of London B 298(1089), 199-209: three coloured
balls on three pegs holding 3, 2 and 1 balls, rearranged to match a goal in as few
moves as possible. The attempt-based scoring (3/2/1/0 points by the attempt of first
success) follows Krikorian, R., Bartok, J. & Gay, N. (1994), "Tower of London
procedure: a standard method and developmental data", J. Clin. Exp. Neuropsychol.
16(6), 840-850. Every candidate plays the same twelve problems, Shallice's, from one
start position (2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5 minimum moves), as listed in the
PEBL Tower of London test (Mueller 2011). Rules, problems and trial table are in
:mod:`games.towers.task`; a simulated player is in :mod:`games.towers.bot`.
"""
