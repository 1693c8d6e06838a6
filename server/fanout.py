"""Station-status fan-out: tell every console connection which station changed.

Writers call :meth:`Fanout.notify` inside the transaction that changed a station;
subscribers get the station id once that transaction commits and re-read the row.

- :class:`PostgresFanout`: PostgreSQL ``LISTEN/NOTIFY`` on channel
  ``kiosk_station_status`` (``pg_notify`` in the writer's transaction, delivered by
  PostgreSQL at commit to every API process listening).
- :class:`InProcessFanout`: one process (SQLite): the writer's session publishes at
  commit to this process's subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

__all__ = ["CHANNEL", "Fanout", "InProcessFanout", "PostgresFanout", "fanout_for"]

CHANNEL = "kiosk_station_status"
log = logging.getLogger("server.fanout")


class Fanout:
    """Subscribers' queues on the event loop the app runs on."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        # How many changes have been announced to subscribers so far: a read of the
        # database begun when this was n sees every change among the first n.
        self.announced = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._queues.discard(queue)

    def _deliver(self, station_id: str) -> None:
        self.announced += 1
        for queue in list(self._queues):
            queue.put_nowait(station_id)

    def notify(self, session: Session, station_id: str) -> None:
        """Announce, at the commit of ``session``'s transaction, that a station changed."""
        raise NotImplementedError


class InProcessFanout(Fanout):
    def notify(self, session: Session, station_id: str) -> None:
        pending: set[str] | None = session.info.get("kiosk_fanout")
        if pending is None:
            pending = session.info["kiosk_fanout"] = set()
            event.listen(session, "after_commit", self._committed, once=True)
            event.listen(session, "after_rollback", self._rolled_back, once=True)
        pending.add(station_id)

    def _committed(self, session: Session) -> None:
        pending = session.info.pop("kiosk_fanout", set())
        self._forget(session, "after_rollback", self._rolled_back)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for station_id in pending:
            loop.call_soon_threadsafe(self._deliver, station_id)

    def _rolled_back(self, session: Session) -> None:
        session.info.pop("kiosk_fanout", None)
        self._forget(session, "after_commit", self._committed)

    @staticmethod
    def _forget(session: Session, name: str, listener: Any) -> None:
        if event.contains(session, name, listener):
            event.remove(session, name, listener)


class PostgresFanout(Fanout):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self._conninfo = (
            make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        self._task: asyncio.Task[None] | None = None
        self._tried = asyncio.Event()

    def notify(self, session: Session, station_id: str) -> None:
        session.execute(select(func.pg_notify(CHANNEL, station_id)))

    async def start(self) -> None:
        await super().start()
        self._tried = asyncio.Event()
        self._task = asyncio.create_task(self._listen(), name="kiosk-fanout-listen")
        # Once listening, changes made after start() returns reach subscribers. When
        # the database is down the server starts anyway (``/ready`` says so) and the
        # listener keeps trying.
        await self._tried.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await super().stop()

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                conn: Any = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._tried.set()
                    delay = 0.5
                    async for notification in conn.notifies():
                        self._deliver(notification.payload)
            except psycopg.Error as exc:
                log.warning("station-status listener lost its connection: %s", exc)
                self._tried.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


def fanout_for(database_url: str) -> Fanout:
    backend = make_url(database_url).get_backend_name()
    return PostgresFanout(database_url) if backend == "postgresql" else InProcessFanout()
