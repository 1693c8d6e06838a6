"""A completed session's outcome: scores, then the signed report — one pipeline.

:mod:`kiosk.outcome.pipeline` is Qt-free and used by the shell, the exports and the
CLI; :mod:`kiosk.outcome.queue` runs it for the shell off the GUI thread. Nothing is
imported here, so the shell can start without loading scoring and signing.
"""
