"""One station process per store: an operating-system lock beside the store file.

``kiosk run`` and ``kiosk demo`` play sessions and, at start-up, treat every session
that looks live as left behind by a process that died. That is only true when no
other process is playing from the same store, so each of them first takes
:class:`StationLock`: an exclusive, non-blocking lock (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) on ``<store>.lock``. The operating system releases it
when the process ends, however it ends (a SIGKILL included), so a crash never leaves
a stale lock behind. The file holds the owner's pid and start time, to name it in
the refusal.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from kiosk.store.database import make_private_folders
from kiosk.store.errors import StoreError

__all__ = ["StationLock", "StoreInUse", "lock_path"]


class StoreInUse(StoreError):
    """Another station process holds the store."""


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


class StationLock:
    """Hold the store for this process; refuse with :class:`StoreInUse` if taken."""

    def __init__(self, store_path: Path, purpose: str = "kiosk") -> None:
        self.path = lock_path(Path(store_path))
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> StationLock:
        try:
            make_private_folders(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"{self.path.parent}: cannot write the store's lock file {self.path.name} "
                f"({exc.strerror or exc}); choose a folder this user can write to"
            ) from None
        try:
            _lock(fd)
        except OSError:
            owner = _read_owner(fd)
            os.close(fd)
            raise StoreInUse(
                f"{self.path.with_suffix('')} is in use by another kiosk process{owner}; "
                "one station process plays from a store at a time: close the other one "
                "(or use another --store) and try again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.purpose} {int(time.time())}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
                _unlock(fd)
            finally:
                os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> StationLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_owner(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", "replace").split()
    except OSError:
        return ""
    if len(text) >= 2 and text[0].isdigit():
        return f" (pid {text[0]}, kiosk {text[1]})"
    return ""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows stations only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
