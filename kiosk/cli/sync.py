"""``kiosk sync ...``: this station and the centre server.

- ``kiosk sync enrol URL CODE [--replace]``: enrol with the server at URL using a
  one-time code from the centre admin (an admin signs in); ``--replace`` enrols anew
  with another server, which then receives the whole history from the start;
- ``kiosk sync status``: enrolled or not, the server's acknowledged batch, batches
  waiting, the last error and whether syncing stopped;
- ``kiosk sync push``: build batches from what committed since the last one and send
  every batch waiting, printing each answer.

Contract: :func:`add_parser` adds ``sync`` to the ``kiosk`` command's subparsers;
:func:`run` performs it on the store path and returns the exit code: 0 done; 1 the
server stopped this station (revoked, or its history diverged); 2 bad input (a bad
address, a malformed or refused code, not enrolled, a refused sign-in); 3 the server
cannot be reached or answers badly (nothing is lost: the batches stay in the outbox
for the next push).
Messages go to stderr in one line that says what was wrong and what to do.
"""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.cli.options import add_store_option

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_HALTED, EXIT_BAD_INPUT, EXIT_UNREACHABLE = 0, 1, 2, 3


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``sync`` and its actions to the ``kiosk`` command's subparsers."""
    parser = commands.add_parser("sync", help="the centre server: enrol, status, push")
    actions = parser.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    enrol = actions.add_parser(
        "enrol", help="enrol this station with a centre server (an admin signs in)"
    )
    add_store_option(enrol, with_user=True)
    enrol.add_argument("url", metavar="URL", help="the server, e.g. https://kiosk.example.org")
    enrol.add_argument("code", metavar="CODE", help="the one-time code from the centre admin")
    enrol.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing enrolment (the new server gets the whole history)",
    )
    status = actions.add_parser("status", help="enrolment, acknowledged and waiting batches")
    add_store_option(status)
    push = actions.add_parser("push", help="build and send waiting batches now")
    add_store_option(push)
    return parser


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return code


def _enrol(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import Action
    from kiosk.cli.signin import sign_in
    from kiosk.store import open_store
    from kiosk.sync.enrolment import CodeRefused, EnrolmentError, check_url, enrol

    try:
        check_url(args.url)  # before anyone types a password
    except ValueError as exc:
        return _fail(str(exc))
    with open_store(store_path, create=False) as store:
        actor = sign_in(store, args, Action.STATION_SETTINGS)
        try:
            settings = enrol(store, actor, args.url, args.code, replace=args.replace)
        except (ValueError, PermissionError) as exc:
            return _fail(f"{exc}; nothing was changed")
        except CodeRefused as exc:
            return _fail(str(exc))
        except EnrolmentError as exc:
            return _fail(str(exc), EXIT_UNREACHABLE)
    print(
        f"enrolled with {settings.url}: centre {settings.centre_name!r}, station "
        f"{settings.station_id}; personal data is "
        f"{'sent' if settings.personal_data else 'kept on this station'}"
    )
    print("the station window syncs while it runs; `kiosk sync push` sends now")
    return EXIT_OK


def _status(store_path: os.PathLike[str]) -> int:
    from kiosk.store import open_store
    from kiosk.sync.service import sync_overview

    with open_store(store_path, create=False, read_only=True) as store:
        overview = sync_overview(store)
    settings, status = overview.settings, overview.outbox
    if settings is None:
        print("enrolled:       no (enrol with `kiosk sync enrol URL CODE`)")
        return EXIT_OK
    rows = [
        ("enrolled", f"yes, with {settings.url}"),
        ("centre", f"{settings.centre_name} ({settings.centre_id})"),
        ("station id", settings.station_id),
        ("personal data", "sent" if settings.personal_data else "kept on this station"),
        ("acked through", f"batch {status.acked_through}"),
        ("built through", f"batch {status.built_through}"),
        ("pending", f"{status.pending} batch(es)"),
        ("last error", status.last_error or "none"),
    ]
    if status.halted:
        rows.append(("STOPPED", f"{status.halted}: {status.halt_message}"))
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        print(f"{key + ':':<{width}}{value}")
    return EXIT_HALTED if status.halted else EXIT_OK


def _push(store_path: os.PathLike[str]) -> int:
    from kiosk.store import open_store
    from kiosk.sync.client import ServerUnavailable, SyncHalted
    from kiosk.sync.enrolment import sync_settings
    from kiosk.sync.outbox import outbox_status, remember_halt
    from kiosk.sync.service import Syncer

    with open_store(store_path, create=False) as store:
        settings = sync_settings(store)
        if settings is None:
            return _fail("this station is not enrolled; run `kiosk sync enrol URL CODE` first")
        halted = outbox_status(store)
        if halted.halted:
            return _fail(
                f"syncing has stopped ({halted.halted}): {halted.halt_message}", EXIT_HALTED
            )
        syncer = Syncer.open(store, settings)
        try:
            for batch in syncer.build():
                print(
                    f"built batch {batch.batch_seq}: {batch.events} events, {batch.audit} "
                    f"audit entries, {batch.records} records ({batch.size / 1024:.0f} KiB)"
                )
            try:
                acked = syncer.send(
                    lambda seq, acked: print(f"sent batch {seq}: acknowledged through {acked}")
                )
            except ServerUnavailable as exc:
                pending = outbox_status(store).pending
                return _fail(
                    f"{exc}; {pending} batch(es) stay in the outbox, nothing is lost: check "
                    f"that {settings.url} is up and reachable, then push again",
                    EXIT_UNREACHABLE,
                )
            except SyncHalted as exc:
                remember_halt(store, exc.reason, str(exc))
                return _fail(str(exc), EXIT_HALTED)
        finally:
            syncer.close()
        pending = outbox_status(store).pending
    print(f"acknowledged through batch {acked}; {pending} batch(es) waiting")
    return EXIT_OK


def run(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    """Perform ``kiosk sync ACTION``; returns the exit code."""
    command = args.sync_command
    if command == "enrol":
        return _enrol(store_path, args)
    if command == "status":
        return _status(store_path)
    if command == "push":
        return _push(store_path)
    return _fail(f"unknown action {command!r} for kiosk sync")
