"""Digits: forward and backward digit span.

Modelled on the digit span tasks of the Wechsler scales (Wechsler, D. (1939/2008),
Wechsler Adult Intelligence Scale, Digit Span subtest) and their open version in the
PEBL battery (Mueller, S. T. & Piper, B. J. (2014), "The Psychology Experiment
Building Language (PEBL) and PEBL Test Battery", J. Neurosci. Methods 222, 250-259):
digits shown one per second, two trials per length, a direction stops after two
failures at one length. Rules, adaptive schedule and trial table are in
:mod:`games.digits.task`; a simulated player is in :mod:`games.digits.bot`.
"""
