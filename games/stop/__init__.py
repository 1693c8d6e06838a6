"""Stop: a stop-signal task following the consensus guide of Verbruggen et al. (2019).

Paradigm: Logan & Cowan (1984), "On the ability to inhibit thought and action",
Psychological Review 91, 295-327; implemented after Verbruggen, F. et al. (2019), "A
consensus guide to capturing the ability to inhibit actions and impulsive behaviors
in the stop-signal task", eLife 8:e46323, and the STOP-IT tool (Verbruggen, Logan &
Stevens 2008). ``task.py`` holds the rules, the schedule, the SSD tracking and the
trial table; ``bot.py`` a simulated player (independent race model).
"""
