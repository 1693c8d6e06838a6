"""Cards: an Iowa Gambling Task.

Modelled on Bechara, A., Damasio, A. R., Damasio, H. & Anderson, S. W. (1994),
"Insensitivity to future consequences following damage to human prefrontal cortex",
Cognition 50(1-3), 7-15. Rules, deck schedule and trial table are in
:mod:`games.cards.task`; a simulated player is in :mod:`games.cards.bot`.
"""
