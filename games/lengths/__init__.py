"""Lengths: a Probabilistic Reward Task (Pizzagalli, Jahn & O'Shea 2005).

Paradigm: Pizzagalli, D. A., Jahn, A. L. & O'Shea, J. P. (2005), "Toward an objective
characterization of an anhedonic phenotype: a signal-detection approach", Biological
Psychiatry 57(4), 319-327 (after Tripp & Alsop 1999). ``task.py`` holds the rules,
the controlled reinforcement schedule and the trial table; ``bot.py`` a simulated
player.
"""
