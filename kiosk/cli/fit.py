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

Contract: :func:`kiosk.cli.fit_args.add_parser` adds the ``fit`` command to the ``kiosk``
command's subparsers (without loading the model library); :func:`run` performs it
with a store the caller opened and an admin :class:`~kiosk.access.auth.Actor` the
caller signed in, prints what was done and
returns the exit code: 0 done; 1 the command ran but the result is not usable (the
trained model's audit did not pass); 2 bad input (a file that cannot be imported,
an unknown role or version, a state change that is not allowed, a role that may not
do this), with a message on stderr.
"""

from __future__ import annotations

import argparse
import math
import sys

from kiosk import fit_models
from kiosk.access.auth import Actor
from kiosk.access.permissions import PermissionDenied
from kiosk.store import Store
from scoring.fit import AttributeAudit

__all__ = ["run"]

EXIT_OK, EXIT_NOT_USABLE, EXIT_BAD_INPUT = 0, 1, 2


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
    versions = fit_models.history(store, actor, args.role)
    if not versions:
        print(f"no model versions for {args.role.strip()}")
        return EXIT_OK
    for stored in versions:
        _print_version(stored)
    return EXIT_OK


def _shadow(store: Store, actor: Actor, args: argparse.Namespace) -> int:
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
