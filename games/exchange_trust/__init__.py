"""Money Exchange 1: the trust game, played in both roles.

Modelled on Berg, J., Dickhaut, J. & McCabe, K. (1995), "Trust, reciprocity, and
social history", Games and Economic Behavior 10(1), 122-142: an investor sends part of
an endowment, the amount is tripled, and the trustee decides how much to return. The
candidate plays both roles against a simulated partner. Rules, partner policy and
trial table are in :mod:`games.exchange_trust.task`; a simulated player is in
:mod:`games.exchange_trust.bot`.
"""
