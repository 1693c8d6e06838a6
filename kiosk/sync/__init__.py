"""Sync with the centre server (``server/PROTOCOL.md``): the station's side.

- :mod:`kiosk.sync.settings` — whether and where the station is enrolled (cheap to
  read at start-up);
- :mod:`kiosk.sync.enrolment` — ``enrol`` with a one-time code;
- :mod:`kiosk.sync.outbox` — batches built once in one transaction and kept byte for
  byte until acknowledged, with the cursors where the next one starts;
- :mod:`kiosk.sync.client` — signed requests and what each answer means;
- :mod:`kiosk.sync.commands` — the centre's commands, applied once each through the
  session state machine;
- :mod:`kiosk.sync.live` — the live status a heartbeat carries;
- :mod:`kiosk.sync.service` — :class:`Syncer` (one step at a time) and
  :class:`SyncService` (the background thread the station window runs).

No Qt here: the window, the CLI and tests all use these. The package itself imports
nothing, so a station that is not enrolled never loads the HTTP client.
"""
