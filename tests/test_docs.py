"""The docs name every error code and exit code the software can produce."""

from __future__ import annotations

from pathlib import Path

from petitions.errors import ExitCode, all_error_classes
from petitions.pipeline import INTERNAL_ERROR

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_error_code_is_documented() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    codes = {cls.code for cls in all_error_classes()} | {INTERNAL_ERROR.code}
    missing = sorted(code for code in codes if f"`{code}`" not in text)
    assert not missing, f"undocumented error codes: {missing}"


def test_every_exit_code_is_documented() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    missing = [c.name for c in ExitCode if c.value and f"| {c.value} |" not in text]
    assert not missing
