"""Faces: facial emotion recognition with Ekman's basic emotions at graded intensities.

Paradigm: forced-choice labelling of the six basic emotions plus neutral (Ekman &
Friesen 1976, "Pictures of Facial Affect"; Ekman 1992, "An argument for basic
emotions", Cognition & Emotion 6, 169-200), with expressions morphed from neutral in
graded steps as in the Emotion Recognition Task (Montagne et al. 2007, Perceptual
and Motor Skills 104, 589-598). Faces are drawn procedurally (schematic faces), so
intensity is a parameter of the drawing. ``task.py`` holds the rules, schedule and
trial table; ``bot.py`` a simulated player.
"""
