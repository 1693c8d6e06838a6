"""Helpers that several games share (games never import each other).

This ``__init__`` imports only Qt-free modules, so ``import games.engine`` stays
headless for bots, scoring and simulations; a Qt-side helper module is imported by
its full path where a view needs it.

- :mod:`games.engine.diffusion`: a Wiener diffusion sampler for the simulated players
  of the two-choice reaction-time games (``arrows``, ``lengths``, ``stop``).
- :mod:`games.engine.gate`: the continue gate, deciding which inputs may advance a
  continue screen (a game's instructions, messages and end screen, the kiosk's break
  between games); Qt-free, imported by its full path.
"""

from games.engine.diffusion import sample_diffusion, sample_diffusion_batch

__all__ = ["sample_diffusion", "sample_diffusion_batch"]
