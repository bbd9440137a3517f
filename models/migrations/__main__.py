"""Developer entry point: ``python -m models.migrations upgrade|current|history|revision``."""

from __future__ import annotations

import argparse
import os

from alembic import command

from models.migrations import alembic_config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m models.migrations")
    parser.add_argument("--url", default=os.environ.get("PETITIONS_DB_URL", "sqlite:///var/petitions.db"))
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("upgrade")
    up.add_argument("revision", nargs="?", default="head")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    sub.add_parser("current")
    sub.add_parser("history")
    rev = sub.add_parser("revision")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)

    cfg = alembic_config(args.url)
    if args.cmd == "upgrade":
        command.upgrade(cfg, args.revision, sql=args.sql)
    elif args.cmd == "current":
        command.current(cfg, verbose=True)
    elif args.cmd == "history":
        command.history(cfg)
    else:
        command.revision(cfg, message=args.message, autogenerate=args.autogenerate)


if __name__ == "__main__":
    main()
