"""``kiosk fit ...``: role-fit models, trained, audited and approved on the station.

- ``kiosk fit import-incumbents ROLE FILE``: the role's labels from a CSV file with
  the header ``pseudonym,label`` (1 incumbent, 0 baseline person); replaces the
  role's earlier import;
- ``kiosk fit train ROLE [--baseline station|norms] [--features traits|all]
  [--attribute NAME ...] [--threshold P]``: fit, cross-validate, audit and de-bias;
  stores a draft version and prints its figures and de-biasing steps;
- ``kiosk fit history ROLE``: the role's versions, their state, figures and steps;
- ``kiosk fit approve VERSION`` / ``activate VERSION`` / ``retire VERSION``;
- ``kiosk fit shadow VERSION``: the version against its role's active one on the
  station's candidates: agreement, Cohen's kappa, rank correlation, both audits;
- ``kiosk fit score SESSION``: the session's fit for every role with an active version.

VERSION is a version's id or 8+ characters of its content hash.

Contract: :func:`add_parser` adds the ``fit`` command to the ``kiosk`` command's
subparsers; :func:`run` performs it with a store the caller opened and an admin
:class:`~kiosk.access.auth.Actor` the caller signed in, prints what was done and
returns the exit code: 0 done; 1 the command ran but the result is not usable (the
trained model's audit did not pass); 2 bad input (a file that cannot be imported,
an unknown role or version, a state change that is not allowed, a role that may not
do this), with a message on stderr.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli.signin import add_user_option

if TYPE_CHECKING:  # the model library (scikit-learn) loads only when a fit command runs,
    # so building the kiosk command's parser stays fast for every other command
    from kiosk import fit_models
    from kiosk.access.auth import Actor
    from kiosk.store import Store
    from scoring.fit import AttributeAudit

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_NOT_USABLE, EXIT_BAD_INPUT = 0, 1, 2


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the store file (default: $KIOSK_STORE, else the user data folder)",
    )
    add_user_option(parser)


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
    _store_option(imported)
    imported.add_argument("role", metavar="ROLE")
    imported.add_argument("file", type=Path, metavar="FILE")

    train = actions.add_parser("train", help="fit, audit and de-bias a draft version")
    _store_option(train)
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
        _store_option(listing)
        listing.add_argument("role", metavar="ROLE")
    for name, text in (
        ("approve", "approve a draft whose adverse-impact audit passed"),
        ("activate", "make an approved version its role's active one"),
        ("retire", "stop using a version"),
        ("shadow", "compare a version with its role's active one on this station's candidates"),
    ):
        change = actions.add_parser(name, help=text)
        _store_option(change)
        change.add_argument("version", metavar="VERSION")
    score = actions.add_parser("score", help="a session's fit for every active role model")
    _store_option(score)
    score.add_argument("session", metavar="SESSION")
    return parser


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _figure(value: object) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{float(value):.3f}"  # type: ignore[arg-type]


def _audit_line(audit: AttributeAudit) -> str:
    a = audit.audit
    rates = ", ".join(f"{g} {a.n_pass[g]}/{a.n_total[g]}" for g in a.groups if a.n_total[g] > 0)
    rules = ", ".join(a.failed_rules) or "none"
    return (
        f"{audit.attribute}: {a.verdict}; impact ratio {_figure(a.impact_ratio)}; "
        f"passed {rates}; failed rules: {rules}"
    )


def _print_version(stored: fit_models.StoredVersion) -> None:
    record = stored.version.record
    cv, model = record["cv"], record["model"]
    approved = f", approved by {stored.approved_by}" if stored.approved_by else ""
    print(
        f"version {stored.id} ({stored.short}) of {stored.version.role}: {stored.status}"
        f"{approved}; trained by {stored.created_by} at {record['created_at']}"
    )
    print(
        f"  AUC {_figure(cv['auc'])} (95% CI {_figure(cv['auc_ci_low'])}–"
        f"{_figure(cv['auc_ci_high'])}, DeLong, {cv['folds']}-fold out-of-fold); "
        f"{cv['n_incumbents']} incumbents of {cv['n']} ({record['baseline']} baseline); "
        f"threshold {_figure(model['threshold'])} ({model['threshold_rule']})"
    )
    weights = sorted(
        zip(model["feature_names"], model["coefficients"], strict=True),
        key=lambda item: -abs(item[1]),
    )
    print("  weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in weights))
    left_out = record["extra"].get("labelled_without_scores")
    if left_out:
        print(f"  {left_out} labelled people have no scored, completed session: left out")
    audit = record["audit"]
    print(f"  audit: {audit['verdict']}")
    for attribute, figures in audit["attributes"].items():
        rules = ", ".join(figures["failed_rules"]) or "none"
        print(
            f"    {attribute}: {figures['verdict']}; impact ratio "
            f"{_figure(figures['impact_ratio'])}; failed rules: {rules}"
        )
        for note in figures["notes"]:
            print(f"      {note}")
    steps = record["debiasing"]["steps"]
    if steps:
        print(f"  de-biasing ({record['debiasing']['status']}):")
        for i, step in enumerate(steps, start=1):
            failed = "; ".join(
                f"{a}: {', '.join(r) or 'none'}" for a, r in step["failed_rules"].items()
            )
            removed = f"; removed {step['removed']}" if step["removed"] else ""
            print(
                f"    step {i}: {len(step['features'])} features, AUC {_figure(step['auc'])}, "
                f"impact ratio {_figure(step['impact_ratio'])}, {step['verdict']} "
                f"(failed rules: {failed}){removed}"
            )


def _import(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from kiosk import fit_models

    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return _fail(f"{args.file}: cannot read it ({exc.strerror or exc})")
    except UnicodeDecodeError:
        return _fail(f"{args.file}: not UTF-8 text; save it as CSV (UTF-8)")
    try:
        result = fit_models.import_incumbents(store, actor, args.role, text)
    except fit_models.IncumbentsFileError as exc:
        return _fail(f"{args.file}: {exc}; nothing was imported")
    print(
        f"imported {result.incumbents} incumbents and {result.baseline} baseline people "
        f"for {result.role}" + (f" (replacing {result.replaced})" if result.replaced else "")
    )
    return EXIT_OK


def _train(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from kiosk import fit_models

    stored = fit_models.train(
        store,
        actor,
        args.role,
        baseline=args.baseline,
        features=args.features,
        attributes=tuple(args.attribute or fit_models.DEFAULT_ATTRIBUTES),
        threshold=args.threshold,
        seed=args.seed,
    )
    _print_version(stored)
    if stored.version.audit_verdict != "pass":
        print(
            f"kiosk: version {stored.id} cannot be approved: its audit is "
            f"{stored.version.audit_verdict}",
            file=sys.stderr,
        )
        return EXIT_NOT_USABLE
    print(f"next: `kiosk fit approve {stored.id}`, then `kiosk fit activate {stored.id}`")
    return EXIT_OK


def _history(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from kiosk import fit_models

    versions = fit_models.history(store, actor, args.role)
    if not versions:
        print(f"no model versions for {args.role.strip()}")
        return EXIT_OK
    for stored in versions:
        _print_version(stored)
    return EXIT_OK


def _shadow(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from kiosk import fit_models

    candidate, active, comparison = fit_models.shadow(store, actor, args.version)
    if active is None or comparison is None:
        print(f"no version of {candidate.version.role} is active; nothing to compare with")
        return EXIT_OK
    c = comparison
    print(
        f"version {candidate.id} ({candidate.short}) against the active version {active.id} "
        f"({active.short}) on {c.n} candidates:"
    )
    print(
        f"  pass rates {_figure(c.pass_rate_b)} (new) and {_figure(c.pass_rate_a)} (active); "
        f"agreement {_figure(c.agreement)}; Cohen's kappa {_figure(c.kappa)}; "
        f"Spearman {_figure(c.spearman)}"
    )
    for title, audits in (("active", c.audits_a), ("new", c.audits_b)):
        for audit in audits:
            print(f"  {title} {_audit_line(audit)}")
    return EXIT_OK


def _score(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    from kiosk import fit_models

    scores = fit_models.score_session(store, actor, args.session)
    if not scores:
        print("no role has an active model; nothing scored")
        return EXIT_OK
    for item in scores:
        imputed = f" (imputed: {', '.join(item.score.imputed)})" if item.score.imputed else ""
        print(
            f"{item.role}: probability {item.score.probability:.3f}, "
            f"{'pass' if item.score.passes else 'fail'} (version {item.version[:12]}){imputed}"
        )
    return EXIT_OK


def run(args: argparse.Namespace, store: Store, actor: Actor) -> int:
    """Perform ``kiosk fit ACTION`` as ``actor``; returns the exit code."""
    from kiosk import fit_models
    from kiosk.access.permissions import PermissionDenied

    command = args.fit_command
    try:
        if command == "import-incumbents":
            return _import(store, actor, args)
        if command == "train":
            return _train(store, actor, args)
        if command == "history":
            return _history(store, actor, args)
        if command in ("approve", "activate", "retire"):
            change = {
                "approve": fit_models.approve,
                "activate": fit_models.activate,
                "retire": fit_models.retire,
            }[command]
            stored = change(store, actor, args.version)
            print(f"version {stored.id} ({stored.short}) of {stored.version.role}: {stored.status}")
            return EXIT_OK
        if command == "shadow":
            return _shadow(store, actor, args)
        if command == "score":
            return _score(store, actor, args)
        return _fail(f"unknown action {command!r} for kiosk fit")
    except PermissionDenied as exc:
        return _fail(f"{exc} (sign in as an admin)")
    except ValueError as exc:
        return _fail(str(exc))
