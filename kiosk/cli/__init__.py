"""The ``kiosk`` command.

Exit codes, the same for every subcommand:

- 0: done, and everything checked holds;
- 1: the command ran and found problems (``store check``);
- 2: bad input: a wrong argument, or a store path that is not a usable kiosk store
  (nothing was written to it);
- 3: the environment cannot do it (no display for the window).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.cli.options import add_store_option, add_user_option
from kiosk.cli.signin import SignInRefused

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Behavioural-assessment kiosk. Without a command, opens the station window.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    add_store_option(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="open the station window (the default)")
    add_store_option(run)

    store = commands.add_parser("store", help="look after the local store")
    store_commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = store_commands.add_parser(
        "check",
        help="check SQLite integrity, every session's event chain and the audit log; "
        "exit 1 if anything is wrong",
    )
    add_store_option(check)
    check.add_argument(
        "--trust",
        type=Path,
        metavar="CA.pem",
        help="check signatures against this centre authority (for a copy of a store "
        "checked away from its station)",
    )
    info = store_commands.add_parser("info", help="path, schema version and counts")
    add_store_option(info)

    timing = commands.add_parser(
        "timing-test",
        help="measure timer and frame jitter and input-to-stamp latency on this station",
    )
    add_store_option(timing)
    timing.add_argument("--seconds", type=float, default=2.0, help="frame test length (2)")
    timing.add_argument("--samples", type=int, default=500, help="synthetic inputs (500)")
    timing.add_argument("--json", action="store_true", help="print the result as JSON")

    demo = commands.add_parser(
        "demo", help="simulated candidates through the real screens and games (headless)"
    )
    add_store_option(demo)
    demo.add_argument("--candidates", type=int, default=1, metavar="N", help="how many (1)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (1)")
    demo.add_argument("--battery", default="short", help="short, standard or a file (short)")
    demo.add_argument("--out", type=Path, metavar="DIR", help="write demo.json (and reports)")
    demo.add_argument("--json", action="store_true", help="print a JSON document")
    demo.add_argument(
        "--resume",
        action="store_true",
        help="first continue sessions a killed process left interrupted",
    )
    demo.add_argument(
        "--allow-real-store",
        action="store_true",
        help="run on a store that holds real candidates (needs an admin's --user; "
        "its reports still say DEMO)",
    )
    add_user_option(demo)

    score = commands.add_parser(
        "score", help="score a session from its stored events (again, e.g. with new norms)"
    )
    add_store_option(score)
    score.add_argument("--session", required=True, metavar="ID")
    score.add_argument("--norms", type=Path, metavar="FILE", help="a norm table (JSON)")
    score.add_argument("--no-bootstrap", action="store_true", help="skip confidence intervals")
    score.add_argument("--json", action="store_true", help="print the scores as JSON")
    add_user_option(score)

    verify = commands.add_parser(
        "verify", help="check a signed report: integrity, whole-file coverage and trust"
    )
    add_store_option(verify)
    verify.add_argument("file", type=Path, metavar="FILE.pdf")
    verify.add_argument(
        "--trust",
        type=Path,
        metavar="CA.pem",
        help="trust anchor (default: the store's centre authority)",
    )

    export = commands.add_parser("export", help="signed reports and research data")
    export_commands = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    one = export_commands.add_parser("report", help="one session's signed report")
    add_store_option(one)
    one.add_argument("--session", required=True, metavar="ID")
    one.add_argument("--out", required=True, type=Path, metavar="FILE")
    one.add_argument("--language", choices=["en", "de"], default="en")
    add_user_option(one)
    many = export_commands.add_parser(
        "reports", help="signed reports of completed sessions since a date"
    )
    add_store_option(many)
    many.add_argument("--since", metavar="DATE", help="YYYY-MM-DD (default: all)")
    many.add_argument("--out", required=True, type=Path, metavar="DIR")
    many.add_argument("--language", choices=["en", "de"], default="en")
    add_user_option(many)
    data = export_commands.add_parser(
        "data", help="events, trial tables and scores as CSV with a data dictionary"
    )
    add_store_option(data)
    data.add_argument("--out", required=True, type=Path, metavar="DIR")
    add_user_option(data)

    signing = commands.add_parser("signing", help="the station's signing identity")
    signing_commands = signing.add_subparsers(
        dest="signing_command", metavar="ACTION", required=True
    )
    ca = signing_commands.add_parser(
        "export-ca", help="write the centre authority certificate (PEM) for verifiers"
    )
    add_store_option(ca)
    ca.add_argument("--out", required=True, type=Path, metavar="FILE")
    add_user_option(ca)
    imp = signing_commands.add_parser(
        "import", help="sign with an organisation's PKCS#12 (earlier authorities stay trusted)"
    )
    add_store_option(imp)
    imp.add_argument("p12", type=Path, metavar="FILE.p12")
    add_user_option(imp)

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users_commands.add_parser(
        "add", help="add a user; the first admin of a store needs no sign-in"
    )
    add_store_option(add)
    add.add_argument("username")
    add.add_argument("--role", choices=["admin", "proctor"], default="proctor")
    add.add_argument(
        "--as-admin",
        "--user",
        dest="user",
        metavar="USERNAME",
        help="an existing admin who authorises this (asks for their password)",
    )

    role = users_commands.add_parser("set-role", help="make a user an admin or a proctor")
    add_store_option(role)
    role.add_argument("username")
    role.add_argument("role", choices=["admin", "proctor"])
    add_user_option(role)
    password = users_commands.add_parser(
        "password", help="set a user's password (your own: asks for the current one)"
    )
    add_store_option(password)
    password.add_argument("username")
    add_user_option(password)
    pin = users_commands.add_parser("set-pin", help="set a user's unlock PIN")
    add_store_option(pin)
    pin.add_argument("username")
    add_user_option(pin)

    from kiosk.cli import candidates, console

    candidates.add_parser(commands)

    from kiosk.cli import fit_args

    fit_args.add_parser(commands)
    console.add_parser(commands)
    from kiosk.cli import sync

    sync.add_parser(commands)

    battery = commands.add_parser("battery", help="check battery files")
    battery_commands = battery.add_subparsers(
        dest="battery_command", metavar="ACTION", required=True
    )
    battery_commands.add_parser("list", help="the built-in batteries")
    bcheck = battery_commands.add_parser(
        "check", help="check a battery file (or built-in name); exit 2 if it cannot be used"
    )
    bcheck.add_argument("battery", metavar="FILE_OR_NAME")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from kiosk.paths import resolve_store_path
    from kiosk.store.errors import StoreError

    store_path = resolve_store_path(args.store)
    try:
        if args.command in (None, "run"):
            return _run_window(store_path)
        if args.command == "store" and args.store_command == "check":
            return _store_check(store_path, args)
        if args.command == "store" and args.store_command == "info":
            return _store_info(store_path)
        if args.command == "battery":
            return _battery(args)
        if args.command == "timing-test":
            return _timing_test(store_path, args)
        if args.command == "demo":
            return _demo(store_path, args)
        if args.command == "users":
            if args.users_command == "add":
                return _users_add(store_path, args)
            return _users_change(store_path, args)
        if args.command == "score":
            return _score(store_path, args)
        if args.command == "verify":
            return _verify(store_path, args)
        if args.command == "export":
            return _export(store_path, args)
        if args.command == "signing":
            return _signing(store_path, args)
        if args.command == "candidates":
            return _candidates(store_path, args)
        if args.command == "fit":
            return _fit(store_path, args)
        if args.command == "console":
            from kiosk.cli import console

            return console.run(args)
        if args.command == "sync":
            from kiosk.cli import sync

            return sync.run(store_path, args)
    except StoreError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.exit_code
    except SignInRefused as exc:
        print(f"kiosk: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:
        from kiosk.battery import BatteryError

        if not isinstance(exc, BatteryError):
            raise
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    parser.error(f"unknown command {args.command!r}")
    return EXIT_BAD_INPUT


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _run_window(store_path: os.PathLike[str]) -> int:
    if not _has_display():
        print(
            "kiosk: no display found (DISPLAY and WAYLAND_DISPLAY are not set); start it "
            "from a desktop session, or set QT_QPA_PLATFORM=offscreen to run it without one",
            file=sys.stderr,
        )
        return EXIT_ENVIRONMENT
    from kiosk.shell.app import run_app
    from kiosk.store import open_store
    from kiosk.store.lock import StationLock

    with StationLock(Path(store_path), "run"):
        store = open_store(store_path)
        try:
            if not _unlock_at_start(store):
                return EXIT_BAD_INPUT
            from kiosk.access.auth import SYSTEM
            from kiosk.privacy import purge_due

            purge_due(store, SYSTEM)  # the retention period, if one is set
            return run_app(store)
        finally:
            store.close()


def _unlock_at_start(store: Any) -> bool:
    """Unlock the station key; with the ``prompt`` source, ask an admin for it here."""
    from kiosk.trust.keys import unlock_store
    from kiosk.trust.vault import KeyLocked, key_source, remember_passphrase

    try:
        unlock_store(store)
        return True
    except KeyLocked as exc:
        if key_source() != "prompt":
            print(f"kiosk: {exc}", file=sys.stderr)
            return False
    from kiosk.trust.keys import store_id

    has_key = bool((store.station().settings or {}).get("signing"))
    for _attempt in range(3):
        typed = _ask("station key passphrase: " if has_key else "new station key passphrase: ")
        if not has_key and _ask("again: ") != typed:
            print("kiosk: the two passphrases differ", file=sys.stderr)
            continue
        if len(typed) < 12:
            print("kiosk: a passphrase has at least 12 characters", file=sys.stderr)
            continue
        remember_passphrase(store_id(store), typed.encode())
        try:
            unlock_store(store)
            return True
        except KeyLocked as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
    return False


def _store_check(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.store import open_store
    from kiosk.store.check import check_store
    from kiosk.store.wal import wal_problems
    from kiosk.trust.checking import trust_for

    damaged_wal = wal_problems(Path(store_path)) if Path(store_path).exists() else []
    if damaged_wal:
        print(f"store:    {Path(store_path).resolve()}")
        print("result:   the write-ahead log is damaged; nothing was opened or changed")
        for message in damaged_wal:
            print(f"  wal: {message}")
        print("  keep copies of the store and its -wal file; they hold the only copy of the")
        print("  commits after the damage")
        return EXIT_PROBLEMS
    authority = None
    if args.trust is not None:
        try:
            authority = args.trust.read_bytes()
        except OSError as exc:
            print(f"kiosk: cannot read {args.trust}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    with open_store(store_path, create=False, read_only=True) as store:
        report = check_store(store, trust_for(store, authority))
    print(f"store:    {store.path}")
    print(
        f"checked:  SQLite integrity, {report.sessions_checked} sessions, "
        f"{report.events_checked} events, {report.audit_entries_checked} audit entries, "
        f"{report.units_checked} sealed records"
    )
    print(f"keys:     {report.trust_source}")
    if report.ok:
        print("result:   all holds")
        return EXIT_OK
    count = sum(len(v) for v in report.problems.values())
    print(f"result:   {count} problem{'s' if count != 1 else ''} found")
    for where, messages in report.problems.items():
        for message in messages:
            print(f"  {where}: {message}")
    return EXIT_PROBLEMS


def _store_info(store_path: os.PathLike[str]) -> int:
    from kiosk.store import open_store
    from kiosk.store.info import store_info

    with open_store(store_path, create=False, read_only=True) as store:
        info = store_info(store)
    rows = [
        ("store", info.path),
        ("size", f"{info.size_bytes / 1024:.0f} KiB"),
        ("schema", f"{info.schema} ({'current' if info.schema_current else 'older'})"),
        ("station", info.station),
    ]
    rows += [(name, str(n)) for name, n in info.counts.items()]
    if info.sessions_by_status:
        rows.append(
            (
                "by status",
                ", ".join(f"{k} {v}" for k, v in sorted(info.sessions_by_status.items())),
            )
        )
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        print(f"{key + ':':<{width}} {value}")
    return EXIT_OK


def _battery(args: argparse.Namespace) -> int:
    from kiosk.battery import builtin_names, load_battery

    names = builtin_names() if args.battery_command == "list" else [args.battery]
    for name in names:
        battery = load_battery(name)
        print(f"{battery.name} {battery.version} — {battery.description}")
        print(f"  file: {battery.source}")
        for game in battery.games:
            changed = ", ".join(
                f"{k}={v}" for k, v in game.params.items() if v != _default(game.game_id, k)
            )
            print(f"  {game.position + 1:>2}. {game.display_name:<18} {changed}")
    if args.battery_command == "check":
        print("result: usable")
    return EXIT_OK


def _default(game_id: str, key: str) -> object:
    from games.catalog import TaskGame
    from kiosk.battery import _plain

    return _plain(TaskGame(game_id).default_params()).get(key)


def _timing_test(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    if args.seconds <= 0 or args.samples < 10:
        print("kiosk: --seconds must be > 0 and --samples at least 10", file=sys.stderr)
        return EXIT_BAD_INPUT
    headless = not _has_display()
    if headless:
        # No display: measure what can be measured offscreen, and say so.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from kiosk.shell.app import create_application
    from kiosk.store import open_store
    from kiosk.store.models import TimingTest
    from kiosk.timing_test import format_result, run_timing_test

    with open_store(store_path) as store:
        station = store.station()
        create_application()
        result = run_timing_test(seconds=args.seconds, samples=args.samples)
        with store.writer() as s, s.begin():
            s.add(TimingTest(station_id=station.id, results=result.as_dict()))
    if args.json:
        import json

        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(format_result(result, station.name))
        if headless:
            print("No display: run offscreen, so frames are paced by a timer, not a monitor.")
        print(f"Saved for station {station.name!r} in {store.path}.")
    return EXIT_OK


def _demo(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    if args.candidates < 0 or (args.candidates == 0 and not args.resume):
        print("kiosk: --candidates must be at least 1 (or 0 with --resume)", file=sys.stderr)
        return EXIT_BAD_INPUT
    from kiosk.demo import RealStoreRefused, run_demo

    if args.allow_real_store:
        from kiosk.access import Action
        from kiosk.cli.signin import sign_in
        from kiosk.store import open_store

        with open_store(store_path, create=False) as store:
            sign_in(store, args, Action.STATION_SETTINGS)
    try:
        run_demo(
            Path(store_path),
            candidates=args.candidates,
            seed=args.seed,
            battery_name=args.battery,
            out_dir=args.out,
            as_json=args.json,
            resume=args.resume,
            progress=None if args.json else (lambda text: print(text, file=sys.stderr)),
            allow_real_store=args.allow_real_store,
        )
    except RealStoreRefused as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _ask(prompt: str) -> str:
    from kiosk.cli.signin import ask

    return ask(prompt)


def _users_add(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import Action, auth
    from kiosk.cli.signin import sign_in
    from kiosk.store import open_store
    from kiosk.store.models import Role

    role = Role(args.role)
    with open_store(store_path) as store:
        if getattr(args, "user", None):
            actor = sign_in(store, args, Action.MANAGE_USERS)
        elif role is Role.ADMIN and not auth.has_admin(store):
            actor = auth.SYSTEM
        else:
            print("kiosk: this store already has an admin; pass --user ADMIN", file=sys.stderr)
            return EXIT_BAD_INPUT
        password = _ask(f"new password for {args.username}: ")
        again = _ask("again: ")
        if password != again:
            print("kiosk: the two passwords differ; nothing was changed", file=sys.stderr)
            return EXIT_BAD_INPUT
        pin = _ask("PIN for unlocking candidate mode (4-8 digits): ") or None
        try:
            auth.create_user(store, actor, args.username, password, role, pin=pin)
        except (ValueError, PermissionError) as exc:
            print(f"kiosk: {exc}; nothing was changed", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(f"added {args.username} ({role.value}) to {store.path}")
    return EXIT_OK


def _users_change(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import AuthError, users
    from kiosk.cli.signin import sign_in_any
    from kiosk.store import open_store
    from kiosk.store.models import Role

    with open_store(store_path, create=False) as store:
        actor = sign_in_any(store, args)
        try:
            if args.users_command == "set-role":
                users.set_role(store, actor, args.username, Role(args.role))
                done = f"{args.username} is now {args.role}"
            elif args.users_command == "set-pin":
                users.set_pin(store, actor, args.username, _ask(f"new PIN for {args.username}: "))
                done = f"new PIN set for {args.username}"
            else:
                current = _ask("current password: ") if actor.username == args.username else None
                new = _ask(f"new password for {args.username}: ")
                if _ask("again: ") != new:
                    raise ValueError("the two passwords differ")
                users.set_password(store, actor, args.username, new, current=current)
                done = f"new password set for {args.username}"
        except (ValueError, PermissionError, AuthError) as exc:
            print(f"kiosk: {exc}; nothing was changed", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(done)
    return EXIT_OK


def _score(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    import json

    from kiosk.access import Action
    from kiosk.cli.signin import sign_in
    from kiosk.scoring_service import load_norms_file, score_stored_session
    from kiosk.store import open_store
    from kiosk.store.audit import append_audit

    try:
        norms = load_norms_file(args.norms) if args.norms else None
        with open_store(store_path, create=False) as store:
            actor = sign_in(store, args, Action.SCORE_SESSIONS)
            result = score_stored_session(
                store, args.session, norms, bootstrap=not args.no_bootstrap
            )
            with store.writer() as s, s.begin():
                append_audit(
                    s,
                    actor.username,
                    "session_scored",
                    target=args.session,
                    details={"norms": result.norm_version, "scoring": result.scoring_version},
                )
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return EXIT_OK
    provisional = " (provisional)" if result.norm_provisional else ""
    print(
        f"session {args.session}: scoring {result.scoring_version}, "
        f"norms {result.norm_version}{provisional}"
    )
    for game_id, game in result.games.items():
        primary = game.metrics[game.primary]
        flags = f"  flags: {', '.join(game.flags)}" if game.flags else ""
        value = f"{primary.value:.3g}" if math.isfinite(primary.value) else "not available"
        interval = (
            f"[{primary.ci_low:.3g}, {primary.ci_high:.3g}]"
            if math.isfinite(primary.ci_low) and math.isfinite(primary.ci_high)
            else "(no interval)"
        )
        print(f"  {game_id:<15} {game.primary} = {value} {interval} n={primary.n}{flags}")
    for name, trait in result.traits.traits.items():
        if math.isfinite(trait.percentile):
            interval = (
                f" [{trait.ci_low:.0f}, {trait.ci_high:.0f}]"
                if math.isfinite(trait.ci_low) and math.isfinite(trait.ci_high)
                else " (no interval)"
            )
            shown = f"percentile {trait.percentile:.0f}{interval}"
        else:
            why = ", ".join(trait.flags) or "no percentile"
            shown = f"not reported ({why})"
        print(f"  trait {name:<16} {trait.low_end} <-> {trait.high_end}: {shown}")
    return EXIT_OK


def _verify(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.cli.verify import verify_command

    if not Path(store_path).exists():
        return verify_command(args.file, args.trust, None)
    from kiosk.store import open_store
    from kiosk.trust.evidence import evidence_problems
    from kiosk.trust.keys import centre_certificate_pem

    with open_store(store_path, create=False, read_only=True) as store:
        store_pem = None if args.trust is not None else centre_certificate_pem(store)
        digest = _sha256_of(args.file)

        def against_store(evidence: Mapping[str, Any]) -> list[str]:
            return evidence_problems(store, evidence, digest)

        return verify_command(args.file, args.trust, store_pem, check_evidence=against_store)


def _sha256_of(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _export(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from rich.progress import Progress

    from kiosk.access import Action
    from kiosk.cli.signin import sign_in
    from kiosk.exports import export_data_as, export_report_as, export_reports_as
    from kiosk.scoring_service import default_norms
    from kiosk.store import open_store

    with open_store(store_path, create=False) as store:
        need = Action.EXPORT_DATA if args.export_command == "data" else Action.EXPORT_REPORTS
        actor = sign_in(store, args, need)
        if args.export_command == "data":
            with Progress(transient=True) as bar:
                task = bar.add_task("trial tables", total=None)
                counts = export_data_as(
                    actor,
                    store,
                    args.out,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            for name, n in counts.items():
                print(f"{args.out / name}: {n} rows")
            print(f"{args.out / 'data_dictionary.json'}: every column, its meaning and unit")
            return EXIT_OK
        norms = default_norms()
        if args.export_command == "report":
            try:
                path = export_report_as(
                    actor, store, args.session, norms, args.out, language=args.language
                )
            except ValueError as exc:
                print(f"kiosk: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
            print(f"wrote {path}")
            return EXIT_OK
        since = None
        if args.since:
            try:
                since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                print(
                    f"kiosk: --since {args.since!r} is not a date like 2026-11-28", file=sys.stderr
                )
                return EXIT_BAD_INPUT
        with Progress() as bar:
            task = bar.add_task("signed reports", total=None)
            written, failures = export_reports_as(
                actor,
                store,
                args.out,
                since=since,
                language=args.language,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    print(f"{written} report(s) written to {args.out}")
    for sid, error in failures:
        print(f"kiosk: session {sid} failed: {error}", file=sys.stderr)
    return EXIT_PROBLEMS if failures else EXIT_OK


def _candidates(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import Action
    from kiosk.cli import candidates
    from kiosk.cli.signin import sign_in
    from kiosk.store import open_store

    with open_store(store_path, create=False) as store:
        # Signed in first; each action then checks its own permission (erasing is an
        # admin's, listing a proctor's too).
        actor = sign_in(store, args, Action.VIEW_SESSIONS)
        return candidates.run(args, store, actor)


def _fit(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import Action
    from kiosk.cli import fit
    from kiosk.cli.signin import sign_in
    from kiosk.store import open_store

    with open_store(store_path, create=False) as store:
        actor = sign_in(store, args, Action.MANAGE_FIT_MODELS)
        return fit.run(args, store, actor)


def _signing(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import Action
    from kiosk.cli.signin import sign_in
    from kiosk.store import open_store
    from kiosk.store.audit import append_audit
    from kiosk.trust.keys import centre_certificate_pem, import_identity, station_identity

    with open_store(store_path, create=False) as store:
        actor = sign_in(store, args, Action.STATION_SETTINGS)
        if args.signing_command == "export-ca":
            station_identity(store)  # created on first use
            pem = centre_certificate_pem(store)
            if pem is None:
                print(
                    "kiosk: this machine holds no pinned centre authority for this store; "
                    "export it on the station itself",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            args.out.write_bytes(pem)
            with store.writer() as s, s.begin():
                append_audit(s, actor.username, "authority_exported", target=str(args.out))
            print(f"wrote the centre authorities' certificates to {args.out}")
            return EXIT_OK
        try:
            data = args.p12.read_bytes()
        except OSError as exc:
            print(f"kiosk: {args.p12}: cannot read it ({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            identity = import_identity(
                store, actor.username, data, _ask("PKCS#12 passphrase: ").encode() or None
            )
        except ValueError as exc:
            print(f"kiosk: {args.p12}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(f"reports are now signed as {identity.common_name}")
    return EXIT_OK
