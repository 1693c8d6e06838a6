"""Reversal: probabilistic reversal learning.

Modelled on Cools, Clark, Owen & Robbins (2002), J. Neurosci. 22, 4563-4567, with the
readouts of Waltmann, Schlagenhauf & Deserno (2022), Behav. Res. Methods 54,
2993-3014. Rules, reward schedule and trial table are in :mod:`games.reversal.task`;
a simulated player is in :mod:`games.reversal.bot`.
"""
