"""Background work for the GUI: database and disk work runs on one worker thread.

``runner.run(task, success, failure)`` runs ``task()`` off the GUI thread and calls
``success(result)`` or ``failure(exception)`` back on the GUI thread, through a
queued Qt signal. The GUI never waits on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

__all__ = ["BackgroundRunner"]

T = TypeVar("T")


class BackgroundRunner(QObject):
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-db")
        self._finished.connect(self._deliver)
        self._pending = 0

    def run(
        self,
        task: Callable[[], T],
        success: Callable[[T], object],
        failure: Callable[[BaseException], object],
    ) -> None:
        self._pending += 1
        future = self._pool.submit(task)
        future.add_done_callback(lambda f: self._finished.emit((f, success, failure)))

    @property
    def pending(self) -> int:
        return self._pending

    def _deliver(
        self, item: tuple[Future[Any], Callable[[Any], None], Callable[..., None]]
    ) -> None:
        future, success, failure = item
        self._pending -= 1
        exc = future.exception()
        if exc is None:
            success(future.result())
        else:
            failure(exc)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
