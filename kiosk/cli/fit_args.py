"""The ``kiosk fit`` command's arguments (:mod:`kiosk.cli.fit` performs it).

Apart from :mod:`kiosk.cli.fit` because every ``kiosk`` command builds the whole
parser: this module imports no model library (scikit-learn), so that stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli.options import add_store_option

__all__ = ["add_parser"]


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"a threshold lies strictly between 0 and 1, not {text}")
    return value


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``fit`` and its actions to the ``kiosk`` command's subparsers."""
    parser = commands.add_parser(
        "fit", help="role-fit models: import labels, train, audit, approve, activate, score"
    )
    actions = parser.add_subparsers(dest="fit_command", metavar="ACTION", required=True)

    imported = actions.add_parser(
        "import-incumbents", help="a role's labels from CSV `pseudonym,label` (1 incumbent)"
    )
    add_store_option(imported, with_user=True)
    imported.add_argument("role", metavar="ROLE")
    imported.add_argument("file", type=Path, metavar="FILE")

    train = actions.add_parser("train", help="fit, audit and de-bias a draft version")
    add_store_option(train, with_user=True)
    train.add_argument("role", metavar="ROLE")
    train.add_argument(
        "--baseline",
        choices=("station", "norms"),
        default="station",
        help="label 0: the station's other candidates (default) or a sample from the norms",
    )
    train.add_argument(
        "--features",
        choices=("traits", "all"),
        default="traits",
        help="the nine traits (default) or traits and game metrics",
    )
    train.add_argument(
        "--attribute",
        action="append",
        metavar="NAME",
        help="a self-reported attribute to audit (repeatable; default: gender)",
    )
    train.add_argument(
        "--threshold",
        type=_threshold,
        metavar="P",
        help="a fixed pass probability (default: pass the incumbents' share)",
    )
    train.add_argument("--seed", type=int, default=0, help="cross-validation folds' seed (0)")

    for name, text in (("history", "a role's versions with their figures and de-biasing steps"),):
        listing = actions.add_parser(name, help=text)
        add_store_option(listing, with_user=True)
        listing.add_argument("role", metavar="ROLE")
    for name, text in (
        ("approve", "approve a draft whose adverse-impact audit passed"),
        ("activate", "make an approved version its role's active one"),
        ("retire", "stop using a version"),
        ("shadow", "compare a version with its role's active one on this station's candidates"),
    ):
        change = actions.add_parser(name, help=text)
        add_store_option(change, with_user=True)
        change.add_argument("version", metavar="VERSION")
    score = actions.add_parser("score", help="a session's fit for every active role model")
    add_store_option(score, with_user=True)
    score.add_argument("session", metavar="SESSION")
    return parser
