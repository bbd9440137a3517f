"""The `petitions` command line. Subcommands call the same service functions as the flows and
(later) the review app; none re-implements a query.

Exit codes: 0 when the run worked (even if some letters were quarantined); a run-level error exits
with its :class:`petitions.errors.ExitCode` and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import importlib
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from petitions import __version__
from petitions.errors import ExitCode, NotFoundError, PetitionsError
from petitions.settings import Settings, load_settings

log = logging.getLogger("petitions")

# Modules that add subcommands: each has `register(subparsers)`, which adds its parsers with
# `set_defaults(func=...)`; each func takes (args, settings) and returns an exit code.
COMMAND_MODULES: tuple[str, ...] = ("classifiers.cli", "flows.cli", "routing.cli", "review.cli")


def iter_inputs(paths: Sequence[Path]) -> Iterator[Path]:
    """Files given, and every file below folders given (sorted; hidden files are skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file() or child.is_symlink():
                    yield child
        else:
            yield path  # a missing or unreadable path still yields a (quarantined) record


def _open_store(settings: Settings):  # noqa: ANN202 - imported lazily, keeps `--help` fast
    from models.store import Store

    return Store.open(settings)  # migrates to the latest schema


def cmd_process(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.executor import SharedPoolExecutor
    from extractors.ocr import check_tesseract
    from petitions.pipeline import process_file
    from petitions.register import Register
    from petitions.summary import print_summary

    check_tesseract(settings.ocr_lang)
    register = Register(_open_store(settings), settings)
    inputs = list(iter_inputs(args.paths))
    received = args.received or None
    out: TextIO = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    records = []
    try:
        # Letters are read in parallel, and every page of every letter is OCR'd in one shared pool of
        # `workers` threads (one tesseract process per core). Only this thread writes to the store.
        with ThreadPoolExecutor(settings.workers) as letters, ThreadPoolExecutor(settings.workers) as pages:
            page_executor = SharedPoolExecutor(pages)
            work = lambda p: process_file(p, settings, received=received, executor=page_executor)  # noqa: E731
            try:
                for done in letters.map(work, inputs):
                    record = register.register(done)  # duplicates linked, then stored (retried)
                    out.write(record.to_json() + "\n")  # a record is written only once it is stored
                    out.flush()
                    records.append(record)
            except BaseException:  # the store gave up, Ctrl-C: do not read the letters still queued
                letters.shutdown(wait=False, cancel_futures=True)  # letters being read finish
                raise
    finally:
        if args.out:
            out.close()
    if args.summary or args.out:
        print_summary(records, file=sys.stderr if not args.out else sys.stdout)
    return ExitCode.ok


def cmd_backlog(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.ocr import check_tesseract
    from flows.backlog import run_backlog

    check_tesseract(settings.ocr_lang)
    _open_store(settings)  # migrate before any worker starts
    run_backlog(args.folder, settings, workers=args.workers or settings.workers, chunk_size=args.chunk_size)
    return ExitCode.ok


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store = _open_store(settings)
    full = store.resolve_id(args.id)
    record = store.get(full) if full else None
    if record is None:
        raise NotFoundError(f"no letter with id {args.id}")
    print(json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return ExitCode.ok


def cmd_queues(args: argparse.Namespace, settings: Settings) -> int:
    from petitions.summary import print_queue, print_queues

    store = _open_store(settings)
    if args.agency:
        rows = store.queue(args.agency)
        if not rows:
            raise NotFoundError(f"no letters in queue {args.agency}")
        print_queue(args.agency, rows)
    else:
        print_queues(store.queue())
    return ExitCode.ok


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _open_store(settings)
    print("store is at the latest schema")
    return ExitCode.ok


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from petitions.evaluation import run_eval

    report = run_eval(args.letters, settings, scans=args.scans, limit=args.limit, out=args.out)
    print(report)
    return ExitCode.ok


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="petitions", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"petitions {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (letter ids only)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("process", help="process files or folders; one JSON record per input file")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--out", type=Path, help="write JSON Lines here instead of stdout")
    p.add_argument("--workers", type=int, help="letters processed at once (default: cores)")
    p.add_argument("--received", type=_date, help="date of receipt (default: today)")
    p.add_argument("--summary", action="store_true", help="print a summary table")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("backlog", help="process a folder with the Prefect backlog flow (resumable)")
    p.add_argument("folder", type=Path)
    p.add_argument("--workers", type=int)
    p.add_argument("--chunk-size", type=int, default=64)
    p.set_defaults(func=cmd_backlog)

    p = sub.add_parser("show", help="show one letter's record (id or its first 8+ characters)")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("queues", help="agency queues, or one queue's letters with --agency")
    p.add_argument("--agency", help="agency id, e.g. chu_tich_ubnd_xa:liem-ha")
    p.set_defaults(func=cmd_queues)

    p = sub.add_parser("migrate", help="create or upgrade the store's schema")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("eval", help="score the pipeline against labeled letters (JSON Lines)")
    p.add_argument("letters", type=Path)
    p.add_argument("--scans", action="store_true", help="also render the letters as scans and OCR them")
    p.add_argument("--limit", type=int, help="only the first N letters")
    p.add_argument("--out", type=Path, help="write per-letter predictions here (JSON Lines)")
    p.set_defaults(func=cmd_eval)

    for module in COMMAND_MODULES:  # commands that live beside their capability
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except PetitionsError as exc:  # a command module could not load its configuration
        print(f"petitions: error: {exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        overrides = {"workers": args.workers} if getattr(args, "workers", None) else {}
        settings = load_settings(**overrides)
        return int(args.func(args, settings))
    except PetitionsError as exc:
        print(f"petitions: error: {exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("petitions: interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except OSError as exc:  # a file the command writes or reads: disk full, permissions, ...
        reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        target = exc.filename or getattr(args, "out", None)  # e.g. a zip writer's close() names no file
        where = f" ({target})" if target else ""
        print(f"petitions: error: Lỗi ghi/đọc tệp / cannot write or read a file{where}: {reason}: "
              f"{exc.strerror or exc}. Free some space or fix the permissions, then run the command again.",
              file=sys.stderr)
        return int(ExitCode.io_error)


if __name__ == "__main__":
    sys.exit(main())
