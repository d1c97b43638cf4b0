"""Staff console maintenance: ``python -m assistant.console purge|migrate``.

``purge`` deletes the records older than ``IUC_CONSOLE__RETENTION_DAYS`` (run it daily,
e.g. from cron: ``make purge``); ``migrate`` brings the app database to the newest
schema (the web app also does it when it starts).
"""

from __future__ import annotations

import argparse
import sys

from assistant.core.records import migrate
from assistant.core.records.store import RecordStore, RecordStoreError
from assistant.core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m assistant.console")
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="delete records past the retention")
    purge.add_argument(
        "--days",
        type=int,
        default=settings.console.retention_days,
        help="keep this many days (default: IUC_CONSOLE__RETENTION_DAYS, "
        f"{settings.console.retention_days})",
    )
    commands.add_parser("migrate", help="upgrade the app database to the newest schema")
    args = parser.parse_args(argv)
    if args.command == "purge" and args.days < 1:
        parser.error("--days must be at least 1")
    try:
        store = RecordStore(settings.database.url)  # opening it migrates
    except RecordStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command == "migrate":
            print(f"database at revision {migrate.current(store.engine)}")
        else:
            counts = store.purge(args.days)
            listed = ", ".join(f"{n} {table}" for table, n in counts.items())
            print(f"deleted records older than {args.days} days: {listed}")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
