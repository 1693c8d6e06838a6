"""The battery: the games contract (:mod:`games.api`) and one sub-package per game."""
