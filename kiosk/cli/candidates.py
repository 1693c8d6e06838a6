"""``kiosk candidates ...``: candidates' personal data, kept no longer than it should be.

- ``kiosk candidates list``: every candidate's pseudonym, whether personal data is
  held, how many sessions and the last activity (never the personal values);
- ``kiosk candidates erase PSEUDONYM [--reason TEXT]``: erase one candidate's personal
  data from the store, its write-ahead log and its migration backups;
- ``kiosk candidates purge [--older-than DAYS]``: erase the personal data of everyone
  inactive for longer than DAYS (default: the station's retention period);
- ``kiosk candidates retention [DAYS|off]``: show or set that period.

Contract: :func:`add_parser` adds the ``candidates`` command to the ``kiosk`` command's
subparsers; :func:`run` performs it with a store the caller opened and an
:class:`~kiosk.access.auth.Actor` the caller signed in (this module does no sign-in),
prints what was done and returns the exit code: 0 done; 1 personal data was erased but
a copy may remain (the WAL was busy, or a backup could not be scrubbed; the message says
what to do); 2 bad input (an unknown pseudonym, no retention period, a role that may not
do this), with a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.access.auth import Actor
from kiosk.access.permissions import PermissionDenied
from kiosk.cli.options import add_store_option
from kiosk.privacy import (
    ErasureResult,
    candidates_on_record,
    erase_personal,
    purge_expired_report,
    retention_days,
    set_retention_days,
)
from kiosk.store import Store

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_COPIES_LEFT, EXIT_BAD_INPUT = 0, 1, 2


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"a number of days is 1 or more, not {days}")
    return days


OFF = "off"


def _days_or_off(text: str) -> int | str:
    return OFF if text.strip().lower() == OFF else _days(text)


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``candidates`` and its actions to the ``kiosk`` command's subparsers."""
    parser = commands.add_parser(
        "candidates", help="candidates' personal data: list, erase, purge, retention period"
    )
    actions = parser.add_subparsers(dest="candidates_command", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list", help="pseudonyms, whether personal data is held, sessions, last activity"
    )
    add_store_option(listing, with_user=True)

    erase = actions.add_parser(
        "erase",
        help="erase one candidate's personal data (sessions, events and scores stay)",
    )
    add_store_option(erase, with_user=True)
    erase.add_argument("pseudonym", metavar="PSEUDONYM")
    erase.add_argument(
        "--reason",
        default="request",
        metavar="TEXT",
        help="why, for the audit log; never the person's details (default: request)",
    )

    purge = actions.add_parser(
        "purge", help="erase the personal data of candidates inactive for longer than DAYS"
    )
    add_store_option(purge, with_user=True)
    purge.add_argument(
        "--older-than",
        type=_days,
        metavar="DAYS",
        help="default: the station's retention period (kiosk candidates retention)",
    )

    retention = actions.add_parser(
        "retention", help="show, or set, how many days personal data is kept ('off': until erased)"
    )
    add_store_option(retention, with_user=True)
    retention.add_argument("days", nargs="?", type=_days_or_off, metavar="DAYS|off")
    return parser


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _report(result: ErasureResult, redo: str) -> int:
    """Print how thoroughly the erased data is gone; 1 if a copy may remain."""
    if result.vacuumed is None:
        return EXIT_OK
    if result.complete:
        print("store: rebuilt and its write-ahead log truncated; no copy of the erased data left")
    for backup in result.backups:
        if backup.problem is None:
            print(f"backup {backup.path.name}: scrubbed ({backup.rows_erased} removed)")
    if result.complete:
        return EXIT_OK
    if not result.vacuumed:
        print(
            "kiosk: the store could not be rebuilt (another program is writing to it); "
            f"old copies may remain in it: run `{redo}` again when the station is idle",
            file=sys.stderr,
        )
    elif not result.wal_truncated:
        print(
            "kiosk: the write-ahead log could not be truncated (a station is reading the "
            f"store); old copies may remain in it: run `{redo}` again when the station is idle",
            file=sys.stderr,
        )
    for backup in result.backup_problems:
        print(
            f"kiosk: backup {backup.path} still holds personal data: {backup.problem}; "
            "fix it and run this again, or delete the backup",
            file=sys.stderr,
        )
    return EXIT_COPIES_LEFT


def _list(store: Store, actor: Actor) -> int:
    records = candidates_on_record(store, actor)
    if not records:
        print(f"no candidates in {store.path}")
        return EXIT_OK
    width = max(len("PSEUDONYM"), *(len(r.pseudonym) for r in records))
    print(f"{'PSEUDONYM':<{width}}  PERSONAL DATA  SESSIONS  LAST ACTIVITY (UTC)")
    for r in records:
        held = "held" if r.has_personal_data else "-"
        print(
            f"{r.pseudonym:<{width}}  {held:<13}  {r.sessions:>8}  {r.last_activity:%Y-%m-%d %H:%M}"
        )
    return EXIT_OK


def _erase(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    result = erase_personal(store, actor, args.pseudonym, reason=args.reason)
    pseudonym = args.pseudonym.strip()
    if result.erased:
        print(
            f"erased the personal data of {pseudonym} (reason: {args.reason}); "
            "sessions, events and scores kept"
        )
    else:
        print(f"{pseudonym} holds no personal data any more; scrubbed the store again")
    return _report(result, f"kiosk candidates erase {pseudonym}")


def _purge(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    days = args.older_than if args.older_than is not None else retention_days(store)
    if days is None:
        return _fail(
            "no retention period: pass --older-than DAYS, or set one with "
            "`kiosk candidates retention DAYS`"
        )
    result = purge_expired_report(store, actor, older_than_days=days)
    if not result.erased:
        print(f"nobody's personal data is older than {days} days; nothing erased")
        return EXIT_OK
    print(f"erased the personal data of {len(result.erased)} candidates inactive for {days}+ days:")
    for pseudonym in result.erased:
        print(f"  {pseudonym}")
    return _report(result, f"kiosk candidates purge --older-than {days}")


def _retention(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    if args.days is not None:
        set_retention_days(store, actor, None if args.days == OFF else args.days)
    days = retention_days(store)
    if days is None:
        print("personal data is kept until erased (no retention period)")
    else:
        print(
            f"personal data is erased {days} days after a candidate's last activity "
            "(when the station starts, or with `kiosk candidates purge`)"
        )
    return EXIT_OK


def run(args: argparse.Namespace, store: Store, actor: Actor) -> int:
    """Perform ``kiosk candidates ACTION`` as ``actor``; returns the exit code."""
    command = args.candidates_command
    try:
        if command == "list":
            return _list(store, actor)
        if command == "erase":
            return _erase(store, actor, args)
        if command == "purge":
            return _purge(store, actor, args)
        if command == "retention":
            return _retention(store, actor, args)
        return _fail(f"unknown action {command!r} for kiosk candidates")
    except PermissionDenied as exc:
        return _fail(f"{exc} (sign in as an admin)")
    except ValueError as exc:
        return _fail(str(exc))
