"""Routing's subcommands: queue status changes, register exports and official slips.

    petitions queue-status ID STATUS     move a letter's queue item (new → assigned → in_progress → …)
    petitions export --agency ID --format csv|xlsx --out FILE
    petitions slip ID --out FILE.pdf     phiếu chuyển đơn / phiếu hướng dẫn with its register number
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from petitions.errors import ExitCode, NotFoundError
from petitions.settings import Settings


def _store(settings: Settings) -> Any:
    from models.store import Store

    return Store.open(settings)


def _letter_id(store: Any, prefix: str) -> str:
    full = store.resolve_id(prefix)
    if full is None:
        raise NotFoundError(f"Không tìm thấy đơn có mã {prefix} / no letter with id {prefix}")
    return str(full)


def cmd_queue_status(args: argparse.Namespace, settings: Settings) -> int:
    from models.tables import QUEUE_STATUSES

    if args.status not in QUEUE_STATUSES:
        raise NotFoundError(f"unknown queue status {args.status!r}; expected one of {', '.join(QUEUE_STATUSES)}")
    store = _store(settings)
    letter_id = _letter_id(store, args.id)
    store.set_queue_status(letter_id, args.status, actor=args.actor)
    print(f"{letter_id[:12]}: {args.status}")
    return ExitCode.ok


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from routing.agencies import find_agency
    from routing.export import export_queue

    if find_agency(args.agency, settings) is None:
        raise NotFoundError(f"Không có cơ quan {args.agency} / no agency {args.agency}")
    store = _store(settings)
    count = export_queue(store, args.agency, args.format, args.out)
    print(f"{count} đơn → {args.out}")
    return ExitCode.ok


def cmd_slip(args: argparse.Namespace, settings: Settings) -> int:
    from routing.slips import write_slip

    store = _store(settings)
    record = store.get(_letter_id(store, args.id))
    number = write_slip(record, settings, args.out)
    print(f"Số: {number} → {args.out}")
    return ExitCode.ok


def register(subparsers: Any) -> None:
    """Add the routing subcommands to the `petitions` parser."""
    p = subparsers.add_parser("queue-status", help="change a letter's queue status")
    p.add_argument("id", help="letter id (or its first 8+ characters)")
    p.add_argument("status", help="new | assigned | in_progress | answered | closed")
    p.add_argument("--actor", default="clerk", help="who makes the change (audited)")
    p.set_defaults(func=cmd_queue_status)

    p = subparsers.add_parser("export", help="export one agency's register to CSV or XLSX")
    p.add_argument("--agency", required=True, help="agency id, e.g. chu_tich_ubnd_xa:liem-ha")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("slip", help="the transfer or guidance slip of a letter, as PDF")
    p.add_argument("id", help="letter id (or its first 8+ characters)")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_slip)
