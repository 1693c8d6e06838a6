"""``kiosk-server``: run the centre server and administer it from a shell.

    kiosk-server run [--host H] [--port P] [--database-url URL]
    kiosk-server migrate
    kiosk-server centre add NAME [--personal-data]
    kiosk-server user add --centre C --role admin|proctor NAME   (password: stdin or prompt)
    kiosk-server enrol-code --centre C
    kiosk-server station revoke ID

The database is ``--database-url``, else ``KIOSK_SERVER_DATABASE_URL``, else a SQLite
file in the user data folder. Exit codes: 0 done, 1 refused (with why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from server import accounts
from server.db import default_database_url, make_engine, make_sessionmaker, upgrade
from server.db.models import Station
from server.errors import ApiError

__all__ = ["main"]

ACTOR = "cli"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-server", description="The kiosk centre server.")
    parser.add_argument(
        "--database-url",
        help="postgresql://USER@HOST/DB or sqlite:///PATH (default: KIOSK_SERVER_DATABASE_URL, "
        "else a SQLite file in the user data folder)",
    )
    # Accepted after the command too (`kiosk-server run --database-url URL`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    class _Commands:
        def add_parser(self, name: str, **kwargs: str) -> argparse.ArgumentParser:
            return subparsers.add_parser(name, parents=[common], **kwargs)  # type: ignore[arg-type]

    commands = _Commands()
    run = commands.add_parser("run", help="serve (migrates the database first)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)

    commands.add_parser("migrate", help="bring the database schema up to date")

    centre = commands.add_parser("centre", help="centres").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    centre_add = centre.add_parser("add", help="create a centre")
    centre_add.add_argument("name")
    centre_add.add_argument(
        "--personal-data",
        action="store_true",
        help="stations of this centre send candidates' personal data",
    )

    user = commands.add_parser("user", help="users").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    user_add = user.add_parser(
        "add",
        help="create a user, or give an existing one a role in a centre; a new user's "
        "password is read from one line of stdin, or asked for on a terminal",
    )
    user_add.add_argument("name")
    user_add.add_argument("--centre", required=True)
    user_add.add_argument("--role", required=True, choices=accounts.ROLES)

    code = commands.add_parser("enrol-code", help="a one-time station enrolment code (24 h)")
    code.add_argument("--centre", required=True)

    station = commands.add_parser("station", help="stations").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    revoke = station.add_parser("revoke", help="stop a station from syncing")
    revoke.add_argument("station_id")
    return parser


def _read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            raise ApiError(1, "password_mismatch", "the two passwords differ; run it again")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database_url or default_database_url()
    try:
        if args.command == "run":
            return _run(url, args.host, args.port)
        engine = make_engine(url)
        try:
            upgrade(engine)
            if args.command == "migrate":
                print("database is up to date")
                return 0
            with make_sessionmaker(engine)() as db:
                _administer(db, args)
                db.commit()
        finally:
            engine.dispose()
    except ApiError as exc:
        print(f"kiosk-server: {exc.message}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(
            f"kiosk-server: cannot reach the database ({exc.orig}); check --database-url "
            "or KIOSK_SERVER_DATABASE_URL and that the database is running",
            file=sys.stderr,
        )
        return 1
    except (SQLAlchemyError, ValueError) as exc:
        print(f"kiosk-server: {exc}", file=sys.stderr)
        return 1
    return 0


def _administer(db: Session, args: argparse.Namespace) -> None:
    if args.command == "centre":
        centre = accounts.create_centre(db, ACTOR, args.name, args.personal_data)
        print(f"centre {centre.name!r} created: {centre.id}")
    elif args.command == "user":
        centre = accounts.centre_by_name(db, args.centre)
        exists = accounts.user_exists(db, args.name)
        password = None if exists else _read_password(args.name)
        accounts.add_user(db, ACTOR, centre, args.name, args.role, password)
        print(f"{args.name} is {args.role} of {centre.name}")
    elif args.command == "enrol-code":
        centre = accounts.centre_by_name(db, args.centre)
        code, expires = accounts.create_enrolment_code(db, ACTOR, centre)
        print(code)
        print(
            f"one use, for centre {centre.name}, until {expires:%Y-%m-%d %H:%M} UTC",
            file=sys.stderr,
        )
    elif args.command == "station":
        station = db.get(Station, args.station_id)
        if station is None:
            raise ApiError(
                1,
                "station_not_found",
                f"no station {args.station_id!r}: check the id (GET /console/v1/stations)",
            )
        accounts.revoke_station(db, ACTOR, station)
        print(f"station {station.name!r} ({station.id}) is revoked")


def _run(url: str, host: str, port: int) -> int:
    import uvicorn

    from server.app import create_app
    from server.logs import configure_logging

    configure_logging()
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    uvicorn.run(create_app(url), host=host, port=port, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
