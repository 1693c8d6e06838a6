"""Colours every game uses: the Okabe–Ito set, distinguishable with colour-blindness.

Meaning is never carried by colour alone: shapes, positions or words carry it too.
"""

BACKGROUND = "#f4f6f8"
INK = "#1d232b"
MUTED = "#5b6673"
ACCENT = "#0072b2"  # blue
ACCENT_SOFT = "#d6e6f3"
ORANGE = "#e69f00"
SKY = "#56b4e9"
GREEN = "#009e73"  # bluish green
YELLOW = "#f0e442"
VERMILLION = "#d55e00"
PURPLE = "#cc79a7"
WHITE = "#ffffff"
