"""`petitions` subcommands of the classifier: train, retrain, models, rollback, correct.

Registered through ``petitions.cli.COMMAND_MODULES`` ("classifiers.cli"); each command takes
(args, settings) and returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from models.record import CATEGORIES
from petitions.errors import ExitCode, NotFoundError
from petitions.settings import Settings


def _models_dir(args: argparse.Namespace) -> Path:
    from classifiers.versions import MODELS_DIR

    return args.models_dir or MODELS_DIR


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from classifiers.train import build

    logging.getLogger("spacy").setLevel(logging.WARNING)
    result = build(_models_dir(args), version=args.version, seed=args.seed, activate=not args.no_activate,
                   actor=args.actor)
    print(result.report)
    return ExitCode.ok


def cmd_retrain(args: argparse.Namespace, settings: Settings) -> int:
    from classifiers.retrain import retrain

    logging.getLogger("spacy").setLevel(logging.WARNING)
    outcome = retrain(settings, models_dir=_models_dir(args), actor=args.actor, seed=args.seed)
    print(outcome.report)
    print(outcome.summary())
    return ExitCode.ok


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from classifiers.versions import list_versions

    rows = list_versions(_models_dir(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return ExitCode.ok
    if not rows:
        print("no trained model: the rules decide alone (run `petitions train`)")
        return ExitCode.ok
    print(f"{'':2}{'version':<14}{'created':<27}{'mode':<9}{'threshold':>10}{'frozen F1':>11}{'letters':>9}"
          f"{'corr.':>7}  data")
    for r in rows:
        print(f"{'*' if r['active'] else ' ':2}{r['version']:<14}{r['created'] or '':<27}{r['mode'] or '':<9}"
              f"{_num(r['threshold']):>10}{_num(r['frozen_macro_f1']):>11}{r['train_letters'] or 0:>9}"
              f"{r['corrections']:>7}  {r['data_hash']}")
    return ExitCode.ok


def _num(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "-"


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from classifiers.versions import rollback

    version = rollback(args.version, _models_dir(args), actor=args.actor)
    print(f"active classifier model: {version}")
    return ExitCode.ok


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    from models.store import Store

    with Store.open(settings) as store:
        full = store.resolve_id(args.id)
        record = store.get(full) if full else None
        if record is None:
            raise NotFoundError(f"no letter with id {args.id}")
        row = store.add_correction(full, "category", record.category, args.category, args.actor, args.comment)
    print(f"letter {row.letter_id[:12]}: category {row.before} -> {row.after} (by {row.actor}, "
          f"model {row.model_version or '-'})")
    return ExitCode.ok


def register(subparsers: Any) -> None:
    def models_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--models-dir", type=Path, help="model versions folder (default: classifiers/models)")

    p = subparsers.add_parser("train", help="train the category classifier from the fixture letters (offline)")
    p.add_argument("--version", help="version name (default: the next free hybrid-NNNN)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-activate", action="store_true", help="do not make the new model active")
    p.add_argument("--actor", default="train")
    models_dir(p)
    p.set_defaults(func=cmd_train)

    p = subparsers.add_parser("retrain", help="train a candidate on fixtures + corrections; promote it if not worse")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--actor", default="retrain")
    models_dir(p)
    p.set_defaults(func=cmd_retrain)

    p = subparsers.add_parser("models", help="list classifier model versions (* = active)")
    p.add_argument("--json", action="store_true")
    models_dir(p)
    p.set_defaults(func=cmd_models)

    p = subparsers.add_parser("rollback", help="switch the active classifier model back (default: the previous one)")
    p.add_argument("version", nargs="?")
    p.add_argument("--actor", default="cli")
    models_dir(p)
    p.set_defaults(func=cmd_rollback)

    p = subparsers.add_parser("correct", help="correct a letter's category (a reviewer's decision)")
    p.add_argument("id", help="letter id (or its first 8+ characters)")
    p.add_argument("--category", required=True, choices=CATEGORIES)
    p.add_argument("--actor", default="reviewer")
    p.add_argument("--comment")
    p.set_defaults(func=cmd_correct)
