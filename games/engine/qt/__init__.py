"""The Qt half of the game engine: widgets, frame-stamped canvas, input stamping, bot driver.

- :mod:`games.engine.qt.view`: the shared game view (:class:`GameView`) and its flow.
- :mod:`games.engine.qt.timed`: the frame-paced view of the timed games.
- :mod:`games.engine.qt.amount`: the view of the games that ask for an amount.
- :mod:`games.engine.qt.canvas`: the raster and GL canvases that stamp presented frames.
- :mod:`games.engine.qt.timing`: the input stamper and frame statistics.
- :mod:`games.engine.qt.driver`: plays a view with a simulated player through real inputs.

Everything else in :mod:`games.engine` is Qt-free.
"""
