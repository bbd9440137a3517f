"""`petitions nightly run|serve`: the nightly ingestion, now or on its schedule."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from petitions.errors import ExitCode
from petitions.settings import Settings


def cmd_nightly_run(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.ocr import check_tesseract
    from flows.nightly import nightly

    check_tesseract(settings.ocr_lang)
    inboxes = [str(p) for p in args.inbox] if args.inbox else None
    summary = nightly(inboxes=inboxes, retrain=not args.no_retrain)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return ExitCode.ok


def cmd_nightly_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the `nightly-ingest` deployment on this machine: no other infrastructure needed."""
    from prefect import serve

    from extractors.ocr import check_tesseract
    from flows.nightly import nightly_deployment

    check_tesseract(settings.ocr_lang)
    serve(nightly_deployment(settings))
    return ExitCode.ok


def register(sub: argparse._SubParsersAction) -> None:
    nightly = sub.add_parser("nightly", help="nightly ingestion of the inbox folder(s)")
    actions = nightly.add_subparsers(dest="nightly_command", required=True)
    run = actions.add_parser("run", help="ingest the inbox now, once")
    run.add_argument("--inbox", type=Path, action="append", help="inbox folder (repeatable; default: settings)")
    run.add_argument("--no-retrain", action="store_true", help="skip retraining after ingestion")
    run.set_defaults(func=cmd_nightly_run)
    serve = actions.add_parser("serve", help="run the nightly-ingest deployment on its schedule (blocks)")
    serve.set_defaults(func=cmd_nightly_serve)
