"""Options every ``kiosk`` command that opens a store shares: ``--store`` and ``--user``."""

from __future__ import annotations

import argparse

__all__ = ["add_store_option", "add_user_option"]


def add_user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="sign in as this admin or proctor; asks for the password (default: $KIOSK_USER)",
    )


def add_store_option(
    parser: argparse.ArgumentParser, *, top_level: bool = False, with_user: bool = False
) -> None:
    """``--store``, accepted before the command (``top_level``) or after it.

    A subcommand's copy defaults to SUPPRESS so that leaving it out does not reset a
    value given before the command. ``with_user`` adds ``--user`` as well.
    """
    parser.add_argument(
        "--store",
        metavar="PATH",
        default=None if top_level else argparse.SUPPRESS,
        help="the store file (default: $KIOSK_STORE, else the user data folder)",
    )
    if with_user:
        add_user_option(parser)
