"""A station process for the sync fault tests: records sessions while its sync thread runs.

Usage: python -m tests.server.sync_station STORE URL SESSIONS SEED MAX_EVENTS

The store is enrolled already; ``URL`` replaces the enrolled address (the fault proxy).
The sync thread opens one connection per request and backs off briefly (base 0.05 s,
cap 1 s, so a test is not spent waiting), beats every 2 s and builds batches of at
most ``MAX_EVENTS`` events. The process records simulated sessions through the real
recorder until the store holds ``SESSIONS`` completed ones, printing ``SESSION <n>``
after each, so a restarted process carries on where the last one stopped. Then it
builds whatever is left and waits for the server to acknowledge every batch, and
prints ``DONE <acked_through> <built_through>``.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time

from sqlalchemy import func, select

# Everything recording imports, Qt included (for kiosk.shell.battery_host's seeds),
# is imported before the sync thread starts: importing PySide6 while another thread
# runs has aborted this process.
import games.catalog  # noqa: F401
import kiosk.battery
import kiosk.recorder
import kiosk.sessions.lifecycle
import kiosk.shell.battery_host  # noqa: F401
from kiosk.store import open_store
from kiosk.store.models import AssessmentSession, SessionStatus
from kiosk.sync.enrolment import sync_settings
from kiosk.sync.outbox import build_batch, outbox_status
from kiosk.sync.service import SyncService
from tests.helpers import record_simulated_session

DEADLINE_S = 420.0


def main() -> None:
    store_path, url, sessions, seed, max_events = sys.argv[1:6]
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    store = open_store(store_path, create=False)
    enrolled = sync_settings(store)
    assert enrolled is not None, "the store is not enrolled"
    settings = dataclasses.replace(enrolled, url=url)
    service = SyncService(
        store,
        settings,
        keepalive=False,
        timeout_s=15.0,
        heartbeat_s=2.0,
        backoff_base_s=0.05,
        backoff_cap_s=1.0,
        build_interval_s=0.05,
        max_events=int(max_events),
    )
    service.start()
    print("READY", flush=True)
    while True:
        with store.reader() as s:
            done = (
                s.scalar(
                    select(func.count())
                    .select_from(AssessmentSession)
                    .where(AssessmentSession.status == SessionStatus.COMPLETED.value)
                )
                or 0
            )
        if done >= int(sessions):
            break
        record_simulated_session(store, "short", seed=int(seed) * 100 + done)
        print(f"SESSION {done + 1}", flush=True)
    # Anything committed after the thread's last build goes into batches now.
    while (
        build_batch(
            store,
            settings.station_id,
            personal_data=settings.personal_data,
            max_events=int(max_events),
        )
        is not None
    ):
        service.wake()
    deadline = time.monotonic() + DEADLINE_S
    while True:
        status = outbox_status(store)
        if status.halted:
            print(f"HALTED {status.halted}: {status.halt_message}", flush=True)
            sys.exit(1)
        if status.pending == 0 and status.acked_through == status.built_through:
            break
        if time.monotonic() > deadline:
            print(f"STUCK {status}", flush=True)
            sys.exit(1)
        service.wake()
        time.sleep(0.05)
    service.stop()
    print(f"DONE {status.acked_through} {status.built_through}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
