"""Alembic migrations for the store, run programmatically (no alembic.ini).

    from models.migrations import alembic_config
    from alembic import command
    command.upgrade(alembic_config("sqlite:///var/petitions.db"), "head")

``Store.migrate()`` does this with the store's own connection. For a new revision during
development: ``python -m models.migrations revision -m "add x" --autogenerate`` (PETITIONS_DB_URL or
``--url`` names the database to compare against), then review the generated file by hand.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at this package; pass a URL, an open connection, or both."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("version_path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg
