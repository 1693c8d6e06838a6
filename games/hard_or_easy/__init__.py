"""Hard or Easy: the Effort Expenditure for Rewards Task (EEfRT).

Paradigm: Treadway, M. T., Buckholtz, J. W., Schwartzman, A. N., Lambert, W. E. &
Zald, D. H. (2009), "Worth the 'EEfRT'? The effort expenditure for rewards task as an
objective measure of motivation and anhedonia", PLoS ONE 4(8), e6598. ``task.py``
holds the rules, schedule and trial table; ``bot.py`` a simulated player.
"""
