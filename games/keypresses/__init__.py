"""Keypresses: a finger tapping test (Halstead-Reitan battery).

Paradigm: the Finger Tapping (Finger Oscillation) Test of the Halstead-Reitan
Neuropsychological Test Battery (Halstead 1947; Reitan & Wolfson 1985): tap as fast as
possible with the index finger for 10-s trials, alternating hands. ``task.py`` holds
the rules, schedule and trial table; ``bot.py`` a simulated player.
"""
