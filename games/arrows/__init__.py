"""Arrows: a flanker task (Eriksen & Eriksen 1974) with cued task switching.

Paradigms: Eriksen, B. A. & Eriksen, C. W. (1974), "Effects of noise letters upon the
identification of a target letter in a nonsearch task", Perception & Psychophysics
16(1), 143-149; Rogers, R. D. & Monsell, S. (1995), "Costs of a predictable switch
between simple cognitive tasks", J. Exp. Psychol. Gen. 124(2), 207-231 (cued
switching as in Meiran 1996). ``task.py`` holds the rules, schedule and trial table;
``bot.py`` a simulated player.
"""
