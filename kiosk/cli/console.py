"""``kiosk console --server URL [--user NAME] [--centre NAME]``: the live centre console.

Opens the proctor desk's window on a centre server: sign in (username, password,
centre), then every station of the centre, live (:mod:`kiosk.shell.centre_console`).

Before any window opens the address is checked and the server is asked for its API
description, so a mistyped address or a server that is not running ends here with a
one-line message: exit 2 for an address that is not an ``http(s)://`` URL, exit 3
when nothing answers there (or there is no display). Once signed in, a server that
goes away is not an exit: the window says "connection lost — reconnecting" and
keeps trying. Cancelling the sign-in exits 1.

Contract: :func:`add_parser` adds the ``console`` command to the ``kiosk`` command's
subparsers; :func:`run` performs it and returns the exit code.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_NOT_SIGNED_IN, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``console`` to the ``kiosk`` command's subparsers."""
    parser = commands.add_parser(
        "console", help="the centre console: every station of a centre, live, from a server"
    )
    parser.add_argument(
        "--server", required=True, metavar="URL", help="the centre server, e.g. http://host:8000"
    )
    parser.add_argument("--user", metavar="NAME", default="", help="who signs in (asked if absent)")
    parser.add_argument("--centre", metavar="NAME", default="", help="the centre's name")
    # Accepted like every kiosk command's, though the console never opens a store.
    parser.add_argument(
        "--store", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from kiosk.centre import CentreApi, CentreError, parse_server_url
    from kiosk.cli import _has_display

    try:
        base_url = parse_server_url(args.server)
    except CentreError as exc:
        print(f"kiosk: --server {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    api = CentreApi(base_url, timeout=5.0)
    try:
        api.check_reachable()
    except CentreError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    finally:
        api.close()
    if not _has_display():
        print(
            "kiosk: no display found (DISPLAY and WAYLAND_DISPLAY are not set); start the "
            "console from a desktop session",
            file=sys.stderr,
        )
        return EXIT_ENVIRONMENT
    from kiosk.shell.centre_console import run_centre_console

    code = run_centre_console(base_url, args.user, args.centre)
    if code == EXIT_NOT_SIGNED_IN:
        print("kiosk: not signed in; the console was not opened", file=sys.stderr)
    return code
