"""Money Exchange 2: ultimatum and dictator games.

Modelled on the ultimatum game of Güth, W., Schmittberger, R. & Schwarze, B. (1982),
"An experimental analysis of ultimatum bargaining", Journal of Economic Behavior &
Organization 3(4), 367-388, and the dictator game of Forsythe, R., Horowitz, J. L.,
Savin, N. E. & Sefton, M. (1994), "Fairness in simple bargaining experiments", Games
and Economic Behavior 6(3), 347-369. The candidate proposes splits, accepts or rejects
offers, and divides a pot with no veto, against a simulated partner. Rules, partner
policy and trial table are in :mod:`games.exchange_split.task`; a simulated player is
in :mod:`games.exchange_split.bot`.
"""
