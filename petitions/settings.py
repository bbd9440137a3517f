"""One settings model, validated once when the CLI or a flow starts.

Steps read ``settings`` passed to them and never ``os.environ``. Values come from (lowest first)
defaults, an optional TOML file named by ``PETITIONS_CONFIG``, then ``PETITIONS_*`` environment
variables. Unknown keys are rejected so that a typo fails loudly.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from petitions.errors import BadConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PETITIONS_", extra="forbid", validate_default=True)

    # Store
    db_url: str = Field(default="", description="SQLAlchemy URL; default: SQLite file var/petitions.db")
    var_dir: Path = Field(default=Path("var"), description="work folder for the store, Prefect and logs")

    # The office
    province: str = Field(default="Ninh Bình", description="the office's own province (no level word)")
    timezone: str = "Asia/Ho_Chi_Minh"

    # Reading
    ocr_lang: str = "vie"
    ocr_dpi: int = Field(default=300, ge=100, le=600, description="rasterisation dpi for image-only PDF pages")
    tesseract_timeout_s: float = Field(default=180.0, gt=0, description="per-page OCR timeout")
    max_file_mb: float = Field(default=200.0, gt=0)
    max_pages: int = Field(default=100, ge=1)
    max_image_pixels: int = Field(default=80_000_000, ge=1_000_000, description="decompression-bomb guard")
    min_text_chars: int = Field(default=40, ge=1, description="fewer letters than this: no_text")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)

    # Nightly ingestion
    inbox_dirs: list[Path] = Field(default_factory=list, description="scanned mail lands here (default var/inbox)")
    archive_dir: Path | None = Field(default=None, description="originals by date once stored (default var/archive)")
    quarantine_dir: Path | None = Field(default=None, description="originals of quarantined letters (default var/quarantine)")
    nightly_cron: str = Field(default="0 1 * * *", description="when the nightly ingestion runs (timezone above)")
    stable_seconds: float = Field(default=60.0, ge=0, description="a file changed more recently is still being copied")

    # Store outages: a write that fails because the database is unreachable is retried with
    # exponential backoff (first wait, doubling up to 15 s) for at most this long, then the run stops.
    store_retry_total_s: float = Field(default=120.0, ge=0, description="give up on the store after this long")
    store_retry_first_s: float = Field(default=0.5, gt=0, description="first wait before retrying the store")

    # Review thresholds
    category_review_threshold: float = Field(default=0.6, ge=0, le=1)
    ocr_review_threshold: float = Field(default=0.6, ge=0, le=1)

    # Data files (defaults ship with the package)
    routing_table: Path | None = None
    deadlines: dict[str, int] = Field(
        default_factory=lambda: {"to_cao": 7, "khieu_nai": 7, "kien_nghi": 10, "phan_anh": 10, "forward": 5}
    )

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        """Relative paths are taken from the working folder; unset folders live under var_dir."""
        absolute = lambda p: p if p.is_absolute() else Path.cwd() / p  # noqa: E731
        var = absolute(self.var_dir)
        derived = {
            "var_dir": var,
            "inbox_dirs": [absolute(p) for p in self.inbox_dirs] or [var / "inbox"],
            "archive_dir": absolute(self.archive_dir or var / "archive"),
            "quarantine_dir": absolute(self.quarantine_dir or var / "quarantine"),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # derived values do not count as "set" by the user
        return self

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.var_dir / 'petitions.db'}"


def load_settings(**overrides: Any) -> Settings:
    """Build and validate settings; a bad value raises BadConfigError naming the key."""
    file_values: dict[str, Any] = {}
    cfg = os.environ.get("PETITIONS_CONFIG")
    if cfg:
        try:
            file_values = tomllib.loads(Path(cfg).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise BadConfigError(f"cannot read PETITIONS_CONFIG={cfg}: {exc}") from exc
    try:
        env_only = Settings()
        merged = {**file_values, **env_only.model_dump(exclude_unset=True), **overrides}
        return Settings(**merged)
    except ValidationError as exc:
        raise BadConfigError(f"invalid settings: {exc}") from exc


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
