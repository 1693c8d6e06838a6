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
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import __version__

__all__ = ["main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3


def _store_option(parser: argparse.ArgumentParser, top_level: bool = False) -> None:
    # Accepted before or after the command; a subcommand's copy must not reset the
    # top-level value to None, hence SUPPRESS there.
    parser.add_argument(
        "--store",
        metavar="PATH",
        default=None if top_level else argparse.SUPPRESS,
        help="the store file (default: $KIOSK_STORE, else the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Behavioural-assessment kiosk. Without a command, opens the station window.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    _store_option(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="open the station window (the default)")
    _store_option(run)

    store = commands.add_parser("store", help="look after the local store")
    store_commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = store_commands.add_parser(
        "check",
        help="check SQLite integrity, every session's event chain and the audit log; "
        "exit 1 if anything is wrong",
    )
    _store_option(check)
    info = store_commands.add_parser("info", help="path, schema version and counts")
    _store_option(info)

    timing = commands.add_parser(
        "timing-test",
        help="measure timer and frame jitter and input-to-stamp latency on this station",
    )
    _store_option(timing)
    timing.add_argument("--seconds", type=float, default=2.0, help="frame test length (2)")
    timing.add_argument("--samples", type=int, default=500, help="synthetic inputs (500)")
    timing.add_argument("--json", action="store_true", help="print the result as JSON")

    demo = commands.add_parser(
        "demo", help="simulated candidates through the real screens and games (headless)"
    )
    _store_option(demo)
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

    score = commands.add_parser(
        "score", help="score a session from its stored events (again, e.g. with new norms)"
    )
    _store_option(score)
    score.add_argument("--session", required=True, metavar="ID")
    score.add_argument("--norms", type=Path, metavar="FILE", help="a norm table (JSON)")
    score.add_argument("--no-bootstrap", action="store_true", help="skip confidence intervals")
    score.add_argument("--json", action="store_true", help="print the scores as JSON")

    verify = commands.add_parser(
        "verify", help="check a signed report: integrity, whole-file coverage and trust"
    )
    _store_option(verify)
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
    _store_option(one)
    one.add_argument("--session", required=True, metavar="ID")
    one.add_argument("--out", required=True, type=Path, metavar="FILE")
    one.add_argument("--language", choices=["en", "de"], default="en")
    many = export_commands.add_parser(
        "reports", help="signed reports of completed sessions since a date"
    )
    _store_option(many)
    many.add_argument("--since", metavar="DATE", help="YYYY-MM-DD (default: all)")
    many.add_argument("--out", required=True, type=Path, metavar="DIR")
    many.add_argument("--language", choices=["en", "de"], default="en")
    data = export_commands.add_parser(
        "data", help="events, trial tables and scores as CSV with a data dictionary"
    )
    _store_option(data)
    data.add_argument("--out", required=True, type=Path, metavar="DIR")

    signing = commands.add_parser("signing", help="the station's signing identity")
    signing_commands = signing.add_subparsers(
        dest="signing_command", metavar="ACTION", required=True
    )
    ca = signing_commands.add_parser(
        "export-ca", help="write the centre authority certificate (PEM) for verifiers"
    )
    _store_option(ca)
    ca.add_argument("--out", required=True, type=Path, metavar="FILE")
    imp = signing_commands.add_parser("import", help="sign with an organisation's PKCS#12")
    _store_option(imp)
    imp.add_argument("p12", type=Path, metavar="FILE.p12")

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users_commands.add_parser(
        "add", help="add a user; the first admin of a store needs no sign-in"
    )
    _store_option(add)
    add.add_argument("username")
    add.add_argument("--role", choices=["admin", "proctor"], default="proctor")
    add.add_argument(
        "--as-admin",
        metavar="USERNAME",
        help="an existing admin who authorises this (asks for their password)",
    )

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
            return _store_check(store_path)
        if args.command == "store" and args.store_command == "info":
            return _store_info(store_path)
        if args.command == "battery":
            return _battery(args)
        if args.command == "timing-test":
            return _timing_test(store_path, args)
        if args.command == "demo":
            return _demo(store_path, args)
        if args.command == "users":
            return _users_add(store_path, args)
        if args.command == "score":
            return _score(store_path, args)
        if args.command == "verify":
            return _verify(store_path, args)
        if args.command == "export":
            return _export(store_path, args)
        if args.command == "signing":
            return _signing(store_path, args)
    except StoreError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.exit_code
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
            return run_app(store)
        finally:
            store.close()


def _store_check(store_path: os.PathLike[str]) -> int:
    from kiosk.store import open_store
    from kiosk.store.check import check_store

    with open_store(store_path, create=False) as store:
        report = check_store(store)
    print(f"store:    {store.path}")
    print(
        f"checked:  SQLite integrity, {report.sessions_checked} sessions, "
        f"{report.events_checked} events, {report.audit_entries_checked} audit entries"
    )
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

    with open_store(store_path, create=False) as store:
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
    from kiosk.demo import run_demo

    run_demo(
        Path(store_path),
        candidates=args.candidates,
        seed=args.seed,
        battery_name=args.battery,
        out_dir=args.out,
        as_json=args.json,
        resume=args.resume,
        progress=None if args.json else (lambda text: print(text, file=sys.stderr)),
    )
    return EXIT_OK


def _ask(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def _users_add(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.access import auth
    from kiosk.store import open_store
    from kiosk.store.models import Role

    role = Role(args.role)
    with open_store(store_path) as store:
        if args.as_admin:
            actor = auth.authenticate(store, args.as_admin, _ask(f"password of {args.as_admin}: "))
        elif role is Role.ADMIN and not auth.has_admin(store):
            actor = auth.SYSTEM
        else:
            print(
                "kiosk: this store already has an admin; pass --as-admin USERNAME", file=sys.stderr
            )
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


def _score(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    import json

    from kiosk.scoring_service import load_norms_file, score_stored_session
    from kiosk.store import open_store

    try:
        norms = load_norms_file(args.norms) if args.norms else None
        with open_store(store_path, create=False) as store:
            result = score_stored_session(
                store, args.session, norms, bootstrap=not args.no_bootstrap
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
        print(
            f"  {game_id:<15} {game.primary} = {primary.value:.3g} "
            f"[{primary.ci_low:.3g}, {primary.ci_high:.3g}] n={primary.n}{flags}"
        )
    for name, trait in result.traits.traits.items():
        print(
            f"  trait {name:<16} {trait.low_end} <-> {trait.high_end}: "
            f"percentile {trait.percentile:.0f} [{trait.ci_low:.0f}, {trait.ci_high:.0f}]"
        )
    return EXIT_OK


def _verify(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.cli.verify import verify_command

    store_pem = None
    if args.trust is None:
        from kiosk.signing_identity import centre_certificate_pem
        from kiosk.store import open_store

        if Path(store_path).exists():
            with open_store(store_path, create=False) as store:
                store_pem = centre_certificate_pem(store)
    return verify_command(args.file, args.trust, store_pem)


def _export(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from rich.progress import Progress

    from kiosk.exports import export_data, export_reports
    from kiosk.report_service import write_report
    from kiosk.scoring_service import default_norms, score_stored_session
    from kiosk.store import open_store

    with open_store(store_path, create=False) as store:
        if args.export_command == "data":
            with Progress(transient=True) as bar:
                task = bar.add_task("trial tables", total=None)
                counts = export_data(
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
                scores = score_stored_session(store, args.session, norms)
                path = write_report(
                    store, args.session, scores, norms, args.out, language=args.language
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
            written, failures = export_reports(
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


def _signing(store_path: os.PathLike[str], args: argparse.Namespace) -> int:
    from kiosk.signing_identity import centre_certificate_pem, import_identity, station_identity
    from kiosk.store import open_store

    with open_store(store_path, create=False) as store:
        if args.signing_command == "export-ca":
            station_identity(store)  # created on first use
            pem = centre_certificate_pem(store)
            assert pem is not None
            args.out.write_bytes(pem)
            print(f"wrote the centre authority certificate to {args.out}")
            return EXIT_OK
        try:
            data = args.p12.read_bytes()
        except OSError as exc:
            print(f"kiosk: {args.p12}: cannot read it ({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            identity = import_identity(
                store, "cli", data, _ask("PKCS#12 passphrase: ").encode() or None
            )
        except ValueError as exc:
            print(f"kiosk: {args.p12}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    print(f"reports are now signed as {identity.common_name}")
    return EXIT_OK
